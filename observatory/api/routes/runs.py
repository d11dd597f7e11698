"""Ingest runs for officers: what was loaded, when, and which rows were rejected why."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException

from observatory.api.security import require_role
from observatory.http.deps import CityDep, StoreDep
from observatory.http.openapi import refusals

router = APIRouter(tags=["ingest runs"], dependencies=[Depends(require_role("officer"))],
                   responses=refusals(401, 403, 404, 422, 503))


@router.get("/cities/{city}/runs")
def city_runs(city: CityDep, store: StoreDep) -> list[dict]:
    """Every ingest run of the city, newest first."""
    return [asdict(run) for run in store.runs(city.slug)]


@router.get("/runs/{run_id}")
def run_detail(run_id: str, store: StoreDep) -> dict:
    """One run with its rejected rows (row number, column, reason, raw text)."""
    run = store.run(run_id)
    if run is None:
        raise HTTPException(404, f"No ingest run {run_id!r}; list them at /cities/CITY/runs.")
    return {**asdict(run), "rejected_rows": [asdict(r) for r in store.rejected_rows(run_id)]}
