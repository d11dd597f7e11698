"""The HTML map pages: an indicator's choropleth, the layered city map, hot spots and redrawn
boundaries. The API
serves them and the demo writes them to files (inlined, to open offline) with the same code."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal
from urllib.parse import urlencode

import pandas as pd

from indicators.spatial import hotspots
from maps.boundary_map import boundary_map_html
from maps.choropleth import choropleth_html
from maps.city_map import HeatLayer, LevelChoice, city_map_html
from maps.classify import Classification
from maps.hotspot_map import hotspot_map_html
from maps.labels import labels, layer_label
from maps.page import HtmlPage
from maps.simplify import DEFAULT_TOLERANCE_M, simplify_districts
from observatory.city_crs import local_crs
from observatory.models import City
from observatory.services.boundary_changes import change_outlines, version_change
from observatory.services.errors import ServiceError
from observatory.services.event_points import page_events
from observatory.services.heat_surface import HeatRequest, city_heat, incidents_of
from observatory.services.indicator_display import indicator_display, label_with_unit
from observatory.services.map_inputs import current_districts, period_values
from observatory.settings import ApiSettings
from observatory.store import Store

DEFAULT_INDICATOR = "foreign_citizens_share"
HOTSPOT_PERMUTATIONS = 999


@dataclass(frozen=True)
class MapAssets:
    """Where a page finds its basemap (none: the page works offline) and Leaflet's files:
    served from ``asset_base``, or inlined into the page so that a file opens from disk."""

    basemap_url: str | None
    basemap_attribution: str = ""
    asset_base: str = "/static"
    inline: bool = False

    @classmethod
    def of(cls, api_settings: ApiSettings, *, asset_base: str = "/static",
           inline: bool = False) -> MapAssets:
        return cls(api_settings.basemap_url, api_settings.basemap_attribution, asset_base, inline)


def indicator_map(
    store: Store,
    city: City,
    indicator: str,
    assets: MapAssets,
    *,
    period: str | None = None,
    classification: Classification = "quantiles",
    tolerance: float = DEFAULT_TOLERANCE_M,
    lang: str = "en",
    level: str | None = None,
) -> HtmlPage:
    """The choropleth page of one indicator for one period (default: the latest) over the
    areas of ``level`` (None: the top level); carried values are outlined and say how."""
    values = period_values(store, city, indicator, period, level)
    districts = current_districts(store, city, level)
    display = indicator_display(indicator, lang)
    return choropleth_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        values,
        title=_title(city, display.label, values, lang),
        indicator_label=label_with_unit(indicator, lang),
        value_format=display.value_format,
        classification=classification,
        **asdict(assets),
        lang=lang,
    )


def layered_map(
    store: Store,
    city: City,
    assets: MapAssets,
    *,
    heat: HeatRequest,
    heat_base: str | None = None,
    layer: str | None = None,
    indicator: str = DEFAULT_INDICATOR,
    period: str | None = None,
    classification: Classification = "quantiles",
    tolerance: float = DEFAULT_TOLERANCE_M,
    lang: str = "en",
    level: str | None = None,
) -> HtmlPage:
    """Choropleth over the areas of ``level`` (None: the top level), heat map of ``layer``
    (None: every incident layer), clustered events per layer and a time filter. With
    ``heat_base`` (the page's URL) the heat map is fetched again from ``{heat_base}/heat.png``
    when the window changes and the page links to itself at the city's other levels; without
    it (a file) it stays the surface of the window asked for, labelled with the incidents'
    first and last day."""
    values = period_values(store, city, indicator, period, level)
    districts = current_districts(store, city, level)
    events = page_events(store, city.slug)
    words = labels(lang)
    first_day, last_day = heat.days()
    heat_layer, no_heat_reason = None, ""
    try:
        # Residents per capita are counted at the top level: the heat map keeps to its areas.
        overlay = city_heat(store, city, layer, heat, districts=None if level else districts)
    except ServiceError as exc:
        no_heat_reason = str(exc)
    else:
        label = f"{words['heat']}: {layer_label(layer, lang) if layer else words['heat_all']}"
        if heat_base is None:
            counted = pd.to_datetime(incidents_of(events, layer)["occurred_at"], utc=True).dt.date
            heat_layer = HeatLayer(overlay, label=label, start=first_day or counted.min(),
                                   end=last_day or counted.max())
        else:
            heat_layer = HeatLayer(
                overlay,
                label=label,
                start=first_day,
                end=last_day,
                url=f"{heat_base}/heat.png?{heat.query(window=False, layer=layer)}",
                download_url=f"{heat_base}/heat.tif?{heat.query(window=True, layer=layer)}",
            )
    display = indicator_display(indicator, lang)
    return city_map_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        values,
        events,
        title=_title(city, display.label, values, lang),
        indicator_label=label_with_unit(indicator, lang),
        value_format=display.value_format,
        heat=heat_layer,
        no_heat_reason=no_heat_reason,
        start=first_day,
        end=last_day,
        classification=classification,
        levels=[] if heat_base is None else _level_choices(
            store, city, heat_base, level, lang,
            {"indicator": indicator, "layer": layer, "classification": classification},
            heat.query(window=True)),
        **asdict(assets),
        lang=lang,
    )


def _level_choices(store: Store, city: City, page_url: str, level: str | None, lang: str,
                   query: dict[str, str | None], heat_query: str) -> list[LevelChoice]:
    """The layered map at each of the city's levels (none for a city of one level). The period
    is left out: each level has its own, and the map shows the latest."""
    levels = store.levels(city.slug)
    if len(levels) < 2:
        return []
    current = level or levels[0].name
    kept = {k: v for k, v in query.items() if v is not None}
    return [
        LevelChoice(
            lv.name_in(lang),
            f"{page_url}?{urlencode({**kept, 'level': lv.name, 'lang': lang})}"
            + (f"&{heat_query}" if heat_query else ""),
            lv.name == current,
        )
        for lv in levels
    ]


def hotspot_map(
    store: Store,
    city: City,
    indicator: str,
    assets: MapAssets,
    *,
    period: str | None = None,
    method: Literal["gi", "lisa"] = "gi",
    tolerance: float = DEFAULT_TOLERANCE_M,
    lang: str = "en",
    level: str | None = None,
) -> HtmlPage:
    """Gi* or LISA categories of an indicator's values over the areas of ``level``."""
    values = period_values(store, city, indicator, period, level)
    districts = current_districts(store, city, level)
    # Suppressed values are not published, so they take no part in the statistics either.
    published = values.assign(value=values["value"].where(~values["suppressed"].astype(bool)))
    table, summary = hotspots(
        districts, published[["district_code", "value"]], permutations=HOTSPOT_PERMUTATIONS
    )
    display = indicator_display(indicator, lang)
    return hotspot_map_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        table,
        method=method,
        title=_title(city, display.label, values, lang),
        indicator_label=label_with_unit(indicator, lang),
        value_format=display.value_format,
        permutations=summary.get("permutations"),
        **asdict(assets),
        lang=lang,
        estimates=_estimates(values),
    )


