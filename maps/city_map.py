"""The layered city map: an indicator's choropleth, an incident heat map, clustered points per
department layer, service points and field reports, a layer control and a time filter.

Point layers are filtered by time in the page; the heat map depends on the window, so it is
computed on the server, and re-requested from ``heat_url`` when the page has one (the API).
Everything runs offline: Leaflet and Leaflet.markercluster are vendored (``maps/static``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from maps.assets import use_local_assets
from maps.choropleth import choropleth_layer
from maps.embed import basemap, js, templates
from maps.heat_overlay import HeatOverlay, ramp_stops
from maps.labels import labels as labels_for
from maps.labels import layer_label
from maps.page import HtmlPage, PageFigure, PageFragments, render_page

SERVICE_LAYER, FIELD_LAYER = "service", "field"
# Okabe-Ito: a qualitative palette that stays distinct with the common colour-vision deficiencies.
LAYER_COLOURS = {SERVICE_LAYER: "#0072B2", FIELD_LAYER: "#CC79A7"}
# The heat map starts strong enough to read through the choropleth it is drawn above; the
# page's slider changes it.
HEAT_OPACITY = 0.85
INCIDENT_COLOURS = ("#D55E00", "#E69F00", "#009E73", "#56B4E9", "#F0E442", "#000000")


@dataclass(frozen=True)
class HeatLayer:
    """A heat overlay as the page shows it."""

    overlay: HeatOverlay
    label: str  # what was counted, e.g. "Heat map: Fires"
    start: date | None = None
    end: date | None = None
    url: str | None = None  # re-requested with ?start=&end= when the window changes
    download_url: str | None = None  # the Cloud-Optimised GeoTIFF


@dataclass(frozen=True)
class LevelChoice:
    """One of the city's levels in the page's level switch: its name and the page at it."""

    label: str
    url: str
    current: bool


def city_map_html(
    districts_gdf: gpd.GeoDataFrame,
    values_df: pd.DataFrame,
    events_gdf: gpd.GeoDataFrame,
    *,
    title: str,
    indicator_label: str,
    value_format: str,
    heat: HeatLayer | None = None,
    no_heat_reason: str = "",
    start: date | None = None,
    end: date | None = None,
    classification: str = "quantiles",
    k: int = 5,
    levels: Sequence[LevelChoice] = (),
    basemap_url: str | None = None,
    basemap_attribution: str = "",
    asset_base: str = "/static",
    inline: bool = False,
    lang: str = "en",
) -> HtmlPage:
    """The HTML page of the layered map; ``levels``: the switch to the map at each of the
    city's geographic levels (none: no switch).

    ``districts_gdf`` and ``values_df`` as for :func:`maps.choropleth.choropleth_html`;
    ``events_gdf`` holds the events to show (EVENT_COLUMNS, any layers): one clustered overlay
    per layer, ``service`` points shown at all times, the others filtered by the dates in the
    time filter (``start``/``end``, whole days in UTC; default: the events' first and last day).
    """
    words = labels_for(lang)
    choropleth = choropleth_layer(
        districts_gdf,
        values_df,
        value_format=value_format,
        classification=classification,
        k=k,
        words=words,
    )
    layers = event_layers(events_gdf, lang)
    start, end = _window(events_gdf, start, end)

    m = folium.Map(tiles=None)
    PageFigure(title=title, lang=lang).add_child(m)
    use_local_assets(m, asset_base=asset_base, inline=inline, plugins=("markercluster",))
    page = templates()
    m.add_child(
        PageFragments(
            header=f"<style>{page.get_template('choropleth.css').render()}"
            f"{page.get_template('city_map.css').render()}</style>",
            html=page.get_template("city_map_chrome.html").render(
                title=title,
                words=words,
                start=start.isoformat() if start else "",
                end=end.isoformat() if end else "",
                indicator_label=indicator_label,
                entries=choropleth.legend,
                note=choropleth.note,
                heat=_heat_legend(heat, no_heat_reason, words),
                levels=levels,
            ),
            script=page.get_template("city_map.js").render(
                map_name=m.get_name(),
                labels=js({"districts": indicator_label, "events_here": words["events_here"]}),
                rows=js(
                    [
                        [indicator_label, "value_text"],
                        [words["score"], "score_text"],
                        [words["coverage"], "coverage_text"],
                        [words["estimate"], "estimate_text"],
                    ]
                ),
                districts=choropleth.geojson(),
                event_layers=js(layers),
                heat=js(_heat_script(heat)),
                basemap=basemap(basemap_url, basemap_attribution),
            ),
        )
    )
    return render_page(m)


def event_layers(events: gpd.GeoDataFrame, lang: str) -> list[dict]:
    """One entry per event layer: key, label, colour, whether time filters it, its points
    (lat, lon, ``t`` in ms since 1970 UTC, attributes; ``n``, the events a point stands for,
    where ``events`` has an ``events`` column: a large layer counted per cell and day).
    Incident layers first, then field reports, then services."""
    if events.empty:
        return []
    if events.crs is not None and events.crs.to_epsg() != 4326:
        events = events.to_crs(4326)
    order = {FIELD_LAYER: 1, SERVICE_LAYER: 2}
    keys = sorted(events["layer"].astype(str).unique(), key=lambda key: (order.get(key, 0), key))
    incident_colours = iter(INCIDENT_COLOURS * (len(keys) // len(INCIDENT_COLOURS) + 1))
    occurred = pd.to_datetime(events["occurred_at"], utc=True)
    millis = (occurred - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    attributes = events["attributes"] if "attributes" in events else pd.Series(None, events.index)
    counts = (events["events"].astype("int64") if "events" in events
              else pd.Series(1, events.index, dtype="int64"))
    result = []
    for key in keys:
        mask = (events["layer"].astype(str) == key).to_numpy()
        geometry = events.geometry[mask]
        result.append(
            {
                "key": key,
                "label": layer_label(key, lang),
                "colour": LAYER_COLOURS.get(key) or next(incident_colours),
                "timed": key != SERVICE_LAYER,
                "points": [
                    {
                        "lat": lat,
                        "lon": lon,
                        "t": None if pd.isna(t) else int(t),
                        "attributes": _attributes(a),
                        **({"n": n} if n != 1 else {}),
                    }
                    for lat, lon, t, a, n in zip(
                        np.round(geometry.y.to_numpy(), 6).tolist(),
                        np.round(geometry.x.to_numpy(), 6).tolist(),
                        millis[mask],
                        attributes[mask],
                        counts[mask].tolist(),
                    )
                ],
            }
        )
    return result


def _attributes(text: object) -> dict:
    """An event's attributes (JSON text as stored) as a flat dict of texts for its popup."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for k, v in found.items()
    }


