"""Hot-spot maps of one indicator: districts coloured by Getis-Ord Gi* or LISA category.

The statistics come from :func:`indicators.spatial.hotspots`; this module only draws them.
Colours are ColorBrewer's RdBu (colour-blind safe), hot in red and cold in blue, with the
lightness stepping with confidence, so the map reads in grey too; districts without a value
or without a neighbour are grey with a dashed or dotted outline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd

from maps.assets import use_local_assets
from maps.choropleth import NO_DATA_COLOUR
from maps.embed import basemap, js, script_safe, templates
from maps.labels import labels as labels_for
from maps.page import HtmlPage, PageFigure, PageFragments, render_page

Method = Literal["gi", "lisa"]
NO_DATA, NO_NEIGHBOURS = "no_data", "no_neighbours"
# category: (fill, outline dash pattern); legend order top to bottom.
CATEGORY_STYLES: dict[str, dict[str, tuple[str, str | None]]] = {
    "gi": {
        "hot_99": ("#b2182b", None),
        "hot_95": ("#ef8a62", None),
        "hot_90": ("#fddbc7", None),
        "not_significant": ("#f7f7f7", None),
        "cold_90": ("#d1e5f0", None),
        "cold_95": ("#67a9cf", None),
        "cold_99": ("#2166ac", None),
    },
    "lisa": {
        "HH": ("#b2182b", None),
        "HL": ("#ef8a62", None),
        "LH": ("#67a9cf", None),
        "LL": ("#2166ac", None),
        "ns": ("#f7f7f7", None),
    },
}
_MISSING_STYLES = {NO_DATA: (NO_DATA_COLOUR, "4 3"), NO_NEIGHBOURS: ("#bdbdbd", "1 3")}
# Gi* confidence levels: the largest pseudo p-value of each, strictest first.
_GI_LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
TABLE_COLUMNS = [
    "code",
    "value",
    "lisa_quadrant",
    "lisa_p",
    "lisa_category",
    "gi_z",
    "gi_p",
    "gi_category",
]


def hotspot_categories(table: pd.DataFrame, method: Method) -> pd.Series:
    """Category key per row of a :func:`indicators.spatial.hotspots` table.

    Gi*: ``hot_99`` … ``cold_99`` by the pseudo p-value (< 0.01, 0.05, 0.10) and the sign of z,
    else ``not_significant``; LISA: the table's ``HH``/``HL``/``LH``/``LL``/``ns``. Both:
    ``no_data`` and ``no_neighbours``.
    """
    _check_method(method)
    category = table[f"{method}_category"].astype(str)
    keys = pd.Series(NO_DATA, index=table.index, dtype=object)
    keys[category == "no neighbours"] = NO_NEIGHBOURS
    tested = ~category.isin(["no data", "no neighbours"])
    if method == "lisa":
        keys[tested] = category[tested]
        return keys
    keys[tested] = "not_significant"
    z, p = table["gi_z"].astype(float), table["gi_p"].astype(float)
    for threshold, level in reversed(_GI_LEVELS):  # strictest last, so it wins
        significant = tested & (p < threshold)
        keys[significant & (z > 0)] = f"hot_{level}"
        keys[significant & (z < 0)] = f"cold_{level}"
    return keys


def hotspot_map_html(
    districts_gdf: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    method: Method,
    title: str,
    indicator_label: str,
    value_format: str,
    permutations: int | None = None,
    basemap_url: str | None = None,
    basemap_attribution: str = "",
    asset_base: str = "/static",
    inline: bool = False,
    lang: str = "en",
    estimates: Mapping[str, str] | None = None,
) -> HtmlPage:
    """The HTML page of a hot-spot map.

    ``estimates``: district code -> method, for values carried from other boundaries; those
    areas say so in their tooltip and the note names each method.

    ``districts_gdf`` follows ``DISTRICT_COLUMNS``; ``table`` is the first result of
    :func:`indicators.spatial.hotspots` for the same districts. Tooltips give the names in
    English and Arabic, the value, the Gi* z-score or the LISA quadrant, the pseudo p-value and
    the category. The legend (``#hotspot-legend``) lists every category of the method.
    """
    _check_method(method)
    words = labels_for(lang)
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"the hot-spot table lacks {missing}: pass hotspots(...)[0]")
    if districts_gdf.empty:
        raise ValueError("No districts to draw: ingest the city's boundaries first")
    features = _features(districts_gdf, table, method, value_format, words)
    carried = {str(k): v for k, v in (estimates or {}).items() if v}
    rows = [[indicator_label, "value_text"],
            [words["z" if method == "gi" else "quadrant"], "stat_text"],
            [words["p"], "p_text"],
            [words["category"], "category_text"]]
    if carried:
        features.insert(4, "estimate_text", [
            words["estimated"].format(method=carried[c]) if c in carried else ""
            for c in features["code"]])
        rows.append([words["estimate"], "estimate_text"])

    m = folium.Map(tiles=None)
    PageFigure(title=title, lang=lang).add_child(m)
    use_local_assets(m, asset_base=asset_base, inline=inline)
    page = templates()
    note = words["hotspot_note"].format(permutations=permutations) if permutations else ""
    note = " ".join([note, *(words["estimated"].format(method=m)
                             for m in sorted(set(carried.values())))]).strip()
    m.add_child(
        PageFragments(
            header=f"<style>{page.get_template('choropleth.css').render()}"
            f"{page.get_template('hotspot.css').render()}</style>",
            html=page.get_template("choropleth_chrome.html").render(
                title=title,
                indicator_label=f"{indicator_label}: {words[method]}",
                entries=_legend(method, words),
                note=note,
                legend_id="hotspot-legend",
            ),
            script=page.get_template("choropleth_layer.js").render(
                map_name=m.get_name(),
                rows=js(rows),
                basemap=basemap(basemap_url, basemap_attribution),
                data=script_safe(features.to_json(drop_id=True, ensure_ascii=False)),
            ),
        )
    )
    return render_page(m)


def _features(districts, table, method, value_format, words) -> gpd.GeoDataFrame:
    if districts.crs is not None and districts.crs.to_epsg() != 4326:
        districts = districts.to_crs(4326)
    districts = districts.assign(code=districts["code"].astype(str)).reset_index(drop=True)
    table = table[TABLE_COLUMNS].assign(code=table["code"].astype(str))
    joined = districts[["code", "name_en", "name_ar", "geometry"]].merge(
        table, on="code", how="left"
    )
    joined[f"{method}_category"] = joined[f"{method}_category"].fillna("no data")
    keys = hotspot_categories(joined, method)
    styles = {**CATEGORY_STYLES[method], **_MISSING_STYLES}
    if method == "gi":
        stat = [_fmt(z, ".2f") for z in joined["gi_z"]]
    else:
        stat = [_QUADRANTS.get(int(q), "") if _finite(q) else "" for q in joined["lisa_quadrant"]]
    return gpd.GeoDataFrame(
        {
            "code": joined["code"],
            "name_en": joined["name_en"].fillna(""),
            "name_ar": joined["name_ar"].fillna(""),
            "value_text": [_fmt(v, value_format) for v in joined["value"]],
            "stat_text": stat,
            "p_text": [_fmt(p, ".3f") for p in joined[f"{method}_p"]],
            "category": keys,
            "category_text": [words[k] for k in keys],
            "fill": [styles[k][0] for k in keys],
            "dash": [styles[k][1] for k in keys],
        },
        geometry=joined.geometry.values,
        crs="EPSG:4326",
    )


def _legend(method: Method, words: dict[str, str]) -> list[dict]:
    styles = {**CATEGORY_STYLES[method], **_MISSING_STYLES}
    return [
        {"kind": key, "colour": fill, "dir": "auto", "text": words[key]}
        for key, (fill, _) in styles.items()
    ]


def _check_method(method: str) -> None:
    if method not in CATEGORY_STYLES:
        raise ValueError(f"method={method!r}: use 'gi' (Getis-Ord Gi*) or 'lisa' (local Moran)")


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _fmt(value: Any, spec: str) -> str:
    return format(float(value), spec) if _finite(value) else ""
