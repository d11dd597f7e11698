"""``POST /cities/{city}/uploads``: an officer's file (CSV, XLSX, GeoJSON, GeoPackage, zipped
Shapefile, GeoTIFF, Parquet) with its feed spec, ingested in the background; ``GET`` its
progress; ``GET /runs/{run_id}/rejected.csv`` the run's rejected rows. Size and type limits
are settings (``OBSERVATORY_UPLOAD_*``): a file over them is refused before it is kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from observatory.api.security import require_role
from observatory.http.body_limit import UploadLimitedRoute
from observatory.http.deps import CityDep, StoreDep
from observatory.http.openapi import refusals
from observatory.services.callers import Caller
from observatory.services.run_report import rejected_csv, rejected_filename
from observatory.services.uploads import Uploads, check_spec, upload_status

OFFICER = [Depends(require_role("officer"))]


class UploadStatus(BaseModel):
    id: str
    city: str
    feed: str
    filename: str
    file_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str  # the key's hash prefix, never the key
    uploaded_at: str
    file_kept: bool  # False once a personal-data feed's file is deleted after its ingest
    state: str  # uploaded, waiting, running, finished, interrupted (by a restart)
    done: int
    total: int
    label: str
    message: str
    run_id: str | None
    run_status: str | None
    rows_loaded: int | None
    rows_rejected: int | None


async def get_uploads(request: Request) -> Uploads:
    return request.app.state.uploads


UploadsDep = Annotated[Uploads, Depends(get_uploads)]
receiving = APIRouter(tags=["uploads"], dependencies=OFFICER, route_class=UploadLimitedRoute)
router = APIRouter(tags=["uploads"], dependencies=OFFICER)


@receiving.post("/cities/{city}/uploads", status_code=202, response_model=UploadStatus,
                 responses=refusals(400, 401, 403, 404, 413, 415, 422, 503))
async def upload(
    city: CityDep,
    uploads: UploadsDep,
    caller: Annotated[Caller, Depends(require_role("officer"))],
    file: Annotated[UploadFile, File(description="CSV, XLSX, GeoJSON, GeoPackage, zipped "
                                     "Shapefile (.zip), GeoTIFF or Parquet")],
    feed: Annotated[str, Form(description="the feed it is, e.g. census, admin, boundaries")],
    spec: Annotated[str | None, Form(description="the feed spec (YAML); none: the feed's "
                                     "default, where it has one")] = None,
) -> dict:
    """Keep the file and ingest it with ``spec`` in the background (one ingest at a time);
    follow it at ``GET /cities/{city}/uploads/{id}``."""
    if spec and spec.strip():
        check_spec(spec)  # before the file is kept
    kept = await run_in_threadpool(uploads.receive, city.slug, feed, file.filename or "upload",
                                   file.file, caller.submitter)
    job = await run_in_threadpool(uploads.ingest, kept, spec)
    return upload_status(uploads.get(city.slug, kept.id), job)


@router.get("/cities/{city}/uploads/{upload_id}", response_model=UploadStatus,
            responses=refusals(401, 403, 404, 422, 503))
def upload_progress(city: CityDep, upload_id: str, uploads: UploadsDep) -> dict:
    """Where the upload's ingest is (``done`` of ``total``, ``label``) and, once finished,
    its run: the report with the rejected rows is ``GET /runs/{run_id}``."""
    found = uploads.get(city.slug, upload_id)
    return upload_status(found, uploads.job(found))


@router.get("/runs/{run_id}/rejected.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "Rejected rows"},
                       **refusals(401, 403, 404, 503)})
def rejected_rows_csv(run_id: str, store: StoreDep) -> Response:
    """The run's rejected rows (row, column, reason, raw text) as CSV, UTF-8 with a BOM."""
    run = store.run(run_id)
    if run is None:
        raise HTTPException(404, f"No ingest run {run_id!r}; list them at /cities/CITY/runs.")
    return Response(rejected_csv(store.rejected_rows(run_id)), media_type="text/csv; "
                    "charset=utf-8", headers={"Content-Disposition": 'attachment; filename="'
                                              f'{rejected_filename(run.source_name, run_id)}"'})


