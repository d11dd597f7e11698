"""``/internal/store``: the CLI's store commands (``init``, ``runs``, ``keys create``) and its
city commands (``audit``, ``levels``, ``segregation``, ``export``, ``bundle``, ``compare``,
``spec infer``, ``icc``, ``ingest --dry-run``) run by the serving process that owns the embedded DuckDB file, as
``/internal/ingest`` runs its ingests: hidden, loopback only, the server's token required (the
same guard). Each calls the service the command calls on a store it opens itself
(``services.store_admin``, ``services.city_reports``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, TypeAdapter

from observatory.api.routes.ingest import get_ingest_jobs, invalid_order
from observatory.keys import Role
from observatory.services.city_reports import (
    AUDIT,
    BUNDLE,
    COMPARED,
    DRY_RUN,
    EXPORTED,
    ICC_SCORED,
    IMPORTED,
    INFERRED,
    LEVELS,
    STORED_ICC,
    BundleImport,
    BundleOrder,
    CityOrder,
    CompareOrder,
    ExportOrder,
    IccOrder,
    SegregationOrder,
    SpecOrder,
    city_bundle,
    compared_cities,
    disclosure_audit,
    exported_file,
    icc_scored,
    level_summary,
    officer_segregation,
    ordered_dry_run,
    peer_import,
    proposed_spec,
    stored_icc,
)
from observatory.services.ingest_jobs import IngestOrder
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


@router.post("/audit")
def audit(order: CityOrder, store: StoreDep) -> Response:
    return _answer(AUDIT, disclosure_audit(store, order.city, order.settings()))


@router.post("/levels")
def levels(order: CityOrder, store: StoreDep) -> Response:
    return _answer(LEVELS, level_summary(store, order.city))


@router.post("/segregation")
def segregation(order: SegregationOrder, store: StoreDep) -> Any:
    return officer_segregation(store, order)


@router.post("/export")
def export(order: ExportOrder, store: StoreDep) -> Response:
    return _answer(EXPORTED, exported_file(store, order))


@router.post("/bundle/export")
def bundle_export(order: BundleOrder, store: StoreDep) -> Response:
    return _answer(BUNDLE, city_bundle(store, order))


@router.post("/bundle/import")
def bundle_import(order: BundleImport, store: StoreDep) -> Any:
    return IMPORTED.dump_python(peer_import(store, order), mode="json")


@router.post("/compare")
def compare(order: CompareOrder, store: StoreDep) -> Response:
    return _answer(COMPARED, compared_cities(store, order))


@router.post("/icc/score")
def icc_score(order: IccOrder, store: StoreDep) -> Response:
    return _answer(ICC_SCORED, icc_scored(store, order))


@router.post("/icc/stored")
def icc_stored(order: CityOrder, store: StoreDep) -> Response:
    return _answer(STORED_ICC, stored_icc(store, order.city))


@router.post("/dry-run")
def ingest_dry_run(body: Annotated[dict[str, Any], Body()], store: StoreDep) -> Any:
    # Validated here, not by FastAPI: its 422 would echo the order's settings (the hash key).
    try:
        order = IngestOrder.model_validate(body)
    except ValueError as exc:
        raise invalid_order("dry run", exc) from None
    return DRY_RUN.dump_python(ordered_dry_run(store, order), mode="json")


@router.post("/spec/infer")
def spec_infer(order: SpecOrder, store: StoreDep) -> Any:
    return INFERRED.dump_python(proposed_spec(store, order), mode="json")


def _answer(adapter: TypeAdapter[Any], value: object) -> Response:
    # Its own JSON: infinite and NaN floats as strings, files as base64 (see city_reports).
    return Response(adapter.dump_json(value), media_type="application/json")
