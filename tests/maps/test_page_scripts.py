"""A map page names the inline scripts it wrote (their CSP hashes), and only those: a script
that reached the page's body the way data do is never among them."""

from __future__ import annotations

import base64
import hashlib

import folium
import geopandas as gpd
import pandas as pd
import pytest
from map_html import inline_scripts
from shapely.geometry import box

from maps.choropleth import choropleth_html
from maps.page import PageFigure, PageFragments, render_page, script_source


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["01", "02"], "name_en": ["Old Town", "</script><script>alert(1)</script>"],
         "name_ar": ["البلدة القديمة", "الميناء"]},
        geometry=[box(35.0, 31.9, 35.01, 31.91), box(35.01, 31.9, 35.02, 31.91)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("inline", [False, True])
def test_the_page_names_the_hash_of_every_inline_script_it_holds(districts, inline):
    values = pd.DataFrame({"district_code": ["01", "02"], "value": [0.1, 0.2],
                           "score": [1.0, 2.0], "coverage": [1.0, 1.0],
                           "suppressed": [False, False]})
    page = choropleth_html(districts, values, title="Demo", indicator_label="Foreign citizens",
                           value_format=".1%", inline=inline)

    scripts = inline_scripts(page)
    # folium's switches and the map itself; inlined, Leaflet too
    assert len(scripts) == (3 if inline else 2)
    assert set(page.script_sources) == {_sha256(s) for s in scripts}
    assert "alert(1)</script>" not in page  # the name stayed data inside the script


def test_a_script_in_the_body_is_never_allowed():
    m = folium.Map(tiles=None)
    PageFigure(title="t", lang="ar").add_child(m)
    m.add_child(PageFragments(html="<script>stolen()</script>", script="drawn();"))

    page = render_page(m)

    *head, stolen, closing = inline_scripts(page)
    assert stolen == "stolen()" and "drawn();" in closing and 'dir="rtl"' in page
    assert script_source(stolen) not in page.script_sources
    assert set(page.script_sources) == {_sha256(s) for s in [*head, closing]}
