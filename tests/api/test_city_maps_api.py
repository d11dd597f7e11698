"""Layered city maps, heat overlays and hot-spot maps through the API, on both stores."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from api_seed import CITY
from fastapi.testclient import TestClient
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from maps.hotspot_map import CATEGORY_STYLES
from observatory.models import IngestRun
from observatory.store import Store


@pytest.fixture
def events(seeded: Store) -> gpd.GeoDataFrame:
    """40 fires around the Old City, one a day from 1 January 2025, and 3 service points."""
    rng = np.random.default_rng(4)
    n_fire, n_service = 40, 3
    xy = np.column_stack(
        [
            34.975 + rng.normal(0, 0.002, n_fire + n_service),
            32.185 + rng.normal(0, 0.002, n_fire + n_service),
        ]
    )
    frame = gpd.GeoDataFrame(
        {
            "id": [f"e{i}" for i in range(n_fire + n_service)],
            "layer": ["fire"] * n_fire + ["service"] * n_service,
            "occurred_at": pd.date_range("2025-01-01T12:00Z", periods=n_fire + n_service, freq="D"),
            "attributes": ['{"name_ar": "مركز الخدمات"}'] * (n_fire + n_service),
            "status": "published",
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
    )
    seeded.load(IngestRun(CITY.slug, "events", "incidents.geojson", "ev-1"), events=frame)
    return frame


def _script_value(html: str, name: str):
    start = html.index(f"var {name} = ") + len(f"var {name} = ")
    return json.JSONDecoder().raw_decode(html, start)[0]


def test_layered_map_has_districts_heat_clusters_and_time_filter(client: TestClient, events):
    response = client.get("/maps/qalqilya/layers", params={"lang": "en"})

    assert response.status_code == 200
    html = response.text
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    layers = _script_value(html, "eventLayers")
    assert [(la["key"], len(la["points"])) for la in layers] == [("fire", 40), ("service", 3)]
    heat = _script_value(html, "heat")
    assert heat["image"].startswith("data:image/png;base64,")
    assert heat["url"] == "/maps/qalqilya/layers/heat.png?bandwidth=silverman"
    assert heat["label"] == "Heat map: all incidents"
    assert 'id="time-start" name="start" value="2025-01-01"' in html
    assert "الحي الشمالي" in html  # district names in Arabic, as UTF-8
    assert (
        client.get("/static/vendor/leaflet.markercluster/leaflet.markercluster.js").status_code
        == 200
    )


def test_layered_map_in_arabic_for_a_window(client: TestClient, events):
    response = client.get(
        "/maps/qalqilya/layers",
        params={
            "lang": "ar",
            "start": "2025-01-05",
            "end": "2025-01-20",
            "layer": "fire",
            "bandwidth": "300",
        },
    )

    assert response.status_code == 200
    html = response.text
    assert '<html lang="ar" dir="rtl">' in html
    assert _script_value(html, "heat")["label"] == "خريطة حرارية: الحرائق"
    assert 'id="time-start" name="start" value="2025-01-05"' in html
    assert (
        'href="/maps/qalqilya/layers/heat.tif?layer=fire&amp;bandwidth=300'
        '&amp;start=2025-01-05&amp;end=2025-01-20"'
    ) in html


def test_a_window_without_events_draws_the_map_and_says_why_there_is_no_heat(
    client: TestClient, events
):
    response = client.get("/maps/qalqilya/layers", params={"start": "2030-01-01"})

    assert response.status_code == 200
    assert _script_value(response.text, "heat") is None
    assert "No heat map: the &#39;silverman&#39; bandwidth rule needs at least two points" in (
        response.text
    )


def _png(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(data) as memory, memory.open() as png:
            return np.moveaxis(png.read(), 0, -1)


def test_heat_png_of_a_window_tells_where_it_goes(client: TestClient, events, seeded: Store):
    window = {"layer": "fire", "start": "2025-01-01", "end": "2025-01-10", "bandwidth": "250"}
    response = client.get("/maps/qalqilya/layers/heat.png", params=window)
    later = client.get(
        "/maps/qalqilya/layers/heat.png", params={**window, "start": "2025-02-01", "end": ""}
    )

    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["X-Heat-Events"] == "10"  # 1–10 January, both days included
    assert later.headers["X-Heat-Events"] == "9"  # 1–9 February
    assert response.headers["X-Heat-Unit"] == "per_km2"
    west, south, east, north = map(float, response.headers["X-Bounds"].split(","))
    lon0, lat0, lon1, lat1 = seeded.districts(CITY.slug).total_bounds
    # the grid covers the districts, and with a bandwidth in metres every window shares it
    assert west < lon0 and south < lat0 and east > lon1 and north > lat1
    assert later.headers["X-Bounds"] == response.headers["X-Bounds"]
    assert float(response.headers["X-Heat-Peak"]) > 0
    rgba = _png(response.content)
    assert (rgba[..., 3] == 255).any() and (rgba[..., 3] == 0).any()


def test_layers_heat_and_the_api_heat_map_are_one_surface(client: TestClient, events):
    params = {"start": "2025-01-01", "end": "2025-01-31", "bandwidth": "300", "cell": "50"}
    layers = client.get("/maps/qalqilya/layers/heat.png", params={**params, "layer": "fire"})
    api = client.get("/cities/qalqilya/heatmaps/fire.png", params=params)

    assert layers.status_code == api.status_code == 200
    assert layers.content == api.content
    assert layers.headers["X-Bounds"] == api.headers["X-Bounds"]


def test_heat_geotiff_is_a_cog_in_the_city_crs(client: TestClient, events):
    response = client.get("/maps/qalqilya/layers/heat.tif", params={"layer": "fire"})

    assert response.status_code == 200
    assert 'filename="qalqilya-heat-fire.tif"' in response.headers["content-disposition"]
    with MemoryFile(response.content) as memory, memory.open() as cog:
        assert cog.crs == rasterio.crs.CRS.from_user_input(CITY.local_crs)
        assert cog.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        cell = cog.transform.a
        assert cog.read(1).sum() * cell**2 / 1e6 == pytest.approx(40, rel=0.05)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bandwidth": "wide"}, "give metres (e.g. 400) or scott or silverman"),
        ({"start": "2030-01-01"}, "needs at least two points"),
        ({"bandwidth": "50", "cell": "100"}, "smaller than the cell size"),
        ({"start": "Tuesday"}, "give a day (2025-01-31)"),
    ],
)
def test_bad_heat_requests_say_what_to_change(client: TestClient, events, params, message):
    response = client.get("/maps/qalqilya/layers/heat.png", params=params)

    assert response.status_code == 422
    assert message in response.text


def test_gi_hotspot_map_colours_districts(client: TestClient):
    response = client.get("/maps/qalqilya/hotspots/foreign_citizens_share")

    assert response.status_code == 200
    html = response.text
    start = html.index("L.geoJSON(") + len("L.geoJSON(")
    features = json.JSONDecoder().raw_decode(html, start)[0]["features"]
    drawn = {f["properties"]["code"]: f["properties"] for f in features}
    # 2025: 103 is suppressed (no data), which leaves 104 without a neighbour.
    assert drawn["103"]["category"] == "no_data" and drawn["104"]["category"] == "no_neighbours"
    for code in ("101", "102"):  # tested, and drawn in their category's colour
        assert drawn[code]["fill"] == CATEGORY_STYLES["gi"][drawn[code]["category"]][0]
        assert drawn[code]["p_text"] and drawn[code]["stat_text"]
    assert 'id="hotspot-legend"' in html


def test_lisa_hotspot_map_in_arabic_for_an_earlier_period(client: TestClient):
    response = client.get(
        "/maps/qalqilya/hotspots/foreign_citizens_share",
        params={"method": "lisa", "lang": "ar", "period": "2024"},
    )

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "(2024)" in response.text and "عنقود مرتفع–مرتفع" in response.text


def test_hotspots_of_an_unknown_indicator_say_how_to_compute(client: TestClient):
    response = client.get("/maps/qalqilya/hotspots/nothing_here")

    assert response.status_code == 404
    assert "observatory compute --city qalqilya" in response.json()["detail"]


def test_choropleth_route_still_answers_beside_the_layers_route(client: TestClient):
    assert client.get("/maps/qalqilya/foreign_citizens_share").status_code == 200
    assert client.get("/maps/nowhere/layers").status_code == 404