def _estimates(values: pd.DataFrame) -> dict[str, str]:
    """District code -> method of the values carried from other boundaries."""
    if "estimate" not in values:
        return {}
    carried = values[values["estimate"].fillna("") != ""]
    return dict(zip(carried["district_code"].astype(str), carried["estimate"], strict=True))


def boundary_map(store: Store, city: City, level: str, valid_from: date, assets: MapAssets, *,
                 lang: str = "en") -> HtmlPage:
    """The outlines of the ended ``level`` boundaries that started on ``valid_from`` and of
    the boundaries that replaced them."""
    change = version_change(store, city, level, valid_from)
    old, new = change_outlines(store, city, change)
    words = labels(lang)
    ended, successor = change.ended, change.successor
    old_label = words["boundaries_of"].format(start=ended.valid_from, end=ended.valid_to)
    new_label = (words["boundaries_from"].format(start=successor.valid_from)
                 if successor else words["no_successor"])
    return boundary_map_html(
        old, new, title=f"{city.name_in(lang)} — {words['changed_boundaries']}: {level}",
        old_label=old_label, new_label=new_label, **asdict(assets), lang=lang)


def _title(city: City, label: str, values: pd.DataFrame, lang: str) -> str:
    return f"{city.name_in(lang)} — {label} ({values['period'].iloc[0]})"