def _window(events, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if (start and end) or events.empty:
        return start, end
    occurred = pd.to_datetime(events["occurred_at"], utc=True).dropna()
    if occurred.empty:
        return start, end
    return start or occurred.min().date(), end or occurred.max().date()


def _heat_legend(heat: HeatLayer | None, no_heat_reason: str, words: dict) -> dict:
    if heat is None:
        return {"title": words["heat"], "note": words["no_heat"].format(reason=no_heat_reason)}
    overlay = heat.overlay
    window = {"start": heat.start or "…", "end": heat.end or "…"}
    return {
        "title": heat.label,
        "ramp": ramp_stops(),
        "peak": f"{overlay.peak:.3g}",
        "unit": words[overlay.unit],
        "bandwidth": words["bandwidth"].format(bandwidth=f"{overlay.bandwidth_m:,.0f}"),
        "note": words["heat_live"] if heat.url else words["heat_fixed"].format(**window),
        "download": heat.download_url,
        "opacity": round(HEAT_OPACITY * 100),
    }


def _heat_script(heat: HeatLayer | None) -> dict | None:
    if heat is None:
        return None
    (south, west), (north, east) = heat.overlay.bounds_4326
    return {
        "image": heat.overlay.data_uri(),
        "bounds": [[south, west], [north, east]],
        "label": heat.label,
        "url": heat.url,
        "opacity": HEAT_OPACITY,
    }
