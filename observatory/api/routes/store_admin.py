"""``/internal/store``: the CLI's store commands (``init``, ``runs``, ``keys create``) run by the
serving process that owns the embedded DuckDB file, as ``/internal/ingest`` runs its ingests:
hidden, loopback only, the server's token required (the same guard)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from observatory.api.routes.ingest import get_ingest_jobs
from observatory.keys import Role
from observatory.services.store_admin import (
    INITIALISED,
    RUN_RECORD,
    RUNS,
    ingest_runs,
    initialise,
    new_api_key,
    run_record,
)
from observatory.store.base import Store

router = APIRouter(prefix="/internal/store", include_in_schema=False,
                   dependencies=[Depends(get_ingest_jobs)])


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


class KeyOrder(BaseModel):
    role: Role
    label: str


# Plain functions: FastAPI runs them in its thread pool, the requests go on being answered.
@router.post("/init")
def init(store: StoreDep) -> Any:
    return INITIALISED.dump_python(initialise(store), mode="json")


@router.get("/runs")
def runs(store: StoreDep, city: str | None = None) -> Any:
    return RUNS.dump_python(ingest_runs(store, city), mode="json")


@router.get("/runs/{run_id}")
def run(run_id: str, store: StoreDep) -> Any:
    return RUN_RECORD.dump_python(run_record(store, run_id), mode="json")


@router.post("/keys")
def create_key(order: KeyOrder, store: StoreDep) -> dict[str, str]:
    return {"key": new_api_key(store, order.role, order.label)}
