"""Paged, bbox-filtered features and Mapbox vector tiles, on both backends."""

from __future__ import annotations

import mapbox_vector_tile
import pandas as pd
import shapely

from observatory.models import Attachment, City, IngestRun
from observatory.store import Store

CITY = City("nablus", "Nablus", "نابلس", "PS", "EPSG:28191", 156_000)
# Ten districts side by side along 35.20–35.30 E, 0.01° wide, at 32.20–32.21 N.
CODES = [f"{n:03d}" for n in range(1, 11)]
# Web-mercator tile z=14 holding the first few districts, and one far away.
TILE = (14, 9794, 6642)
FAR_TILE = (14, 0, 0)


def _seed(store: Store) -> None:
    import geopandas as gpd

    store.upsert_city(CITY)
    districts = gpd.GeoDataFrame(
        {
            "code": CODES,
            "name_en": [f"D{c}" for c in CODES],
            "name_ar": [f"حي {c}" for c in CODES],
            "area_m2": [1e6] * 10,
        },
        geometry=[shapely.box(35.20 + i * 0.01, 32.20, 35.21 + i * 0.01, 32.21) for i in range(10)],
        crs="EPSG:4326",
    )
    store.load(IngestRun(CITY.slug, "boundaries", "d.geojson", "h1"), districts=districts)
    events = gpd.GeoDataFrame(
        {
            "id": ["e1", "e2", "e3", "e4"],
            "layer": ["fire"] * 4,
            "occurred_at": pd.to_datetime(
                ["2025-01-01T00:00Z", "2025-02-01T00:00Z", "2025-03-01T00:00Z", "2025-04-01T00:00Z"]
            ),
            "attributes": ['{"حي": "رفيديا"}', "{}", "{}", "{}"],
            "status": ["published", "published", "published", "submitted"],
        },
        geometry=shapely.points(
            [(35.205, 32.205), (35.215, 32.205), (35.295, 32.205), (35.205, 32.205)]
        ),
        crs="EPSG:4326",
    )
    store.load(IngestRun(CITY.slug, "events", "e.csv", "h2"), events=events)


def test_district_pages_count_every_match_and_filter_by_bbox(store):
    _seed(store)
    page, matched = store.district_page("nablus", limit=3, offset=3)
    assert matched == 10 and list(page["code"]) == ["004", "005", "006"]
    assert page.crs.to_epsg() == 4326 and page.geometry.iloc[0].geom_type == "MultiPolygon"
    assert page["name_ar"].iloc[0] == "حي 004"

    # A box over the 2nd and 3rd districts (touching neither the 1st nor the 4th).
    inside, matched = store.district_page("nablus", bbox=(35.212, 32.202, 35.228, 32.208))
    assert matched == 2 and list(inside["code"]) == ["002", "003"]
    beyond, matched = store.district_page("nablus", limit=5, offset=20)
    assert matched == 10 and beyond.empty
    one, matched = store.district_page("nablus", code="007")
    assert matched == 1 and list(one["code"]) == ["007"]


def test_event_pages_filter_by_time_bbox_status_and_id(store):
    _seed(store)
    page, matched = store.event_page("nablus", "fire", limit=2)
    assert matched == 3 and list(page["id"]) == ["e1", "e2"]
    west, matched = store.event_page("nablus", "fire", bbox=(35.2, 32.2, 35.22, 32.21))
    assert list(west["id"]) == ["e1", "e2"] and matched == 2
    spring, matched = store.event_page(
        "nablus",
        "fire",
        start=pd.Timestamp("2025-02-01T00:00Z"),
        end=pd.Timestamp("2025-04-01T00:00Z"),
    )
    assert list(spring["id"]) == ["e2", "e3"]
    everything, matched = store.event_page("nablus", "fire", statuses=("published", "submitted"))
    assert matched == 4 and list(everything["id"]) == ["e1", "e2", "e3", "e4"]
    single, matched = store.event_page("nablus", "fire", event_id="e1")
    assert matched == 1 and "رفيديا" in single["attributes"].iloc[0]
    assert store.event_layers("nablus") == ["fire"]
    assert store.event_layers("nablus", statuses=("rejected",)) == []


def test_photos_are_found_by_hash_only_once_their_report_is_published(store):
    _seed(store)
    store.add_attachment(Attachment("a1", "e4", "cd" * 32, "image/png", 10, "photos/x.png"))
    assert store.published_attachment("cd" * 32) is None
    store.set_event_status("e4", "published")
    found = store.published_attachment("cd" * 32)
    assert found is not None and found.event_id == "e4" and found.media_type == "image/png"


def _decode(tile: bytes) -> dict:
    return mapbox_vector_tile.decode(tile, default_options={"y_coord_down": True})


