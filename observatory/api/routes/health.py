"""``GET /health``: is the store reachable and its schema in place."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from observatory.http.deps import StoreDep
from observatory.store import StoreError
from observatory.store.sqlfiles import schema_files

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    backend: str
    schema_ok: bool
    detail: str = ""


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(store: StoreDep) -> JSONResponse:
    expected = [file.name for file in schema_files(store.backend)]
    try:
        applied = store.schema_version()
    except StoreError as exc:
        detail = f"{type(exc).__name__}: {exc}"
    else:
        missing = [name for name in expected if name not in applied]
        if not missing:
            return JSONResponse(
                Health(status="ok", backend=store.backend, schema_ok=True).model_dump())
        detail = f"schema files not applied: {', '.join(missing)}"
    report = Health(status="degraded", backend=store.backend, schema_ok=False,
                    detail=f"{detail}. Fix: run `observatory init` on this store.")
    return JSONResponse(report.model_dump(), status_code=503)
