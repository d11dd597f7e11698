"""The layered city map, its heat overlay (PNG and Cloud-Optimised GeoTIFF) and hot-spot maps.

``GET /maps/{city}/layers``: choropleth, heat map, clustered events per layer, time filter.
``GET /maps/{city}/layers/heat.png`` and ``…/heat.tif``: the heat surface of one window.
``GET /maps/{city}/hotspots/{indicator}``: Gi* or LISA categories of an indicator.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from indicators.spatial import hotspots
from maps.city_map import FIELD_LAYER, SERVICE_LAYER, HeatLayer, city_map_html
from maps.classify import Classification
from maps.heat import write_cog
from maps.heat_overlay import HeatOverlay, heat_overlay
from maps.hotspot_map import hotspot_map_html
from maps.labels import labels, layer_label
from maps.simplify import simplify_districts
from observatory.api.deps import ApiSettingsDep, CityDep, StoreDep
from observatory.api.indicator_display import indicator_display
from observatory.models import City
from observatory.store import Store

router = APIRouter(tags=["maps"])

DEFAULT_INDICATOR = "foreign_citizens_share"
HOTSPOT_PERMUTATIONS = 999
# Layers that are not incidents: they are drawn, but never counted in the default heat map.
NOT_INCIDENTS = (SERVICE_LAYER, FIELD_LAYER)


@dataclass
class HeatParams:
    """Which events, which window and which kernel a heat surface is made of."""

    layer: Annotated[
        str | None, Query(description="Event layer, e.g. fire; default: every incident layer")
    ] = None
    start: Annotated[date | None, Query(description="First day (UTC), e.g. 2025-01-01")] = None
    end: Annotated[date | None, Query(description="Last day (UTC), included")] = None
    bandwidth: Annotated[
        str, Query(description="Kernel bandwidth: metres (e.g. 400) or a rule: scott, silverman")
    ] = "silverman"
    cell_size: Annotated[
        float | None, Query(gt=0, description="Grid cell in metres; default: bandwidth / 4")
    ] = None

    def kernel(self) -> float | str:
        try:
            return float(self.bandwidth)
        except ValueError:
            if self.bandwidth in ("scott", "silverman"):
                return self.bandwidth
        raise HTTPException(
            status_code=422,
            detail=f"bandwidth={self.bandwidth!r}: give metres (e.g. 400) or scott or silverman",
        )

    def query(self, *, window: bool) -> str:
        """These parameters as a query string, with or without the window."""
        params = {"layer": self.layer, "bandwidth": self.bandwidth, "cell_size": self.cell_size}
        if window:
            params |= {"start": self.start, "end": self.end}
        return urlencode({k: v for k, v in params.items() if v is not None})


HeatParamsDep = Annotated[HeatParams, Depends()]


@router.get("/maps/{city}/layers", response_class=HTMLResponse)
def layered_map(
    request: Request,
    city: CityDep,
    store: StoreDep,
    api_settings: ApiSettingsDep,
    heat_params: HeatParamsDep,
    indicator: str = Query(DEFAULT_INDICATOR, description="Indicator of the choropleth"),
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = _indicator_values(store, city, indicator, period)
    districts = _districts(store, city)
    words = labels(lang)
    heat, no_heat_reason = None, ""
    try:
        overlay = _heat(store, city, districts, heat_params)
    except ValueError as exc:
        no_heat_reason = str(exc)
    else:
        base = f"{request.scope.get('root_path', '')}/maps/{city.slug}/layers"
        heat = HeatLayer(
            overlay,
            label=f"{words['heat']}: "
            f"{layer_label(heat_params.layer, lang) if heat_params.layer else words['heat_all']}",
            start=heat_params.start,
            end=heat_params.end,
            url=f"{base}/heat.png?{heat_params.query(window=False)}",
            download_url=f"{base}/heat.tif?{heat_params.query(window=True)}",
        )
    display = indicator_display(indicator, lang)
    city_name = (city.name_ar if lang == "ar" else "") or city.name_en
    html = city_map_html(
        simplify_districts(districts, _local_crs(city, districts)),
        values,
        store.events(city.slug),
        title=f"{city_name} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        heat=heat,
        no_heat_reason=no_heat_reason,
        start=heat_params.start,
        end=heat_params.end,
        classification=classification,
        basemap_url=api_settings.basemap_url,
        basemap_attribution=api_settings.basemap_attribution,
        asset_base=f"{request.scope.get('root_path', '')}/static",
        lang=lang,
    )
    return HTMLResponse(html)


@router.get("/maps/{city}/layers/heat.png", response_class=Response)
def heat_png(city: CityDep, store: StoreDep, heat_params: HeatParamsDep) -> Response:
    """The heat overlay as a PNG in Web Mercator; its place and scale in the headers."""
    overlay = _heat_or_422(store, city, heat_params)
    (south, west), (north, east) = overlay.bounds_4326
    return Response(
        overlay.png,
        media_type="image/png",
        headers={
            "X-Heat-Bounds": json.dumps([[south, west], [north, east]]),
            "X-Heat-Peak": repr(overlay.peak),
            "X-Heat-Unit": overlay.unit,
            "X-Heat-Events": str(overlay.events),
        },
    )


@router.get("/maps/{city}/layers/heat.tif", response_class=Response)
def heat_geotiff(city: CityDep, store: StoreDep, heat_params: HeatParamsDep) -> Response:
    """The heat surface in the city's local CRS as a Cloud-Optimised GeoTIFF (events per km²)."""
    overlay = _heat_or_422(store, city, heat_params)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "heat.tif"
        write_cog(overlay.grid, overlay.transform, overlay.crs, path)
        content = path.read_bytes()
    parts = [city.slug, "heat", heat_params.layer or "incidents"]
    parts += [str(d) for d in (heat_params.start, heat_params.end) if d]
    return Response(
        content,
        media_type="image/tiff; application=geotiff; profile=cloud-optimized",
        headers={"Content-Disposition": f'attachment; filename="{"-".join(parts)}.tif"'},
    )


