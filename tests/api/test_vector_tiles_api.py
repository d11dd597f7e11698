"""Mapbox vector tiles over the API, decoded, on both stores."""

from __future__ import annotations

import math

import mapbox_vector_tile
from api_access import auth, seed_events
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.store import Store

MVT = "application/vnd.mapbox-vector-tile"


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


CITY_TILE = "/".join(map(str, _tile_of(34.99, 32.185, 10)))  # the whole town


def _features(response) -> dict[str, list]:
    assert response.status_code == 200 and response.headers["content-type"] == MVT
    decoded = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    return {name: layer["features"] for name, layer in decoded.items()}


def test_district_tile_holds_every_district_in_tile_coordinates(api: TestClient):
    layers = _features(api.get(f"/tiles/{CITY.slug}.districts/{CITY_TILE}.mvt"))

    features = layers[f"{CITY.slug}.districts"]
    assert sorted(f["properties"]["code"] for f in features) == ["101", "102", "103", "104"]
    north = next(f for f in features if f["properties"]["code"] == "102")
    assert north["properties"]["name_ar"] == "الحي الشمالي"
    assert north["geometry"]["type"] == "Polygon"
    xs = [x for x, _ in north["geometry"]["coordinates"][0]]
    assert 0 <= min(xs) < max(xs) <= 4096  # tile units, not degrees


def test_indicator_tile_has_values_but_never_a_suppressed_one(api: TestClient, keys: dict):
    url = f"/tiles/{CITY.slug}.indicator.foreign_citizens_share/{CITY_TILE}.mvt"
    for headers in ({}, auth(keys["officer"])):
        layer = _features(api.get(url, headers=headers))[
            f"{CITY.slug}.indicator.foreign_citizens_share"
        ]
        props = {f["properties"]["code"]: f["properties"] for f in layer}
        assert props["101"]["value"] == 0.06 and props["101"]["period"] == "2025"
        assert props["103"]["suppressed"] is True and "value" not in props["103"]
    older = _features(api.get(url, params={"period": "2024"}))
    props = {f["properties"]["code"]: f["properties"] for f in older.popitem()[1]}
    assert props["103"]["value"] == 0.2


def test_event_tile_shows_published_events_only(api: TestClient, seeded: Store):
    seed_events(seeded)
    layer = _features(api.get(f"/tiles/{CITY.slug}.events.fire/{CITY_TILE}.mvt"))[
        f"{CITY.slug}.events.fire"
    ]

    assert sorted(f["properties"]["id"] for f in layer) == [f"fire-{i}" for i in range(5)]
    assert all(f["geometry"]["type"] == "Point" for f in layer)


def test_a_tile_outside_the_city_is_empty_and_bad_tiles_are_refused(api: TestClient):
    far = "/".join(map(str, _tile_of(-70.0, -30.0, 12)))

    empty = api.get(f"/tiles/{CITY.slug}.districts/{far}.mvt")
    assert empty.status_code == 204 and empty.content == b""
    assert api.get(f"/tiles/{CITY.slug}.districts/3/8/0.mvt").status_code == 404
    assert api.get(f"/tiles/{CITY.slug}.events.fire/{CITY_TILE}.mvt").status_code == 404
    assert api.get(f"/tiles/{CITY.slug}.indicator.nope/{CITY_TILE}.mvt").status_code == 404
