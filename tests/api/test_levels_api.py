"""Geographic levels through the API on both stores: ``?level=`` (an unknown level is a 404
listing the city's levels), the levels listing, a collection and tiles per level, values carried
across a redrawn boundary marked ``estimate`` with their method, and the changed boundaries."""

from __future__ import annotations

import math
from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from two_level_city import CARRIED, CITY, INDICATOR, seed_two_levels

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store

SLUG = CITY.slug


@pytest.fixture
def api(store: Store, store_url: str) -> Iterator[TestClient]:
    seed_two_levels(store)
    with TestClient(create_app(StoreSettings(database_url=store_url), ApiSettings())) as client:
        yield client


def _tile(z: int = 10) -> str:  # the whole town
    lon, lat, n = 34.9, 31.88, 2**z
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"{z}/{int((lon + 180) / 360 * n)}/{y}"


def test_levels_and_an_unknown_level(api: TestClient):
    levels = api.get(f"/cities/{SLUG}/levels").json()["levels"]
    assert [(lv["name"], lv["parent"], lv["name_ar"]) for lv in levels] == [
        ("district", None, "المناطق"), ("neighbourhood", "district", "الحارات")]
    assert levels[1]["versions"] == [
        {"valid_from": "2015-01-01", "valid_to": "2020-01-01", "areas": 8},
        {"valid_from": "2020-01-01", "valid_to": None, "areas": 8}]
    for url in (f"/cities/{SLUG}/indicators", f"/cities/{SLUG}/districts",
                f"/maps/{SLUG}/{INDICATOR}", f"/collections/{SLUG}.ward/items",
                f"/tiles/{SLUG}.ward/{_tile()}.mvt"):
        answer = api.get(url, params={"level": "ward"})
        assert answer.status_code == 404, url
        assert "its levels are: district, neighbourhood" in answer.json()["detail"]


def test_values_of_a_level_carry_their_estimate(api: TestClient):
    values = api.get(f"/cities/{SLUG}/indicators",
                     params={"level": "neighbourhood", "district": "31"}).json()["values"]
    assert [(v["period"], v["value"], v["estimate"]) for v in values] == [("2024", 0.5, "")]
    carried = api.get(f"/cities/{SLUG}/indicators",
                      params={"level": "neighbourhood", "period": "2018"}).json()["values"]
    assert {v["estimate"] for v in carried if v["district_code"]} == {CARRIED}
    top = api.get(f"/cities/{SLUG}/indicators").json()["values"]
    assert sorted(v["district_code"] or "city" for v in top) == ["1", "2", "3", "4", "city"]


def test_areas_and_profiles_of_each_level(api: TestClient):
    areas = api.get(f"/cities/{SLUG}/districts", params={"level": "neighbourhood"}).json()
    parents = {f["properties"]["code"]: f["properties"]["parent_code"] for f in areas["features"]}
    assert parents == {f"{i}{h}": str(i) for i in range(1, 5) for h in (1, 2)}
    district = api.get(f"/cities/{SLUG}/districts/3/profile").json()
    assert (district["level"], district["parent"]) == ("district", None)
    assert [c["code"] for c in district["children"]] == ["31", "32"]
    quarter = api.get(f"/cities/{SLUG}/districts/31/profile",
                      params={"level": "neighbourhood", "period": "2018"}).json()
    assert quarter["parent"] == {"level": "district", "code": "3", "name_en": "District 3",
                                 "name_ar": "المنطقة 3"}
    assert quarter["children"] == []
    assert [e["estimate"] for e in quarter["indicators"]] == [CARRIED]


def test_a_collection_and_tiles_per_level(api: TestClient):
    ids = [c["id"] for c in api.get("/collections").json()["collections"]]
    level_ids = [f"{SLUG}.neighbourhood", f"{SLUG}.neighbourhood.indicator.{INDICATOR}"]
    assert ids == [f"{SLUG}.districts", f"{SLUG}.indicator.{INDICATOR}", *level_ids]
    items = api.get(f"/collections/{level_ids[1]}/items", params={"period": "2018"}).json()
    assert items["numberMatched"] == 8
    assert {f["properties"]["estimate"] for f in items["features"]} == {CARRIED}
    assert api.get(f"/collections/{level_ids[0]}").json()["title"] == "Ramla: neighbourhood"
    tile = api.get(f"/tiles/{level_ids[1]}/{_tile()}.mvt", params={"period": "2018"})
    decoded = mapbox_vector_tile.decode(tile.content)[level_ids[1]]["features"]
    assert {f["properties"]["estimate"] for f in decoded} == {CARRIED}
    assert len(decoded) == 8
    top = mapbox_vector_tile.decode(api.get(f"/tiles/{SLUG}.districts/{_tile()}.mvt").content)
    assert len(top[f"{SLUG}.districts"]["features"]) == 4


def test_boundary_changes_say_what_was_carried_where(api: TestClient):
    (change,) = api.get(f"/cities/{SLUG}/boundary-changes").json()["changes"]
    assert (change["level"], change["valid_from"], change["successor"]) == (
        "neighbourhood", "2015-01-01", {"level": "neighbourhood", "valid_from": "2020-01-01"})
    assert change["recoded"] == [{"old_code": "X12", "new_code": "12"}]
    assert change["renamed"] == [{"code": "21", "old_name": "Old Market",
                                  "new_name": "Quarter 21"}]
    assert (change["split"], change["merged"]) == (["30"], ["41"])
    carried = {a["from_code"]: [(t["code"], t["weight"]) for t in a["to"]]
               for a in change["carried"]}
    assert carried["30"] == [("31", 0.5), ("32", 0.5)]
    page = api.get(f"/maps/{SLUG}/boundaries/neighbourhood/2015-01-01", params={"lang": "ar"})
    assert page.status_code == 200 and "حدود الفترة من 2015-01-01 إلى 2020-01-01" in page.text
    assert api.get(f"/maps/{SLUG}/boundaries/neighbourhood/2020-01-01").status_code == 404


def test_maps_of_a_level_mark_carried_values(api: TestClient):
    choropleth = api.get(f"/maps/{SLUG}/{INDICATOR}",
                         params={"level": "neighbourhood", "period": "2018"}).text
    assert f"estimated: {CARRIED}" in choropleth and "class=\"legend-estimated" in choropleth
    assert "class=\"legend-estimated" not in api.get(f"/maps/{SLUG}/{INDICATOR}").text
    layered = api.get(f"/maps/{SLUG}/layers", params={"level": "neighbourhood"}).text
    assert 'id="level-switch"' in layered and "?indicator=" in layered


def test_hotspots_of_carried_values_name_their_method(api: TestClient):
    answer = api.get(f"/cities/{SLUG}/hotspots", params={
        "indicator": INDICATOR, "level": "neighbourhood", "period": "2018",
        "permutations": 99}).json()
    assert {d["estimate"] for d in answer["districts"]} == {CARRIED}
    page = api.get(f"/maps/{SLUG}/hotspots/{INDICATOR}",
                   params={"level": "neighbourhood", "period": "2018"}).text
    assert CARRIED in page
