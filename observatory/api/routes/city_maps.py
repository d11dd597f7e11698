"""The layered city map, its heat overlay (PNG and Cloud-Optimised GeoTIFF) and hot-spot maps.

``GET /maps/{city}/layers``: choropleth, heat map, clustered events per layer, time filter.
``GET /maps/{city}/layers/heat.png`` and ``…/heat.tif``: the heat surface of one window, the
same responses as ``/cities/{city}/heatmaps/{layer}.png|.tif`` (:mod:`.heatmaps`).
``GET /maps/{city}/hotspots/{indicator}``: Gi* or LISA categories of an indicator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from indicators.spatial import hotspots
from maps.city_map import HeatLayer, city_map_html
from maps.classify import Classification
from maps.hotspot_map import hotspot_map_html
from maps.labels import labels, layer_label
from maps.simplify import DEFAULT_TOLERANCE_M, simplify_districts
from observatory.api.city_crs import local_crs
from observatory.api.deps import ApiSettingsDep, CityDep, StoreDep
from observatory.api.heat_surface import HeatRequestError, city_heat
from observatory.api.indicator_display import indicator_display
from observatory.api.map_inputs import (
    ToleranceParam,
    current_districts,
    page_assets,
    period_values,
)
from observatory.api.routes.heatmaps import (
    HeatParamsDep,
    geotiff_response,
    heat_filename,
    heat_or_http_error,
    png_response,
)

router = APIRouter(tags=["maps"])

DEFAULT_INDICATOR = "foreign_citizens_share"
HOTSPOT_PERMUTATIONS = 999
LayerParam = Annotated[
    str | None, Query(description="Event layer, e.g. fire; default: every incident layer")
]


@router.get("/maps/{city}/layers", response_class=HTMLResponse)
def layered_map(
    request: Request,
    city: CityDep,
    store: StoreDep,
    api_settings: ApiSettingsDep,
    heat_params: HeatParamsDep,
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    layer: LayerParam = None,
    indicator: str = Query(DEFAULT_INDICATOR, description="Indicator of the choropleth"),
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = period_values(store, city, indicator, period)
    districts = current_districts(store, city)
    words = labels(lang)
    first_day, last_day = heat_params.days()
    heat, no_heat_reason = None, ""
    try:
        overlay = city_heat(store, city, layer, heat_params, districts=districts)
    except HeatRequestError as exc:
        no_heat_reason = str(exc)
    else:
        base = f"{request.scope.get('root_path', '')}/maps/{city.slug}/layers"
        heat = HeatLayer(
            overlay,
            label=f"{words['heat']}: {layer_label(layer, lang) if layer else words['heat_all']}",
            start=first_day,
            end=last_day,
            url=f"{base}/heat.png?{heat_params.query(window=False, layer=layer)}",
            download_url=f"{base}/heat.tif?{heat_params.query(window=True, layer=layer)}",
        )
    display = indicator_display(indicator, lang)
    html = city_map_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        values,
        store.events(city.slug),
        title=f"{city.name_in(lang)} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        heat=heat,
        no_heat_reason=no_heat_reason,
        start=first_day,
        end=last_day,
        classification=classification,
        **page_assets(request, api_settings),
        lang=lang,
    )
    return HTMLResponse(html)


@router.get("/maps/{city}/layers/heat.png", response_class=Response)
def heat_png(
    city: CityDep, store: StoreDep, heat_params: HeatParamsDep, layer: LayerParam = None
) -> Response:
    """The layered map's heat overlay: the PNG of ``/cities/{city}/heatmaps/{layer}.png``,
    of every incident layer when no layer is given."""
    return png_response(heat_or_http_error(store, city, layer, heat_params))


@router.get("/maps/{city}/layers/heat.tif", response_class=Response)
def heat_geotiff(
    city: CityDep, store: StoreDep, heat_params: HeatParamsDep, layer: LayerParam = None
) -> Response:
    """The heat surface in the city's local CRS as a Cloud-Optimised GeoTIFF."""
    overlay = heat_or_http_error(store, city, layer, heat_params)
    return geotiff_response(overlay, heat_filename(city.slug, layer or "incidents", heat_params))


@router.get("/maps/{city}/hotspots/{indicator}", response_class=HTMLResponse)
def hotspot_map(
    request: Request,
    city: CityDep,
    indicator: str,
    store: StoreDep,
    api_settings: ApiSettingsDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    method: Literal["gi", "lisa"] = Query("gi", description="gi: Getis-Ord Gi*; lisa: local Moran"),
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = period_values(store, city, indicator, period)
    districts = current_districts(store, city)
    # Suppressed values are not published, so they take no part in the statistics either.
    published = values.assign(value=values["value"].where(~values["suppressed"].astype(bool)))
    table, summary = hotspots(
        districts, published[["district_code", "value"]], permutations=HOTSPOT_PERMUTATIONS
    )
    display = indicator_display(indicator, lang)
    html = hotspot_map_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        table,
        method=method,
        title=f"{city.name_in(lang)} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        permutations=summary.get("permutations"),
        **page_assets(request, api_settings),
        lang=lang,
    )
    return HTMLResponse(html)
