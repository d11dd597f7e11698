"""Old and new outlines of a redrawn boundary version on one map, as a self-contained page:
the ended areas dashed, the areas that replaced them solid, each with its code and names in a
tooltip, a legend and a layer control. Offline like every map here (vendored Leaflet)."""

from __future__ import annotations

import folium
import geopandas as gpd

from maps.assets import use_local_assets
from maps.embed import basemap, js, script_safe, templates
from maps.labels import labels as labels_for
from maps.page import HtmlPage, PageFigure, PageFragments, render_page

# Okabe-Ito vermillion and blue: distinct with the common colour-vision deficiencies.
OLD_COLOUR, NEW_COLOUR = "#D55E00", "#0072B2"


def boundary_map_html(
    old: gpd.GeoDataFrame,
    new: gpd.GeoDataFrame,
    *,
    title: str,
    old_label: str,
    new_label: str,
    basemap_url: str | None = None,
    basemap_attribution: str = "",
    asset_base: str = "/static",
    inline: bool = False,
    lang: str = "en",
) -> HtmlPage:
    """The page of ``old`` and ``new`` areas (columns ``code``, ``name_en``, ``name_ar``,
    geometry in EPSG:4326), labelled ``old_label`` and ``new_label`` in legend and control."""
    words = labels_for(lang)
    m = folium.Map(tiles=None)
    PageFigure(title=title, lang=lang).add_child(m)
    use_local_assets(m, asset_base=asset_base, inline=inline)
    page = templates()
    entries = [
        {"kind": "old", "colour": "transparent", "dir": "auto", "text": old_label},
        {"kind": "new", "colour": "transparent", "dir": "auto", "text": new_label},
    ]
    m.add_child(PageFragments(
        header=f"<style>{page.get_template('choropleth.css').render()}"
        f"{page.get_template('boundary_map.css').render()}</style>",
        html=page.get_template("choropleth_chrome.html").render(
            title=title, indicator_label=words["boundaries"], entries=entries, note="",
            legend_id="boundary-legend"),
        script=page.get_template("boundary_map.js").render(
            map_name=m.get_name(),
            basemap=basemap(basemap_url, basemap_attribution),
            layers=js([
                {"key": "old", "label": old_label, "colour": OLD_COLOUR, "dash": "6 4"},
                {"key": "new", "label": new_label, "colour": NEW_COLOUR, "dash": None},
            ]),
            old=_geojson(old), new=_geojson(new),
        ),
    ))
    return render_page(m)


def _geojson(areas: gpd.GeoDataFrame) -> str:
    shapes = areas[["code", "name_en", "name_ar", "geometry"]].copy()
    shapes["code"] = shapes["code"].astype(str)
    shapes[["name_en", "name_ar"]] = shapes[["name_en", "name_ar"]].fillna("")
    return script_safe(shapes.to_json(drop_id=True, ensure_ascii=False, separators=(",", ":")))
