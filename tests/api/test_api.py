"""The API on both stores: health, cities, districts GeoJSON, map pages and vendored assets."""

from __future__ import annotations

import json
import re

import shapely
from api_seed import CITY, DISTRICTS, indicator_values
from fastapi.testclient import TestClient
from shapely.geometry import shape

from indicators.definitions import load_definitions
from observatory.app import create_app
from observatory.models import City
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store


def _drawn(html: str) -> dict[str, dict]:
    start = html.index("L.geoJSON(") + len("L.geoJSON(")
    data, _ = json.JSONDecoder().raw_decode(html, start)
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def test_health_names_the_backend_and_a_readable_schema(client: TestClient, store: Store):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "backend": store.backend,
        "schema_ok": True,
        "detail": "",
    }


def test_health_on_a_store_without_schema_says_how_to_fix_it(tmp_path):
    url = f"duckdb:///{(tmp_path / 'empty.duckdb').as_posix()}"
    with TestClient(create_app(StoreSettings(database_url=url), ApiSettings())) as client:
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["schema_ok"] is False
    assert "observatory init" in response.json()["detail"]


def test_cities_list_names_in_both_languages(client: TestClient):
    assert client.get("/cities").json() == [
        {
            "slug": "qalqilya",
            "name_en": "Qalqilya",
            "name_ar": "قلقيلية",
            "country": "PS",
            "local_crs": "EPSG:28191",
            "population": 55000,
            "external": False,  # a city of this store's own, not a benchmark bundle's
            "origin": None,
        }
    ]


def test_districts_are_valid_geojson_with_arabic_names_intact(client: TestClient):
    response = client.get("/cities/qalqilya/districts")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert "الحي الشمالي".encode() in response.content  # UTF-8, not \u escapes
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    by_code = {f["id"]: f for f in collection["features"]}
    assert set(by_code) == set(DISTRICTS)
    for code, (name_en, name_ar) in DISTRICTS.items():
        properties = by_code[code]["properties"]
        assert (properties["code"], properties["name_en"], properties["name_ar"]) == (
            code,
            name_en,
            name_ar,
        )
        geometry = shape(by_code[code]["geometry"])
        assert geometry.is_valid and geometry.geom_type == "MultiPolygon"
    assert by_code["104"]["properties"]["area_m2"] == 2.5e6
    assert shape(by_code["101"]["geometry"]).bounds == (34.97, 32.18, 34.98, 32.19)


def test_unknown_city_is_404_naming_the_known_ones(client: TestClient):
    for path in ("/cities/atlantis/districts", "/maps/atlantis/foreign_citizens_share"):
        response = client.get(path)

        assert response.status_code == 404
        assert "No city 'atlantis'" in response.json()["detail"]
        assert "qalqilya" in response.json()["detail"]


def test_map_page_draws_every_district_of_the_latest_period(client: TestClient):
    response = client.get("/maps/qalqilya/foreign_citizens_share")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    label = load_definitions()["foreign_citizens_share"].names["en"]
    assert f"Qalqilya — {label} (2025)" in html
    drawn = _drawn(html)
    assert {code: (p["name_en"], p["name_ar"]) for code, p in drawn.items()} == DISTRICTS
    assert {code: p["value_text"] for code, p in drawn.items()} == {
        "101": "6.0%",
        "102": "12.0%",
        "103": "suppressed",
        "104": "42.0%",
    }
    assert '<script src="/static/vendor/leaflet/leaflet.js">' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_map_of_an_earlier_period_in_arabic_with_natural_breaks(client: TestClient):
    response = client.get(
        "/maps/qalqilya/foreign_citizens_share",
        params={"period": "2024", "lang": "ar", "classification": "natural_breaks"},
    )

    assert response.status_code == 200
    html = response.text
    assert '<html lang="ar" dir="rtl">' in html
    label = load_definitions()["foreign_citizens_share"].names["ar"]
    assert f"قلقيلية — {label} (2024)" in html
    assert _drawn(html)["103"]["value_text"] == "20.0%"
    assert "الفواصل الطبيعية" in html


def test_map_without_values_points_to_observatory_compute(client: TestClient):
    response = client.get("/maps/qalqilya/median_rent")

    assert response.status_code == 404
    assert "observatory compute --city qalqilya" in response.json()["detail"]


def test_map_of_a_period_not_computed_lists_the_computed_ones(client: TestClient):
    response = client.get("/maps/qalqilya/foreign_citizens_share", params={"period": "1999"})

    assert response.status_code == 404
    assert "computed periods: 2024, 2025" in response.json()["detail"]


def test_unknown_classification_is_rejected_with_the_choices(client: TestClient):
    response = client.get(
        "/maps/qalqilya/foreign_citizens_share", params={"classification": "jenks"}
    )

    assert response.status_code == 422
    assert "natural_breaks" in response.text


def test_new_data_shows_at_once_without_a_restart(client: TestClient, seeded: Store):
    seeded.upsert_city(City(slug="jenin", name_en="Jenin", name_ar="جنين"))
    seeded.put_indicator_values(CITY.slug, indicator_values("2026", [0.07, 0.13, 0.21, 0.43]))

    assert [c["slug"] for c in client.get("/cities").json()] == ["jenin", "qalqilya"]
    html = client.get("/maps/qalqilya/foreign_citizens_share").text
    assert "(2026)" in html and _drawn(html)["103"]["value_text"] == "21.0%"


def test_vendored_leaflet_is_served(client: TestClient):
    script = client.get("/static/vendor/leaflet/leaflet.js")
    stylesheet = client.get("/static/vendor/leaflet/leaflet.css")
    image = client.get("/static/vendor/leaflet/images/layers.png")

    assert script.status_code == 200 and "Leaflet 1.9.4" in script.text[:200]
    assert "javascript" in script.headers["content-type"]
    assert stylesheet.status_code == 200 and ".leaflet-pane" in stylesheet.text
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_district_geometry_round_trips_through_the_api(client: TestClient, seeded: Store):
    stored = seeded.districts(CITY.slug).set_index("code").geometry
    served = {
        f["id"]: shape(f["geometry"])
        for f in client.get("/cities/qalqilya/districts").json()["features"]
    }

    for code, geometry in served.items():
        assert shapely.equals(geometry, stored[code])
