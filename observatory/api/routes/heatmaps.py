"""``GET /cities/{city}/heatmaps/{layer}.tif|.png|.json``: kernel-density heat maps of a
layer's published events: a Cloud-Optimised GeoTIFF in the city's local CRS, a PNG overlay
(its lon/lat bounds in the ``X-Bounds`` header) and the same facts as JSON."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from maps.heat import COLOUR_BLIND_SAFE_RAMPS, render_png, write_cog
from observatory.api.deps import CityDep, StoreDep
from observatory.api.heat_surface import (
    HeatRequestError,
    HeatSurface,
    heat_surface,
    parse_bandwidth,
)

router = APIRouter(tags=["heat maps"])


class HeatParams:
    """The query parameters every heat-map format shares."""

    def __init__(
        self,
        start: Annotated[
            datetime | None, Query(description="events from (inclusive), ISO 8601")
        ] = None,
        end: Annotated[
            datetime | None, Query(description="events before (exclusive), ISO 8601")
        ] = None,
        bandwidth: Annotated[str, Query(description="'scott', 'silverman' or metres")] = "scott",
        cell: Annotated[float, Query(gt=0, description="cell size in metres")] = 100.0,
        per_capita: Annotated[
            bool, Query(description="events per 1,000 residents (needs population observations)")
        ] = False,
    ):
        self.start, self.end, self.bandwidth = start, end, bandwidth
        self.cell, self.per_capita = cell, per_capita


def _surface(
    city: CityDep, layer: str, store: StoreDep, params: Annotated[HeatParams, Depends()]
) -> HeatSurface:
    try:
        return heat_surface(
            store,
            city,
            layer,
            start=params.start,
            end=params.end,
            bandwidth=parse_bandwidth(params.bandwidth),
            cell=params.cell,
            per_capita=params.per_capita,
        )
    except HeatRequestError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


SurfaceDep = Annotated[HeatSurface, Depends(_surface)]
RampParam = Annotated[str, Query(description=f"one of {', '.join(COLOUR_BLIND_SAFE_RAMPS)}")]


def _bounds_header(surface: HeatSurface) -> str:
    return ",".join(f"{b:.7f}" for b in surface.bounds_lonlat)


@router.get(
    "/cities/{city}/heatmaps/{layer}.tif",
    response_class=Response,
    responses={
        200: {"content": {"image/tiff": {}}, "description": "Cloud-Optimised GeoTIFF, float32"}
    },
)
def heatmap_geotiff(city: CityDep, layer: str, surface: SurfaceDep) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "heat.tif"
        write_cog(surface.grid, surface.transform, surface.crs, path)
        data = path.read_bytes()
    return Response(
        data,
        media_type="image/tiff; application=geotiff; profile=cloud-optimized",
        headers={"Content-Disposition": f'attachment; filename="{city.slug}-{layer}-heat.tif"'},
    )


@router.get(
    "/cities/{city}/heatmaps/{layer}.png",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {}},
            "description": "RGBA overlay; X-Bounds: minlon,minlat,maxlon,maxlat (EPSG:4326)",
        }
    },
)
def heatmap_png(surface: SurfaceDep, ramp: RampParam = "viridis") -> Response:
    if ramp not in COLOUR_BLIND_SAFE_RAMPS:
        raise HTTPException(422, f"ramp={ramp!r}: use one of {', '.join(COLOUR_BLIND_SAFE_RAMPS)}")
    return Response(
        render_png(surface.grid, ramp),
        media_type="image/png",
        headers={"X-Bounds": _bounds_header(surface), "Access-Control-Expose-Headers": "X-Bounds"},
    )


@router.get("/cities/{city}/heatmaps/{layer}.json")
def heatmap_facts(surface: SurfaceDep) -> dict:
    """Where the PNG goes on a map (``bounds``, lon/lat), and how the surface was made."""
    return surface.describe()
