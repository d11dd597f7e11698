"""The demo's two map files: the foreign-citizens choropleth and the layered city map, each
one HTML file with its scripts inlined, so it opens from disk with no network."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from observatory.cli.context import CliContext, fail
from observatory.store.base import Store

INDICATOR = "foreign_citizens_share"
# Drawn on the layered map, but not incidents: never part of its heat map.
NOT_INCIDENTS = ("service", "field")


def latest_district_values(store: Store, city: str, indicator: str) -> pd.DataFrame:
    """The district values of the indicator's latest period (the map's default, as served)."""
    values = store.indicator_values(city, indicator)
    if values.empty:
        raise fail(f"No {indicator} values were computed for {city}: no map.", 1)
    latest = values[values["period"] == values["period"].max()]
    return latest[latest["district_code"].notna()].reset_index(drop=True)


def write_choropleth(cli: CliContext, store: Store, city: str, path: Path) -> Path:
    from maps.choropleth import choropleth_html
    from observatory.api.indicator_display import indicator_display

    display = indicator_display(INDICATOR, "en")  # the same label and format as served
    values = latest_district_values(store, city, INDICATOR)
    html = choropleth_html(
        store.districts(city),
        values,
        title=f"{display.label}, {values['period'].iloc[0]}",
        indicator_label=display.label,
        value_format=display.value_format,
        basemap_url=cli.api_settings.basemap_url,
        basemap_attribution=cli.api_settings.basemap_attribution,
        inline=True,
    )
    return _write(path, html)


def write_city_map(cli: CliContext, store: Store, city: str, path: Path) -> Path:
    """Choropleth, incident heat map, clustered incidents per layer and service points, built
    as ``GET /maps/{city}/layers`` builds it, with the heat map fixed to the whole period."""
    from maps.city_map import HeatLayer, city_map_html
    from maps.heat_overlay import heat_overlay
    from maps.labels import labels
    from maps.simplify import simplify_districts
    from observatory.api.indicator_display import indicator_display

    record = store.city(city)
    districts = store.districts(city)
    local_crs = record.local_crs or districts.estimate_utm_crs().to_string()
    events = store.events(city)
    incidents = events[~events["layer"].isin(NOT_INCIDENTS)]
    words = labels("en")
    days = pd.to_datetime(incidents["occurred_at"], utc=True).dt.date
    overlay = heat_overlay(incidents, local_crs,
                           bounds=tuple(districts.to_crs(local_crs).total_bounds.astype(float)))
    display = indicator_display(INDICATOR, "en")
    values = latest_district_values(store, city, INDICATOR)
    html = city_map_html(
        simplify_districts(districts, local_crs),
        values,
        events,
        title=f"{record.name_en} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        heat=HeatLayer(overlay, label=f"{words['heat']}: {words['heat_all']}",
                       start=days.min(), end=days.max()),
        basemap_url=cli.api_settings.basemap_url,
        basemap_attribution=cli.api_settings.basemap_attribution,
        inline=True,
    )
    return _write(path, html)


def _write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