@router.get("/maps/{city}/hotspots/{indicator}", response_class=HTMLResponse)
def hotspot_map(
    request: Request,
    city: CityDep,
    indicator: str,
    store: StoreDep,
    api_settings: ApiSettingsDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    method: Literal["gi", "lisa"] = Query("gi", description="gi: Getis-Ord Gi*; lisa: local Moran"),
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = _indicator_values(store, city, indicator, period)
    districts = _districts(store, city)
    # Suppressed values are not published, so they take no part in the statistics either.
    published = values.assign(value=values["value"].where(~values["suppressed"].astype(bool)))
    table, summary = hotspots(
        districts, published[["district_code", "value"]], permutations=HOTSPOT_PERMUTATIONS
    )
    display = indicator_display(indicator, lang)
    city_name = (city.name_ar if lang == "ar" else "") or city.name_en
    html = hotspot_map_html(
        simplify_districts(districts, _local_crs(city, districts)),
        table,
        method=method,
        title=f"{city_name} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        permutations=summary.get("permutations"),
        basemap_url=api_settings.basemap_url,
        basemap_attribution=api_settings.basemap_attribution,
        asset_base=f"{request.scope.get('root_path', '')}/static",
        lang=lang,
    )
    return HTMLResponse(html)


def _indicator_values(store: Store, city: City, indicator: str, period: str | None):
    """The district values of one indicator and period (default: the latest), or a 404."""
    values = store.indicator_values(city.slug, indicator)
    if values.empty:
        raise HTTPException(
            status_code=404,
            detail=f"No values of indicator {indicator!r} for {city.slug}. Compute them with: "
            f"observatory compute --city {city.slug} (after ingesting its census).",
        )
    periods = sorted(values["period"].astype(str).unique())
    period = period or periods[-1]
    if period not in periods:
        raise HTTPException(
            status_code=404,
            detail=f"No values of {indicator!r} for {city.slug} in period {period!r}; "
            f"computed periods: {', '.join(periods)}.",
        )
    chosen = values[values["period"].astype(str) == period]
    return chosen[chosen["district_code"].notna()].reset_index(drop=True)


def _districts(store: Store, city: City) -> gpd.GeoDataFrame:
    districts = store.districts(city.slug)
    if districts.empty:
        raise HTTPException(
            status_code=404,
            detail=f"{city.slug} has no current districts. Load them with: "
            f"observatory ingest boundaries FILE --city {city.slug}",
        )
    return districts


def _local_crs(city: City, districts: gpd.GeoDataFrame) -> str:
    """The city's projected CRS; a UTM zone when the city was loaded without one."""
    return city.local_crs or districts.estimate_utm_crs().to_string()


def _heat(store: Store, city: City, districts: gpd.GeoDataFrame, params: HeatParams) -> HeatOverlay:
    """The heat overlay over the city's districts (so every window shares one extent)."""
    events = store.events(city.slug, layer=params.layer)
    if params.layer is None:
        events = events[~events["layer"].isin(NOT_INCIDENTS)]
    local_crs = _local_crs(city, districts)
    return heat_overlay(
        events,
        local_crs,
        start=_day_start(params.start),
        end=_day_start(params.end + timedelta(days=1)) if params.end else None,
        bandwidth=params.kernel(),
        cell_size=params.cell_size,
        bounds=tuple(np.asarray(districts.to_crs(local_crs).total_bounds, dtype=float)),
    )


def _heat_or_422(store: Store, city: City, params: HeatParams) -> HeatOverlay:
    try:
        return _heat(store, city, _districts(store, city), params)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=f"No heat map for {city.slug}: {exc}") from exc


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None
