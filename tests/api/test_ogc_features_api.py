"""OGC API Features: collections read from the store at request time, bbox, paging with
numberMatched and next/prev links, datetime on event layers, single features."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from api_access import auth, seed_events
from api_seed import CITY, indicator_values
from fastapi.testclient import TestClient
from shapely.geometry import shape

from ingest.jobs import ingest_boundaries
from observatory.store import Store

DISTRICTS_ID = f"{CITY.slug}.districts"
SHARE_ID = f"{CITY.slug}.indicator.foreign_citizens_share"
FIRE_ID = f"{CITY.slug}.events.fire"


def _links(body: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in body["links"]}


def _query(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def test_conformance_names_core_and_geojson(api: TestClient):
    conforms = api.get("/conformance").json()["conformsTo"]

    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_collections_list_districts_indicators_and_published_event_layers(
    api: TestClient, seeded: Store, keys: dict
):
    ids = [c["id"] for c in api.get("/collections").json()["collections"]]
    assert ids == [DISTRICTS_ID, SHARE_ID]

    seed_events(seeded)  # a new layer appears on the next request
    listed = {c["id"]: c for c in api.get("/collections").json()["collections"]}
    assert FIRE_ID in listed
    items_link = next(link for link in listed[FIRE_ID]["links"] if link["rel"] == "items")
    assert items_link["href"].endswith(f"/collections/{FIRE_ID}/items")
    one = api.get(f"/collections/{DISTRICTS_ID}").json()
    assert one["extent"]["spatial"]["bbox"][0] == [34.97, 32.18, 35.01, 32.19]
    assert api.get(f"/collections/{CITY.slug}.events.waste").status_code == 404
    assert api.get("/collections/atlantis.districts").status_code == 404
    assert api.get(f"/collections/{CITY.slug}.roads").status_code == 404


def test_items_page_with_number_matched_and_next_prev_links(api: TestClient):
    first = api.get(f"/collections/{DISTRICTS_ID}/items", params={"limit": 3})

    assert first.status_code == 200
    assert first.headers["content-type"] == "application/geo+json"
    body = first.json()
    assert (body["numberMatched"], body["numberReturned"]) == (4, 3)
    assert [f["id"] for f in body["features"]] == ["101", "102", "103"]
    links = _links(body)
    assert "prev" not in links and _query(links["next"]) == {"limit": "3", "offset": "3"}

    second = api.get(links["next"]).json()
    assert [f["id"] for f in second["features"]] == ["104"]
    assert "next" not in _links(second)
    assert _query(_links(second)["prev"])["offset"] == "0"
    feature = second["features"][0]
    assert feature["properties"]["name_ar"] == "الحي الجنوبي"
    assert shape(feature["geometry"]).bounds == (35.0, 32.18, 35.01, 32.19)


def test_bbox_filters_in_lon_lat_and_bad_boxes_say_why(api: TestClient):
    url = f"/collections/{DISTRICTS_ID}/items"
    body = api.get(url, params={"bbox": "34.982,32.181,34.998,32.189"}).json()

    assert [f["id"] for f in body["features"]] == ["102", "103"]
    assert body["numberMatched"] == 2
    bad = api.get(url, params={"bbox": "34.9,32.1,35.0"})
    assert bad.status_code == 400 and "minx,miny,maxx,maxy" in bad.json()["detail"]
    assert api.get(url, params={"limit": 50_000}).json()["numberReturned"] == 4  # clamped


def test_indicator_collection_joins_the_latest_or_asked_period(api: TestClient):
    url = f"/collections/{SHARE_ID}/items"
    latest = {f["id"]: f["properties"] for f in api.get(url).json()["features"]}

    assert latest["101"]["value"] == 0.06 and latest["101"]["period"] == "2025"
    assert latest["103"]["suppressed"] is True and latest["103"]["value"] is None
    older = {
        f["id"]: f["properties"] for f in api.get(url, params={"period": "2024"}).json()["features"]
    }
    assert older["103"]["value"] == 0.2
    assert api.get(url, params={"period": "1999"}).status_code == 404


def test_items_answer_404_only_for_missing_layers_and_show_officers_suppressed_values(
    api: TestClient, seeded: Store, keys: dict
):
    url = f"/collections/{SHARE_ID}/items"
    nowhere = {"bbox": "10.0,10.0,10.1,10.1"}
    for layer in (DISTRICTS_ID, SHARE_ID):  # a layer with data, nothing in the box: empty page
        empty = api.get(f"/collections/{layer}/items", params=nowhere).json()
        assert (empty["numberMatched"], empty["features"]) == (0, [])
    for missing, named in (("atlantis.districts", "No city 'atlantis'"),
                           (f"{CITY.slug}.indicator.nothing", "holds no data")):
        answer = api.get(f"/collections/{missing}/items")
        assert answer.status_code == 404 and named in answer.json()["detail"]
    unknown_period = api.get(url, params={"period": "1999"}).json()["detail"]
    assert "2024" in unknown_period and "2025" in unknown_period  # it lists the periods there
    # A suppressed value the store holds: officers see it, the public sees only "suppressed".
    seeded.put_indicator_values(
        CITY.slug, indicator_values("2026", [0.07, 0.13, 0.21, 0.43], suppressed={"103"}))
    officer = {f["id"]: f["properties"] for f in
               api.get(url, headers=auth(keys["officer"])).json()["features"]}
    assert officer["103"]["suppressed"] is True and officer["103"]["value"] == 0.21
    public = api.get(f"{url}/103").json()["properties"]
    assert public["period"] == "2026" and public["suppressed"] is True
    assert public["value"] is None and public["score"] is None
    assert api.get(f"{url}/999").status_code == 404


def test_event_items_filter_by_datetime_and_hide_unpublished(
    api: TestClient, seeded: Store, keys: dict
):
    seed_events(seeded)
    url = f"/collections/{FIRE_ID}/items"

    everything = api.get(url).json()
    assert everything["numberMatched"] == 5  # fire-5 awaits review
    spring = api.get(url, params={"datetime": "2025-02-01T00:00:00Z/2025-04-10T12:00:00Z"})
    assert [f["id"] for f in spring.json()["features"]] == ["fire-1", "fire-2", "fire-3"]
    open_end = api.get(url, params={"datetime": "2025-05-01T00:00:00Z/.."}).json()
    assert [f["id"] for f in open_end["features"]] == ["fire-4"]
    officer = api.get(url, headers=auth(keys["officer"])).json()
    assert officer["numberMatched"] == 6
    single = api.get(f"{url}/fire-0").json()
    assert single["properties"]["attributes"] == {"cause": "كهرباء"}
    assert single["geometry"] == {"type": "Point", "coordinates": [34.975, 32.185]}
    assert api.get(f"{url}/fire-5").status_code == 404  # not published
    assert api.get(url, params={"datetime": "last tuesday"}).status_code == 400


def test_a_new_city_is_listed_as_soon_as_its_boundaries_land(
    api: TestClient, seeded: Store, tmp_path
):
    boundaries = tmp_path / "jenin.geojson"
    boundaries.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"code": "J1", "name_en": "Jenin Camp", "name_ar": "مخيم جنين"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[35.29, 32.45], [35.31, 32.45], [35.31, 32.47], '
        "[35.29, 32.47], [35.29, 32.45]]]}}]}",
        encoding="utf-8",
    )
    ingest_boundaries(seeded, boundaries, "jenin")

    ids = [c["id"] for c in api.get("/collections").json()["collections"]]
    assert "jenin.districts" in ids and DISTRICTS_ID in ids
    items = api.get("/collections/jenin.districts/items").json()
    assert items["features"][0]["properties"]["name_ar"] == "مخيم جنين"


def test_collections_build_the_indicator_catalogue_once_per_request(client, monkeypatch):
    from observatory.api.routes import collections as route

    built = []
    real = route.indicator_catalog
    monkeypatch.setattr(route, "indicator_catalog", lambda: built.append(1) or real())

    listed = client.get("/collections").json()["collections"]

    assert sum(".indicator." in c["id"] for c in listed) >= 1
    assert built == [1]