def test_district_and_event_tiles_decode_with_properties(store):
    _seed(store)
    decoded = _decode(store.district_tile("nablus", *TILE, layer="nablus.districts"))
    features = decoded["nablus.districts"]["features"]
    codes = {f["properties"]["code"] for f in features}
    assert "001" in codes and "010" not in codes  # the tile holds the west end only
    first = next(f for f in features if f["properties"]["code"] == "001")
    assert first["properties"]["name_ar"] == "حي 001"
    xs = [x for ring in first["geometry"]["coordinates"] for x, _ in ring]
    # Tile coordinates (0…4096 plus a 64 buffer), not degrees.
    assert min(xs) >= -64 and max(xs) <= 4096 + 64 and max(xs) > 100

    events = _decode(store.event_tile("nablus", "fire", *TILE, layer="nablus.events.fire"))
    ids = {f["properties"]["id"] for f in events["nablus.events.fire"]["features"]}
    assert ids == {"e1", "e2"}  # e4 is not published, e3 is east of the tile
    when = {
        f["properties"]["id"]: f["properties"]["occurred_at"]
        for f in events["nablus.events.fire"]["features"]
    }
    assert when["e1"] == "2025-01-01T00:00:00Z"
    assert store.district_tile("nablus", *FAR_TILE, layer="x") == b""


def _seed_shares(store: Store, codes=CODES) -> None:
    for period, value in (("2024", 0.1), ("2025", 0.2)):
        store.put_indicator_values(
            "nablus",
            pd.DataFrame(
                {
                    "district_code": codes,
                    "period": period,
                    "indicator_id": "foreign_citizens_share",
                    "value": value,
                    "score": 50.0,
                    "coverage": 1.0,
                    "suppressed": [c == "002" for c in codes],
                    "definition_hash": "t",
                }
            ),
        )


def test_indicator_tiles_hide_suppressed_values(store):
    _seed(store)
    _seed_shares(store)
    tile = store.indicator_tile("nablus", "foreign_citizens_share", *TILE, layer="share")
    props = {f["properties"]["code"]: f["properties"] for f in _decode(tile)["share"]["features"]}
    assert props["001"]["value"] == 0.2 and props["001"]["period"] == "2025"
    assert props["002"]["suppressed"] is True
    assert "value" not in props["002"] and "score" not in props["002"]
    older = store.indicator_tile(
        "nablus", "foreign_citizens_share", *TILE, layer="share", period="2024"
    )
    assert _decode(older)["share"]["features"][0]["properties"]["value"] == 0.1


def test_bbox_selects_districts_whose_shape_meets_it_not_just_their_extent(store):
    import geopandas as gpd

    store.upsert_city(CITY)
    # A triangle whose bounding box covers the query box's corner while its shape stays away.
    triangle = shapely.Polygon([(35.20, 32.20), (35.30, 32.20), (35.20, 32.30)])
    square = shapely.box(35.30, 32.20, 35.40, 32.30)
    store.load(IngestRun(CITY.slug, "boundaries", "t.geojson", "t"), districts=gpd.GeoDataFrame(
        {"code": ["T", "S"], "name_en": ["T", "S"], "name_ar": ["ت", "س"], "area_m2": [1.0, 1.0]},
        geometry=[triangle, square], crs="EPSG:4326"))
    found, matched = store.district_page("nablus", bbox=(35.28, 32.28, 35.32, 32.29))
    assert matched == 1 and list(found["code"]) == ["S"]
    paged, matched = store.district_page("nablus", bbox=(35.1, 32.1, 35.5, 32.5), limit=1,
                                         offset=1)
    assert matched == 2 and list(paged["code"]) == ["T"]


def test_district_features_page_like_district_page_with_geojson_and_values(store):
    _seed(store)
    _seed_shares(store, CODES[1:])  # no values for 001
    box = (35.205, 32.202, 35.228, 32.208)  # meets 001, 002 and 003
    plain = store.district_features("nablus", bbox=box, limit=2)
    page, matched = store.district_page("nablus", bbox=box, limit=2)
    assert plain.matched == matched == 3 and plain.period is None
    assert plain.columns == ("code", "name_en", "name_ar", "area_m2")
    assert plain.rows == [("001", "D001", "حي 001", 1e6), ("002", "D002", "حي 002", 1e6)]
    shapes = [shapely.from_geojson(text) for text in plain.geometries]
    assert all(a.equals(b) for a, b in zip(shapes, page.geometry))

    latest = store.district_features("nablus", indicator_id="foreign_citizens_share", bbox=box)
    assert latest.period == "2025" and latest.matched == 3
    rows = {row[0]: dict(zip(latest.columns, row)) for row in latest.rows}
    assert rows["001"]["value"] is None and rows["001"]["period"] is None  # no value there
    # The store hands suppressed values over as they are; the API hides them.
    assert rows["002"]["suppressed"] is True and rows["002"]["value"] == 0.2
    assert rows["003"] == {"code": "003", "name_en": "D003", "name_ar": "حي 003",
                           "area_m2": 1e6, "indicator_id": "foreign_citizens_share",
                           "period": "2025", "value": 0.2, "score": 50.0, "coverage": 1.0,
                           "suppressed": False}
    older = store.district_features("nablus", indicator_id="foreign_citizens_share",
                                    period="2024", code="003")
    assert older.period == "2024" and older.rows[0][6] == 0.1 and older.matched == 1
    for missing in ({"period": "1999"}, {"indicator_id": "unknown"}):
        found = store.district_features("nablus", **{"indicator_id": "foreign_citizens_share",
                                                     **missing})
        assert found.period is None and found.rows == []
