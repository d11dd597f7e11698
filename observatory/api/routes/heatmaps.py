"""``GET /cities/{city}/heatmaps/{layer}.tif|.png|.json``: kernel-density heat maps of a
layer's published events: a Cloud-Optimised GeoTIFF in the city's local CRS, a PNG overlay
warped to Web Mercator (its lon/lat bounds in the ``X-Bounds`` header) and the same facts as
JSON. The layered city map's ``/maps/{city}/layers/heat.png|.tif`` answer with the same
responses (see :mod:`observatory.api.routes.city_maps`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from maps.heat import COLOUR_BLIND_SAFE_RAMPS, write_cog
from maps.heat_overlay import DEFAULT_RAMP, HeatOverlay
from observatory.api.heat_params import HeatParamsDep
from observatory.http.deps import CityDep, StoreDep
from observatory.http.openapi import refusals
from observatory.models import City
from observatory.services.errors import ServiceError
from observatory.services.heat_surface import HeatRequest, city_heat
from observatory.store import Store

router = APIRouter(tags=["heat maps"], responses=refusals(404, 422, 503))

PNG_HEADERS = ("X-Bounds", "X-Heat-Peak", "X-Heat-Unit", "X-Heat-Events")


def checked_ramp(
    ramp: Annotated[str, Query(description=f"one of {', '.join(COLOUR_BLIND_SAFE_RAMPS)}")] = (
        DEFAULT_RAMP
    ),
) -> str:
    if ramp not in COLOUR_BLIND_SAFE_RAMPS:
        raise HTTPException(422, f"ramp={ramp!r}: use one of {', '.join(COLOUR_BLIND_SAFE_RAMPS)}")
    return ramp


RampDep = Annotated[str, Depends(checked_ramp)]


def city_heat_named(
    store: Store, city: City, layer: str | None, params: HeatRequest, ramp: str = DEFAULT_RAMP
) -> HeatOverlay:
    """:func:`city_heat`, its errors saying which city had no heat map."""
    try:
        return city_heat(store, city, layer, params, ramp=ramp)
    except ServiceError as exc:
        raise type(exc)(f"No heat map for {city.slug}: {exc}") from exc


def png_response(overlay: HeatOverlay) -> Response:
    """The Web Mercator PNG; where it goes (west,south,east,north in EPSG:4326) and what its
    top colour stands for in the headers."""
    return Response(
        overlay.png,
        media_type="image/png",
        headers={
            "X-Bounds": ",".join(f"{b:.7f}" for b in overlay.bounds_lonlat),
            "X-Heat-Peak": repr(overlay.peak),
            "X-Heat-Unit": overlay.unit,
            "X-Heat-Events": str(overlay.events),
            "Access-Control-Expose-Headers": ", ".join(PNG_HEADERS),
        },
    )


def geotiff_response(overlay: HeatOverlay, filename: str) -> Response:
    """The surface in the city's local CRS as a float32 Cloud-Optimised GeoTIFF."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "heat.tif"
        write_cog(overlay.grid, overlay.transform, overlay.crs, path)
        data = path.read_bytes()
    return Response(
        data,
        media_type="image/tiff; application=geotiff; profile=cloud-optimized",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def heat_filename(city: str, layer: str, params: HeatRequest) -> str:
    parts = [city, "heat", layer, *(str(d) for d in params.days() if d)]
    return "-".join(parts) + ".tif"


@router.get(
    "/cities/{city}/heatmaps/{layer}.tif",
    response_class=Response,
    responses={
        200: {"content": {"image/tiff": {}}, "description": "Cloud-Optimised GeoTIFF, float32"}
    },
)
def heatmap_geotiff(city: CityDep, layer: str, store: StoreDep, params: HeatParamsDep) -> Response:
    overlay = city_heat_named(store, city, layer, params)
    return geotiff_response(overlay, heat_filename(city.slug, layer, params))


@router.get(
    "/cities/{city}/heatmaps/{layer}.png",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {}},
            "description": "RGBA overlay in Web Mercator; "
            "X-Bounds: west,south,east,north (EPSG:4326)",
        }
    },
)
def heatmap_png(
    city: CityDep, layer: str, store: StoreDep, params: HeatParamsDep, ramp: RampDep
) -> Response:
    return png_response(city_heat_named(store, city, layer, params, ramp))


@router.get("/cities/{city}/heatmaps/{layer}.json")
def heatmap_facts(city: CityDep, layer: str, store: StoreDep, params: HeatParamsDep) -> dict:
    """Where the PNG goes on a map (``bounds``, lon/lat), and how the surface was made."""
    return city_heat_named(store, city, layer, params).describe()
