"""Field reports: a geolocated note with a category and a photo, submitted by a field worker
(a planner key), reviewed by an officer, shown on the ``{city}.events.field`` layer once
published. Photos are served by their SHA-256."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal

import geopandas as gpd
import shapely
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from maps.page import HtmlPage, script_source
from observatory.api.photos import (
    SHA256,
    PhotoLimitedRoute,
    clean_photo,
    read_photo,
    save_photo,
    stored_photo_file,
)
from observatory.api.security import CallerDep, require_role
from observatory.http.deps import CityDep, FieldSettingsDep, PhotoDirDep, StoreDep
from observatory.http.openapi import HTML_PAGE, refusals
from observatory.http.security_headers import page_response
from observatory.http.text_params import refuse_nul_in
from observatory.models import Attachment, City, utcnow
from observatory.services.callers import Caller
from observatory.services.heat_surface import EARLIEST_DAY
from observatory.services.jsonable import plain
from observatory.services.visibility import EVENT_STATUSES, REVIEWER, event_statuses
from observatory.store import Store

router = APIRouter(tags=["field reports"], responses=refusals(401, 403, 404, 422, 503))

LAYER = "field"
SUBMITTER = "planner"  # field workers hold planner keys
GEOJSON = "application/geo+json"
# Half a kilometre of slack (in degrees) around the districts' boxes for reports at the edge.
EDGE_DEGREES = 0.005

_pages = Environment(
    loader=PackageLoader("observatory.api", "templates"), autoescape=select_autoescape(["html"])
)


@router.get("/cities/{city}/field-reports/form", response_class=Response, responses=HTML_PAGE)
def field_form(city: CityDep, request: Request) -> HTMLResponse:
    """A phone-friendly form: location from the device, category, note, photo, API key."""
    page = _pages.get_template("field_form.html")
    action = str(request.url_for("submit_field_report", city=city.slug))
    # The script and the style are files of code, no data: the page's policy allows them by
    # their hashes.
    script = _pages.get_template("field_form.js").render()
    style = _pages.get_template("field_form.css").render()
    html = page.render(city=city, action=action, script=script, style=style)
    return page_response(HtmlPage(html, (script_source(script),), (script_source(style),)))


def _check_location(store: Store, city: City, lon: float, lat: float) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise HTTPException(
            422,
            f"lon={lon}, lat={lat} is not a place on Earth; send decimal "
            "degrees (lon -180…180, lat -90…90).",
        )
    box = (lon - EDGE_DEGREES, lat - EDGE_DEGREES, lon + EDGE_DEGREES, lat + EDGE_DEGREES)
    _, near = store.district_page(city.slug, bbox=box, limit=0)
    _, districts = store.district_page(city.slug, limit=0)
    if districts and not near:
        raise HTTPException(
            422,
            f"lon={lon}, lat={lat} lies outside {city.name_en}; check "
            "that longitude and latitude are not swapped.",
        )


def _check_observed_at(observed_at: datetime | None) -> None:
    """A report is of a time the city's events can be of: not before 1900, not in the future
    (a day of slack for a device's clock)."""
    if observed_at is None:
        return
    moment = observed_at if observed_at.tzinfo else observed_at.replace(tzinfo=UTC)
    if not datetime.combine(EARLIEST_DAY, time(0), UTC) <= moment <= utcnow() + timedelta(1):
        raise HTTPException(
            422,
            f"observed_at={observed_at.isoformat()} is out of range: give a time from "
            f"{EARLIEST_DAY} to now (UTC), or leave it out for now.",
        )


# The body limit is on its own router: only the report with its photo needs it.
_submitting = APIRouter(tags=["field reports"], route_class=PhotoLimitedRoute)


@_submitting.post(
    "/cities/{city}/field-reports",
    status_code=201,
    name="submit_field_report",
    responses=refusals(400, 409, 413, 415),
)
async def submit_field_report(
    city: CityDep,
    store: StoreDep,
    settings: FieldSettingsDep,
    photo_dir: PhotoDirDep,
    caller: Annotated[Caller, Depends(require_role(SUBMITTER))],
    lon: Annotated[float, Form(description="longitude, decimal degrees (WGS 84)")],
    lat: Annotated[float, Form(description="latitude, decimal degrees (WGS 84)")],
    category: Annotated[str, Form(min_length=1, max_length=64)],
    note: Annotated[str, Form(max_length=4000)] = "",
    observed_at: Annotated[datetime | None, Form(description="default: now")] = None,
    photo: Annotated[UploadFile | None, File(description="JPEG, PNG or WebP")] = None,
) -> dict:
    """Record a report with status ``submitted``; an officer publishes or rejects it."""
    refuse_nul_in({"category": category, "note": note})
    _check_location(store, city, lon, lat)
    _check_observed_at(observed_at)
    stored = None
    if photo is not None and photo.filename:
        data, media_type = await read_photo(
            photo, max_bytes=settings.max_photo_bytes, allowed=settings.photo_types
        )
        # Decoding is CPU work: off the event loop, so other requests keep being answered.
        cleaned = await run_in_threadpool(clean_photo, data, media_type,
                                          max_pixels=settings.max_photo_pixels,
                                          filename=photo.filename)
        stored = save_photo(cleaned, media_type, photo_dir)
    report_id = uuid.uuid4().hex
    attributes = {
        "category": category.strip(),
        "note": note.strip(),
        "photo": stored.sha256 if stored else None,
    }
    store.add_event(
        city.slug,
        gpd.GeoDataFrame(
            {
                "id": [report_id],
                "layer": [LAYER],
                "occurred_at": [observed_at or utcnow()],
                "attributes": [json.dumps(attributes, ensure_ascii=False)],
                "status": ["submitted"],
            },
            geometry=[shapely.Point(lon, lat)],
            crs="EPSG:4326",
        ),
        submitter=caller.submitter,
    )
    if stored:
        store.add_attachment(
            Attachment(
                uuid.uuid4().hex,
                report_id,
                stored.sha256,
                stored.media_type,
                stored.size_bytes,
                str(stored.path),
            )
        )
    return {"id": report_id, "status": "submitted", "photo": attributes["photo"]}


def _review(store: Store, city: City, report_id: str, status: str) -> dict:
    found, _ = store.event_page(city.slug, LAYER, statuses=EVENT_STATUSES, event_id=report_id)
    if found.empty:
        raise HTTPException(404, f"No field report {report_id!r} in {city.slug}.")
    store.set_event_status(report_id, status)
    return {"id": report_id, "status": status}


@router.post(
    "/cities/{city}/field-reports/{report_id}/publish",
    dependencies=[Depends(require_role(REVIEWER))],
)
def publish_field_report(city: CityDep, report_id: str, store: StoreDep) -> dict:
    return _review(store, city, report_id, "published")


@router.post(
    "/cities/{city}/field-reports/{report_id}/reject",
    dependencies=[Depends(require_role(REVIEWER))],
)
def reject_field_report(city: CityDep, report_id: str, store: StoreDep) -> dict:
    return _review(store, city, report_id, "rejected")


@router.get(
    "/cities/{city}/field-reports",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "FeatureCollection"}},
)
def list_field_reports(
    city: CityDep,
    store: StoreDep,
    caller: CallerDep,
    request: Request,
    status: Literal["submitted", "published", "rejected"] | None = Query(
        None, description="officers: any (default all); everyone else: published only"
    ),
) -> Response:
    visible = event_statuses(caller)
    if status is not None and status not in visible:
        raise HTTPException(403, f"Only officers see {status} reports; send an officer key.")
    reports = store.events(city.slug, LAYER, statuses=(status,) if status else visible)
    features = []
    for _, row in reports.iterrows():
        attributes = json.loads(row["attributes"] or "{}")
        photo = attributes.get("photo")
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": shapely.geometry.mapping(row["geometry"]),
                "properties": {
                    "status": row["status"],
                    "occurred_at": row["occurred_at"].isoformat(),
                    "category": attributes.get("category"),
                    "note": attributes.get("note"),
                    "photo_url": str(request.url_for("photo", sha256=photo)) if photo else None,
                },
            }
        )
    document = {"type": "FeatureCollection", "features": features}
    return Response(
        json.dumps(plain(document), ensure_ascii=False).encode("utf-8"), media_type=GEOJSON
    )


@router.get("/photos/{sha256}", name="photo", response_class=FileResponse)
def photo(sha256: str, store: StoreDep, caller: CallerDep, photo_dir: PhotoDirDep):
    """A published report's photo; officers may see any stored photo (to review it)."""
    missing = HTTPException(404, f"No published photo {sha256!r}.")
    if not SHA256.match(sha256):
        raise missing
    if not caller.at_least(REVIEWER) and store.published_attachment(sha256) is None:
        raise missing
    found = stored_photo_file(photo_dir, sha256)
    if found is None:
        raise missing
    path, media_type = found
    return FileResponse(path, media_type=media_type)


router.include_router(_submitting)
