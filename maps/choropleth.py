"""Choropleth of one indicator over a city's districts, as a self-contained HTML page.

Geometry is drawn as given: simplify it first with :func:`maps.simplify.simplify_districts`,
which keeps neighbouring districts sharing their borders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from maps.assets import use_local_assets
from maps.classify import classify
from maps.embed import basemap, js, script_safe, templates
from maps.labels import labels as labels_for
from maps.page import HtmlPage, PageFigure, PageFragments, render_page

VALUE_COLUMNS = ["district_code", "value", "score", "coverage", "suppressed"]
# Optional: the method of a value carried from other boundaries ('' or missing: loaded counts).
ESTIMATE_COLUMN = "estimate"
# Carried values are outlined dashed, so an estimate is visible before any tooltip is opened.
ESTIMATE_DASH = "4 3"
SUPPRESSED_COLOUR = "#969696"
NO_DATA_COLOUR = "#e0e0e0"
_SCORE_FORMAT = ".0f"
_COVERAGE_FORMAT = ".0%"


def choropleth_html(
    districts_gdf: gpd.GeoDataFrame,
    values_df: pd.DataFrame,
    *,
    title: str,
    indicator_label: str,
    value_format: str,
    classification: str = "quantiles",
    k: int = 5,
    basemap_url: str | None = None,
    basemap_attribution: str = "",
    asset_base: str = "/static",
    inline: bool = False,
    lang: str = "en",
) -> HtmlPage:
    """The HTML page of a choropleth.

    ``districts_gdf`` follows ``DISTRICT_COLUMNS``; ``values_df`` has one row per district
    (``VALUE_COLUMNS``; rows for other codes, e.g. the city level, are ignored). ``value_format``
    is a format spec as for :func:`format`, e.g. ``".1%"`` or ``",.0f"``. Suppressed districts
    and districts without a value are drawn grey and say so. With no ``basemap_url`` the map has
    no tiles and needs no network; it always zooms to the districts.
    """
    words = labels_for(lang)
    layer = choropleth_layer(
        districts_gdf, values_df, value_format=value_format, classification=classification, k=k,
        words=words,
    )  # fmt: skip

    m = folium.Map(tiles=None)
    PageFigure(title=title, lang=lang).add_child(m)
    use_local_assets(m, asset_base=asset_base, inline=inline)
    page_templates = templates()
    m.add_child(
        PageFragments(
            header=f"<style>{page_templates.get_template('choropleth.css').render()}</style>",
            html=page_templates.get_template("choropleth_chrome.html").render(
                title=title,
                indicator_label=indicator_label,
                entries=layer.legend,
                note=layer.note,
                legend_id="choropleth-legend",
            ),
            script=page_templates.get_template("choropleth_layer.js").render(
                map_name=m.get_name(),
                rows=js(
                    [
                        [indicator_label, "value_text"],
                        [words["score"], "score_text"],
                        [words["coverage"], "coverage_text"],
                        [words["estimate"], "estimate_text"],
                    ]
                ),
                basemap=basemap(basemap_url, basemap_attribution),
                data=layer.geojson(),
            ),
        )
    )
    return render_page(m)


@dataclass(frozen=True)
class ChoroplethLayer:
    """The districts as drawn (properties ``code``, ``name_en``, ``name_ar``, ``value_text``,
    ``score_text``, ``coverage_text``, ``fill``; where values were carried, ``estimate_text``
    and ``dash``), their legend entries and the class note."""

    features: gpd.GeoDataFrame
    legend: list[dict]
    note: str

    def geojson(self) -> str:
        """The features as GeoJSON text safe inside a <script> element."""
        # Compact separators: with thousands of districts, ", " costs a megabyte.
        return script_safe(
            self.features.to_json(drop_id=True, ensure_ascii=False, separators=(",", ":"))
        )


def choropleth_layer(
    districts_gdf: gpd.GeoDataFrame,
    values_df: pd.DataFrame,
    *,
    value_format: str,
    classification: str = "quantiles",
    k: int = 5,
    words: dict[str, str],
) -> ChoroplethLayer:
    """Districts coloured by class of their value (see :func:`choropleth_html`), EPSG:4326."""
    _check_format(value_format)
    if districts_gdf.empty:
        raise ValueError("No districts to draw: ingest the city's boundaries first")
    features = _join_values(districts_gdf, values_df)
    status = _status(features)
    classified = status == "value"
    classes = classify(features.loc[classified, "value"].to_numpy(), classification, k)

    fill = pd.Series(NO_DATA_COLOUR, index=features.index)
    fill[status == "suppressed"] = SUPPRESSED_COLOUR
    fill[classified] = [classes.colours[c] for c in classes.of_value]
    estimates = features[ESTIMATE_COLUMN].fillna("").astype(str).where(status == "value", "")
    layer = gpd.GeoDataFrame(
        {
            "code": features["code"],
            "name_en": features["name_en"].fillna(""),
            "name_ar": features["name_ar"].fillna(""),
            "value_text": [
                _fmt(v, value_format) if s == "value" else words[s]
                for v, s in zip(features["value"], status)
            ],
            "score_text": [
                _fmt(v, _SCORE_FORMAT) if s == "value" else ""
                for v, s in zip(features["score"], status)
            ],
            "coverage_text": [_fmt(v, _COVERAGE_FORMAT) for v in features["coverage"]],
            "fill": fill,
        },
        geometry=features.geometry.values,
        crs=features.crs,
    )
    if (estimates != "").any():  # a map of loaded counts only keeps its properties lean
        layer.insert(6, "estimate_text",
                     [words["estimated"].format(method=m) if m else "" for m in estimates])
        layer["dash"] = [ESTIMATE_DASH if m else None for m in estimates]
    note = (
        words["note"].format(scheme=words[classification], k=len(classes.colours))
        if classes.colours
        else ""
    )
    legend = _legend_entries(classes, status, value_format, words) + _estimate_entries(
        estimates, words)
    return ChoroplethLayer(layer, legend, note)


def _join_values(districts: gpd.GeoDataFrame, values: pd.DataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in VALUE_COLUMNS if c not in values.columns]
    if missing:
        raise ValueError(f"values_df lacks the columns {missing}; expected {VALUE_COLUMNS}")
    columns = VALUE_COLUMNS + [ESTIMATE_COLUMN] * (ESTIMATE_COLUMN in values.columns)
    values = values.loc[values["district_code"].notna(), columns].copy()
    if ESTIMATE_COLUMN not in values.columns:
        values[ESTIMATE_COLUMN] = ""
    values["district_code"] = values["district_code"].astype(str)
    repeated = values["district_code"][values["district_code"].duplicated()]
    if len(repeated):
        raise ValueError(
            f"values_df has more than one row for districts {sorted(set(repeated))[:10]}: "
            "pass the values of one indicator and one period"
        )
    if districts.crs is not None and districts.crs.to_epsg() != 4326:
        districts = districts.to_crs(4326)
    districts = districts.assign(code=districts["code"].astype(str)).reset_index(drop=True)
    return districts.merge(values, how="left", left_on="code", right_on="district_code")


def _status(features: pd.DataFrame) -> pd.Series:
    """Per district: "value", "suppressed" or "no_data"."""
    suppressed = features["suppressed"].fillna(False).astype(bool)
    value = pd.to_numeric(features["value"], errors="coerce")
    status = pd.Series("no_data", index=features.index)
    status[np.isfinite(value) & ~suppressed] = "value"
    status[suppressed] = "suppressed"
    return status


def _legend_entries(classes, status: pd.Series, value_format: str, words: dict) -> list[dict]:
    entries = [
        {
            "kind": "class",
            "colour": colour,
            "dir": "ltr",
            "text": f"{_fmt(low, value_format)} – {_fmt(high, value_format)}",
        }
        for low, high, colour in zip(classes.lower, classes.upper, classes.colours)
    ]
    for kind, colour in (("suppressed", SUPPRESSED_COLOUR), ("no_data", NO_DATA_COLOUR)):
        if (status == kind).any():
            entries.append({"kind": kind, "colour": colour, "dir": "auto", "text": words[kind]})
    return entries


def _estimate_entries(estimates: pd.Series, words: dict) -> list[dict]:
    """One legend entry per method that carried values shown on the map."""
    return [
        {"kind": "estimated", "colour": "transparent", "dir": "auto",
         "text": words["estimated"].format(method=method)}
        for method in sorted(set(estimates) - {""})
    ]


def _fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(float(value), spec)


def _check_format(value_format: str) -> None:
    try:
        format(1.5, value_format)
    except ValueError as exc:
        raise ValueError(
            f"value_format={value_format!r} is not a number format spec ({exc}); "
            "use e.g. '.1%' for shares or ',.0f' for counts"
        ) from exc
