"""Hot-spot maps: districts coloured by Gi* confidence or LISA quadrant, with legend and tooltips."""

from __future__ import annotations

import os
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from map_html import asset_urls, district_features, hosts, inline_scripts, legend_items
from shapely.geometry import box

from indicators.spatial import hotspots
from maps.hotspot_map import CATEGORY_STYLES, hotspot_categories, hotspot_map_html

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def grid() -> gpd.GeoDataFrame:
    """A 6 × 6 grid of districts about 1 km across; names try template and markup injection."""
    cells = [
        box(36.5 + i * 0.01, 37.0 + j * 0.01, 36.51 + i * 0.01, 37.01 + j * 0.01)
        for j in range(6)
        for i in range(6)
    ]
    names = [f"District {k}" for k in range(36)]
    names[1], names[2] = "Harbour {{ 7*7 }}", "<b>East</b>"
    return gpd.GeoDataFrame(
        {
            "code": [f"{k:02d}" for k in range(36)],
            "name_en": names,
            "name_ar": [f"الحي {k}" for k in range(36)],
            "area_m2": 1e6,
        },
        geometry=cells,
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def table(grid) -> pd.DataFrame:
    """High values in the south-west 2 × 2 corner, low elsewhere, one district without value."""
    high = [(k % 6 < 2 and k // 6 < 2) for k in range(36)]
    values = pd.DataFrame(
        {"district_code": grid["code"], "value": np.where(high, 0.5, 0.05) + np.arange(36) * 1e-3}
    )
    values.loc[35, "value"] = np.nan
    return hotspots(grid, values)[0]


def _page(grid, table, **options) -> str:
    options = {
        "method": "gi",
        "title": "Demo — hot spots",
        "indicator_label": "Foreign citizens",
        "value_format": ".1%",
        "permutations": 999,
        **options,
    }
    return hotspot_map_html(grid, table, **options)


def test_gi_categories_follow_confidence_and_sign():
    table = pd.DataFrame(
        {
            "gi_z": [3.0, 2.0, 1.5, 1.0, -1.5, -2.0, -3.0, np.nan, np.nan],
            "gi_p": [0.001, 0.03, 0.08, 0.3, 0.09, 0.04, 0.002, np.nan, np.nan],
            "gi_category": [
                "hot spot",
                "hot spot",
                "not significant",
                "not significant",
                "not significant",
                "cold spot",
                "cold spot",
                "no data",
                "no neighbours",
            ],
        }
    )

    assert list(hotspot_categories(table, "gi")) == [
        "hot_99",
        "hot_95",
        "hot_90",
        "not_significant",
        "cold_90",
        "cold_95",
        "cold_99",
        "no_data",
        "no_neighbours",
    ]


def test_districts_are_coloured_by_their_gi_category(grid, table):
    drawn = district_features(_page(grid, table))
    styles = CATEGORY_STYLES["gi"]

    assert drawn["00"]["category"] == "hot_99" and drawn["00"]["fill"] == styles["hot_99"][0]
    assert drawn["00"]["fill"] == "#b2182b"  # dark red
    cold = [p for p in drawn.values() if p["category"].startswith("cold")]
    assert cold and all(p["fill"] in {"#d1e5f0", "#67a9cf", "#2166ac"} for p in cold)
    assert drawn["35"]["category"] == "no_data"
    assert (drawn["35"]["fill"], drawn["35"]["dash"]) == ("#e0e0e0", "4 3")
    for p in drawn.values():  # every colour is the one of its category
        expected = styles.get(p["category"], (p["fill"], None))[0]
        assert p["fill"] == expected


def test_gi_colours_step_in_lightness_so_they_read_without_hue():
    def lightness(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    styles = CATEGORY_STYLES["gi"]
    hot = [lightness(styles[k][0]) for k in ("hot_99", "hot_95", "hot_90", "not_significant")]
    cold = [lightness(styles[k][0]) for k in ("cold_99", "cold_95", "cold_90", "not_significant")]
    assert hot == sorted(hot) and cold == sorted(cold)
    assert min(np.diff(hot)) > 20 and min(np.diff(cold)) > 20


def test_tooltips_give_names_value_z_and_p(grid, table):
    drawn = district_features(_page(grid, table))
    row = table.set_index("code").loc["00"]

    assert drawn["00"]["name_ar"] == "الحي 0"
    assert drawn["00"]["value_text"] == "50.0%"
    assert drawn["00"]["stat_text"] == f"{row['gi_z']:.2f}"
    assert drawn["00"]["p_text"] == f"{row['gi_p']:.3f}"
    assert drawn["00"]["category_text"] == "Hot spot, 99% confidence"
    assert drawn["35"]["value_text"] == "" and drawn["35"]["category_text"] == "no data"


def test_legend_lists_every_gi_category_with_its_colour(grid, table):
    html = _page(grid, table)

    assert [(kind, colour) for kind, colour, _ in legend_items(html)] == [
        *((k, fill) for k, (fill, _) in CATEGORY_STYLES["gi"].items()),
        ("no_data", "#e0e0e0"),
        ("no_neighbours", "#bdbdbd"),
    ]
    assert 'id="hotspot-legend"' in html and 'class="map-legend legend"' in html
    assert "Pseudo p-values from 999 permutations" in html


def test_lisa_map_shows_quadrants(grid, table):
    html = _page(grid, table, method="lisa")
    drawn = district_features(html)

    assert drawn["00"]["category"] == "HH" and drawn["00"]["fill"] == "#b2182b"
    assert drawn["00"]["stat_text"] == "HH"
    assert {p["category"] for p in drawn.values()} <= {*CATEGORY_STYLES["lisa"], "no_data"}
    assert [kind for kind, _, _ in legend_items(html)][:5] == ["HH", "HL", "LH", "LL", "ns"]
    assert "Quadrant" in html


def test_arabic_page_is_right_to_left_with_arabic_legend(grid, table):
    html = _page(grid, table, lang="ar")

    assert '<html lang="ar" dir="rtl">' in html
    assert ("hot_99", "#b2182b", "بقعة ساخنة، ثقة 99٪") in legend_items(html)


def test_names_from_files_are_data_never_template_or_markup(grid, table):
    html = _page(grid, table)
    drawn = district_features(html)

    assert drawn["01"]["name_en"] == "Harbour {{ 7*7 }}"
    assert "<b>East</b>" not in html and drawn["02"]["name_en"] == "<b>East</b>"


def test_assets_are_local(grid, table):
    assert sorted(asset_urls(_page(grid, table))) == [
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/leaflet/leaflet.js",
    ]
    assert hosts(_page(grid, table)) == set()


# Node is on the project's machines; in CI its absence must fail this test, not skip it.
@pytest.mark.skipif(shutil.which("node") is None and not IN_CI,
                    reason="node is not installed: cannot parse JS")
def test_page_scripts_are_valid_javascript(grid, table, tmp_path):
    for i, script in enumerate(inline_scripts(_page(grid, table, inline=True))):
        path = tmp_path / f"script{i}.js"
        path.write_text(script, encoding="utf-8")
        checked = subprocess.run(
            ["node", "--check", str(path)], check=False, capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [({"method": "moran"}, "use 'gi'"), ({"lang": "fr"}, "maps speak en, ar")],
)
def test_bad_options_say_what_to_use(grid, table, options, message):
    with pytest.raises(ValueError, match=message):
        _page(grid, table, **options)
