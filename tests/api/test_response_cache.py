"""The response cache: what the API serves changes as soon as an ingest lands (written by
another store object, as a CLI beside the server writes), ETags answer 304 until then, roles
are kept apart, and the cache keeps to its size."""

from __future__ import annotations

import geopandas as gpd
import mapbox_vector_tile
from api_seed import CITY, indicator_values
from fastapi.testclient import TestClient
from shapely.geometry import box

from observatory.http.response_cache import Kept, ResponseCache
from observatory.models import IngestRun
from observatory.store import Store

TILE = f"/tiles/{CITY.slug}.districts/10/611/415.mvt"  # the whole town
ITEMS = f"/collections/{CITY.slug}.districts/items?limit=100"
INDICATOR = f"/collections/{CITY.slug}.indicator.foreign_citizens_share/items?limit=100"


def _codes(tile: bytes) -> list[str]:
    return sorted(str(f["properties"]["code"])
                  for layer in mapbox_vector_tile.decode(tile).values()
                  for f in layer["features"])


def _values(client: TestClient, headers: dict | None = None) -> dict:
    document = client.get(INDICATOR, headers=headers or {}).json()
    return {f["id"]: f["properties"]["value"] for f in document["features"]}


def test_an_ingest_shows_at_once_in_tiles_and_pages(client: TestClient, seeded: Store):
    first_tile, first_page = client.get(TILE), client.get(ITEMS)
    assert _codes(first_tile.content) == ["101", "102", "103", "104"]
    etag = first_tile.headers["etag"]
    again = client.get(TILE, headers={"If-None-Match": etag})  # from the cache: unchanged
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert client.get(ITEMS).json()["numberMatched"] == 4

    # A later boundary file with a fifth district lands through another store object.
    later = gpd.GeoDataFrame(
        {"code": ["101", "102", "103", "104", "105"], "name_en": list("ABCDE"),
         "name_ar": ["أ", "ب", "ج", "د", "ه"], "area_m2": [1.0] * 5},
        geometry=[box(34.97 + i * 0.01, 32.18, 34.98 + i * 0.01, 32.19) for i in range(5)],
        crs="EPSG:4326")
    seeded.load(IngestRun(CITY.slug, "boundaries", "districts.geojson", "hash-2"),
                districts=later)
    changed = client.get(TILE, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert _codes(changed.content) == ["101", "102", "103", "104", "105"]
    page = client.get(ITEMS).json()
    assert page["numberMatched"] == 5 and first_page.json()["numberMatched"] == 4
    assert [f["properties"]["name_en"] for f in page["features"]] == list("ABCDE")

    # A compute replaces the indicator values: the page shows the new ones at once.
    assert _values(client)["101"] == 0.06
    seeded.put_indicator_values(CITY.slug, indicator_values("2025", [0.5, 0.5, 0.5, 0.5]))
    assert _values(client) == {"101": 0.5, "102": 0.5, "103": 0.5, "104": 0.5, "105": None}


def test_roles_never_share_a_suppressed_value(client: TestClient, seeded: Store, keys: dict):
    seeded.put_indicator_values(
        CITY.slug, indicator_values("2025", [0.06, 0.12, 0.2, 0.42], suppressed={"103"}))
    officer = {"X-API-Key": keys["officer"]}
    assert _values(client, officer)["103"] == 0.2  # the officer first: kept for officers
    assert _values(client)["103"] is None  # the public still gets it withheld
    assert _values(client, {"X-API-Key": keys["planner"]})["103"] is None
    assert client.get(INDICATOR, headers=officer).headers["cache-control"] == "private, no-cache"
    assert client.get(INDICATOR).headers["cache-control"] == "no-cache"


def test_the_cache_keeps_to_its_size_and_drops_an_older_version():
    cache = ResponseCache(max_bytes=10)

    def kept(body: bytes) -> Kept:
        return Kept(body, 200, "text/plain", "e")

    cache.put(1, ("public", "a"), kept(b"1234"))
    cache.put(1, ("public", "b"), kept(b"5678"))
    assert cache.get(1, ("public", "a")) is not None  # a is now the most recently used
    cache.put(1, ("public", "c"), kept(b"9012"))  # 12 bytes: the least recently used goes
    assert cache.get(1, ("public", "b")) is None
    assert cache.bytes_kept == 8
    cache.put(1, ("public", "big"), kept(b"x" * 11))  # larger than the cache: not kept
    assert cache.get(1, ("public", "big")) is None and cache.bytes_kept == 8
    assert cache.get(2, ("public", "a")) is None and cache.bytes_kept == 0  # new data
    cache.put(1, ("public", "a"), kept(b"1"))  # built from the older data: not kept
    assert cache.get(2, ("public", "a")) is None


def test_a_serving_app_freezes_what_start_up_built_and_thaws_it_after(seeded: Store,
                                                                      store_url: str):
    """Start-up's objects are frozen out of the collector's full passes while the app serves
    (those passes stalled every request); a stopped app leaves nothing frozen behind."""
    import gc

    from observatory.app import create_app
    from observatory.settings import ApiSettings, StoreSettings

    app = create_app(StoreSettings(database_url=store_url), ApiSettings())
    with TestClient(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
