"""The layered city map, its heat overlay (PNG and Cloud-Optimised GeoTIFF) and hot-spot maps.

``GET /maps/{city}/layers``: choropleth, heat map, clustered events per layer, time filter.
``GET /maps/{city}/layers/heat.png`` and ``…/heat.tif``: the heat surface of one window, the
same responses as ``/cities/{city}/heatmaps/{layer}.png|.tif`` (:mod:`.heatmaps`).
``GET /maps/{city}/hotspots/{indicator}``: Gi* or LISA categories of an indicator.
``GET /maps/{city}/boundaries/{level}/{valid_from}``: an ended boundary version's outlines and
those of the version that replaced it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from maps.classify import Classification
from maps.simplify import DEFAULT_TOLERANCE_M
from observatory.api.heat_params import HeatParamsDep
from observatory.api.map_params import ToleranceParam
from observatory.api.routes.heatmaps import (
    city_heat_named,
    geotiff_response,
    heat_filename,
    png_response,
)
from observatory.http.deps import CityDep, LevelDep, MapAssetsDep, StoreDep, root_path
from observatory.http.openapi import HTML_PAGE, refusals
from observatory.http.response_cache import ResponseCacheDep, cached
from observatory.http.security_headers import page_response
from observatory.services import map_pages
from observatory.services.callers import PUBLIC
from observatory.services.map_pages import DEFAULT_INDICATOR

router = APIRouter(tags=["maps"], responses=refusals(404, 422, 503))

LayerParam = Annotated[
    str | None, Query(description="Event layer, e.g. fire; default: every incident layer")
]


@router.get("/maps/{city}/layers", response_class=Response, responses=HTML_PAGE)
def layered_map(
    request: Request,
    city: CityDep,
    store: StoreDep,
    cache: ResponseCacheDep,
    assets: MapAssetsDep,
    level: LevelDep,
    heat_params: HeatParamsDep,
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    layer: LayerParam = None,
    indicator: str = Query(DEFAULT_INDICATOR, description="Indicator of the choropleth"),
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    lang: Literal["en", "ar"] = "en",
) -> Response:
    # A public page (no key is asked for): kept once for everyone until the data change.
    return cached(request, store, cache, PUBLIC, lambda: page_response(map_pages.layered_map(
        store, city, assets, heat=heat_params,
        heat_base=f"{root_path(request)}/maps/{city.slug}/layers",
        layer=layer, indicator=indicator, period=period, classification=classification,
        tolerance=tolerance, lang=lang, level=level.name,
    )))


@router.get("/maps/{city}/layers/heat.png", response_class=Response)
def heat_png(
    city: CityDep, store: StoreDep, heat_params: HeatParamsDep, layer: LayerParam = None
) -> Response:
    """The layered map's heat overlay: the PNG of ``/cities/{city}/heatmaps/{layer}.png``,
    of every incident layer when no layer is given."""
    return png_response(city_heat_named(store, city, layer, heat_params))


@router.get("/maps/{city}/layers/heat.tif", response_class=Response)
def heat_geotiff(
    city: CityDep, store: StoreDep, heat_params: HeatParamsDep, layer: LayerParam = None
) -> Response:
    """The heat surface in the city's local CRS as a Cloud-Optimised GeoTIFF."""
    overlay = city_heat_named(store, city, layer, heat_params)
    return geotiff_response(overlay, heat_filename(city.slug, layer or "incidents", heat_params))


@router.get("/maps/{city}/hotspots/{indicator}", response_class=Response, responses=HTML_PAGE)
def hotspot_map(
    city: CityDep,
    indicator: str,
    store: StoreDep,
    assets: MapAssetsDep,
    level: LevelDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    method: Literal["gi", "lisa"] = Query("gi", description="gi: Getis-Ord Gi*; lisa: local Moran"),
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    return page_response(map_pages.hotspot_map(
        store, city, indicator, assets, period=period, method=method, tolerance=tolerance,
        lang=lang, level=level.name,
    ))


@router.get("/maps/{city}/boundaries/{level}/{valid_from}", response_class=Response,
            responses=HTML_PAGE)
def boundary_map(
    city: CityDep,
    level: str,
    valid_from: date,
    store: StoreDep,
    assets: MapAssetsDep,
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    """Old (dashed) and new outlines of a redrawn level; the ended versions are listed at
    /cities/{city}/boundary-changes."""
    return page_response(map_pages.boundary_map(store, city, level, valid_from, assets,
                                                lang=lang))
