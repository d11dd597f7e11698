"""The officer's upload pages: ``/{lang}/cities/{city}/upload`` (choose a city, a feed and a
file), ``…/uploads/{id}`` (the spec in an editor with the inferred spec's notes and the dry run;
once submitted, the ingest's live progress and its run report), ``…/uploads/{id}/status.json``
(what the progress poller reads) and ``…/runs/{run_id}/rejected.csv``.

The signed-in officer's key rides in the session cookie (SameSite=Strict: other sites cannot
post these forms); the services do the work (:mod:`observatory.services.uploads`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from observatory.http.body_limit import UploadLimitedRoute
from observatory.http.deps import CityDep, StoreDep, root_path
from observatory.models import City
from observatory.services.errors import ServiceError
from observatory.services.run_report import rejected_csv, rejected_filename
from observatory.services.upload_review import dry_run_view, proposed_spec
from observatory.services.uploads import TYPE_NAMES, Upload, Uploads, check_spec, upload_status
from observatory.web.i18n import Lang, words
from observatory.web.routes import PageCallerDep, _officer_or_sign_in, _page

router = APIRouter(tags=["pages"], include_in_schema=False)
_receiving = APIRouter(tags=["pages"], include_in_schema=False, route_class=UploadLimitedRoute)
SAMPLE_ROWS = 20


def add_upload_pages(app: FastAPI) -> None:
    app.include_router(_receiving)
    app.include_router(router)


def _uploads(request: Request) -> Uploads:
    return request.app.state.uploads


def _feeds() -> list[str]:
    from ingest.feeds import names

    return list(names())


def _form(request: Request, lang: Lang, caller, city: City, store, *, message: str = "",
          status_code: int = 200) -> HTMLResponse:
    settings = _uploads(request).settings
    w = words(lang)
    return _page(request, lang, "upload.html", status_code=status_code, caller=caller,
                 city=city, cities=[(c.slug, c.name_in(lang)) for c in store.cities()],
                 feeds=_feeds(), message=message,
                 limits=w["upload_limits"].format(
                     mb=f"{settings.max_bytes / 1e6:.0f}",
                     types=", ".join(TYPE_NAMES[t] for t in settings.types)))


@router.get("/{lang}/cities/{city}/upload", response_class=HTMLResponse)
def upload_form(request: Request, lang: Lang, city: CityDep, store: StoreDep,
                caller: PageCallerDep) -> HTMLResponse:
    return _officer_or_sign_in(request, lang, caller, city) or _form(
        request, lang, caller, city, store)


@_receiving.post("/{lang}/uploads", response_class=HTMLResponse)
async def receive_upload(
    request: Request,
    lang: Lang,
    store: StoreDep,
    caller: PageCallerDep,
    city: Annotated[str, Form()],
    feed: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    spec: Annotated[str, Form()] = "",
) -> Response:
    found = store.city(city)
    if found is None:
        raise HTTPException(404, f"No city {city!r} in the store.")
    refused = _officer_or_sign_in(request, lang, caller, found)
    if refused is not None:
        return refused
    uploads = _uploads(request)
    try:
        if spec.strip():
            check_spec(spec)
        kept = await run_in_threadpool(uploads.receive, found.slug, feed,
                                       file.filename or "upload", file.file,
                                       caller.submitter)
        if spec.strip():
            await run_in_threadpool(_save_spec, kept, spec)
    except ServiceError as exc:
        return _form(request, lang, caller, found, store, message=str(exc), status_code=422)
    return RedirectResponse(_review_url(request, lang, kept), status_code=303)


def _review_url(request: Request, lang: Lang, upload: Upload) -> str:
    return f"{root_path(request)}/{lang}/cities/{upload.city}/uploads/{upload.id}"


def _save_spec(upload: Upload, spec: str) -> None:
    (upload.folder / "spec.yaml").write_text(spec, encoding="utf-8")


def _saved_spec(upload: Upload) -> str | None:
    path = upload.folder / "spec.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@router.get("/{lang}/cities/{city}/uploads/{upload_id}", response_class=HTMLResponse)
def review_page(request: Request, lang: Lang, city: CityDep, upload_id: str, store: StoreDep,
                caller: PageCallerDep) -> HTMLResponse:
    refused = _officer_or_sign_in(request, lang, caller, city)
    if refused is not None:
        return refused
    return _review(request, lang, caller, city, store, _uploads(request).get(city.slug,
                                                                             upload_id))


def _review(request: Request, lang: Lang, caller, city: City, store, upload: Upload, *,
            message: str = "", status_code: int = 200) -> HTMLResponse:
    uploads = _uploads(request)
    status = upload_status(upload, uploads.job(upload))
    spec = _saved_spec(upload)
    given = spec is not None  # the officer's own spec: nothing to infer
    proposal = dry = None
    if status["state"] == "uploaded":
        if spec is None:
            proposal = proposed_spec(store, city.slug, upload.path, upload.feed)
            spec = proposal.yaml
        else:
            dry = dry_run_view(store, city.slug, upload.feed, upload.folder / "spec.yaml",
                               upload.path)
    root = root_path(request)
    return _page(request, lang, "upload_review.html", status_code=status_code, caller=caller,
                 city=city, upload=upload, status=status, spec=spec or "", proposal=proposal,
                 spec_given=given,
                 dry_run=dry, message=message,
                 status_url=f"{root}/{lang}/cities/{city.slug}/uploads/{upload.id}/status.json",
                 run_url=(f"{root}/{lang}/cities/{city.slug}/runs/{status['run_id']}"
                          if status["run_id"] else None))


@router.post("/{lang}/cities/{city}/uploads/{upload_id}", response_class=HTMLResponse)
def review_action(
    request: Request,
    lang: Lang,
    city: CityDep,
    upload_id: str,
    store: StoreDep,
    caller: PageCallerDep,
    spec: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "dry_run",
) -> Response:
    """``action`` dry_run: keep the edited spec and show its dry run; ingest: ingest with it."""
    refused = _officer_or_sign_in(request, lang, caller, city)
    if refused is not None:
        return refused
    uploads = _uploads(request)
    upload = uploads.get(city.slug, upload_id)
    try:
        if spec.strip():
            check_spec(spec)
            _save_spec(upload, spec)
        if action == "ingest":
            uploads.ingest(upload, spec or _saved_spec(upload))
    except ServiceError as exc:
        return _review(request, lang, caller, city, store, upload, message=str(exc),
                       status_code=422)
    return RedirectResponse(_review_url(request, lang, upload), status_code=303)


@router.get("/{lang}/cities/{city}/uploads/{upload_id}/status.json")
def upload_status_json(request: Request, lang: Lang, city: CityDep, upload_id: str,
                       caller: PageCallerDep) -> Response:
    if _officer_or_sign_in(request, lang, caller, city) is not None:
        return JSONResponse({"detail": words(lang)["needs_role"].format(role="officer")}, 401)
    uploads = _uploads(request)
    upload = uploads.get(city.slug, upload_id)
    return JSONResponse(upload_status(upload, uploads.job(upload)))


@router.get("/{lang}/cities/{city}/runs/{run_id}/rejected.csv")
def rejected_rows_csv(request: Request, lang: Lang, city: CityDep, run_id: str,
                      store: StoreDep, caller: PageCallerDep) -> Response:
    refused = _officer_or_sign_in(request, lang, caller, city)
    if refused is not None:
        return refused
    run = store.run(run_id)
    if run is None or run.city != city.slug:
        raise HTTPException(404, f"No ingest run {run_id!r} in {city.slug}.")
    return Response(rejected_csv(store.rejected_rows(run_id)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="'
                             f'{rejected_filename(run.source_name, run_id)}"'})
