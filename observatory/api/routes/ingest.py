"""``/internal/ingest`` and ``/internal/compute``: where a CLI on this machine hands an ingest or
a compute to the serving process that owns the embedded DuckDB file (``observatory serve`` publishes the link, with its token, next
to the file). Not part of the public API: hidden from the OpenAPI document, answered only to
loopback callers that send the server's token, and absent (404) unless the app was started
with one."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError

from observatory.services.compute_runs import ComputeOrder
from observatory.services.ingest_jobs import (
    JOB_STATUS,
    TOKEN_HEADER,
    IngestJobs,
    IngestOrder,
    JobStatus,
)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def get_ingest_jobs(request: Request) -> IngestJobs:
    jobs: IngestJobs | None = getattr(request.app.state, "ingest_jobs", None)
    token: str | None = getattr(request.app.state, "ingest_token", None)
    if jobs is None or token is None:
        raise HTTPException(404, "Not Found")
    if not _loopback(request.client.host if request.client else None):
        raise HTTPException(403, "Ingests are submitted from the server's own machine only "
                                 "(loopback); run `observatory ingest` there.")
    sent = request.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(sent.encode(), token.encode()):
        raise HTTPException(401, "Wrong or missing ingest token: the CLI reads it from the "
                                 "server's link file beside the database; restart the ingest.")
    return jobs


JobsDep = Annotated[IngestJobs, Depends(get_ingest_jobs)]
router = APIRouter(prefix="/internal/ingest", include_in_schema=False)
compute_router = APIRouter(prefix="/internal/compute", include_in_schema=False)


@router.get("")
async def ready(jobs: JobsDep) -> dict[str, str]:
    """The CLI's check that this is the server of the link file, and that it is up."""
    return {"status": "ready"}


@router.post("", status_code=202)
async def submit(request: Request, jobs: JobsDep) -> Any:
    return await _accepted(request, "ingest",
                           lambda body: jobs.submit(IngestOrder.model_validate(body)))


@compute_router.post("", status_code=202)
async def submit_compute(request: Request, jobs: JobsDep) -> Any:
    return await _accepted(request, "compute",
                           lambda body: jobs.submit_compute(ComputeOrder.model_validate(body)))


async def _accepted(request: Request, kind: str, submit: Callable[[Any], JobStatus]) -> Any:
    # Parsed here, not by FastAPI: its 422 would echo the input, and the order carries the
    # CLI's settings, a hash key among them.
    try:
        status = submit(await request.json())
    except ValueError as exc:
        raise invalid_order(kind, exc) from None
    return JOB_STATUS.dump_python(status, mode="json")


def invalid_order(kind: str, exc: ValueError) -> HTTPException:
    """422 naming what is wrong, never the value (an order carries the CLI's settings)."""
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                             for e in exc.errors())
    else:  # a body that is no JSON, options the feed does not take
        problems = str(exc)
    return HTTPException(422, f"The {kind} order is not valid: {problems}")


@router.get("/{job_id}")
@compute_router.get("/{job_id}")
async def job_status(job_id: str, jobs: JobsDep) -> Any:
    status = jobs.status(job_id)
    if status is None:
        raise HTTPException(404, f"No ingest job {job_id!r} in this server (it restarted, or "
                                 "the job is long finished): see `observatory runs --city CITY`.")
    return JOB_STATUS.dump_python(status, mode="json")
