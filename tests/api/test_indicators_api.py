"""Indicator values, district profiles, segregation and hot spots over the API, both stores."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from api_access import CENSUS_ROWS, auth, seed_census
from api_seed import CITY, DISTRICTS, indicator_values
from fastapi.testclient import TestClient

from indicators.compute import compute_city
from indicators.segregation_report import MULTIGROUP
from observatory.models import IngestRun, canonical_dims
from observatory.settings import DisclosureSettings
from observatory.store import Store

URL = f"/cities/{CITY.slug}"


@pytest.fixture
def with_suppressed_value(seeded: Store) -> Store:
    """A 2026 set whose suppressed district still holds a value in the store (as values
    computed elsewhere may): only officers may ever read it."""
    seeded.put_indicator_values(
        CITY.slug, indicator_values("2026", [0.07, 0.13, 0.33, 0.45], suppressed={"103"})
    )
    return seeded


def _by_district(values: list[dict]) -> dict:
    return {v["district_code"]: v for v in values}


def test_values_carry_names_unit_and_default_to_the_latest_period(api: TestClient):
    body = api.get(f"{URL}/indicators").json()

    assert body["city"] == CITY.slug
    rows = _by_district(body["values"])
    assert set(rows) == {*DISTRICTS, None}  # None: the city level
    assert {v["period"] for v in body["values"]} == {"2025"}
    first = rows["101"]
    assert first["name_en"] == "Foreign citizens (share of residents)"
    assert first["name_ar"] == "نسبة السكان من غير المواطنين"
    assert (first["unit"], first["framework"], first["value"]) == ("share", "demography", 0.06)
    older = _by_district(api.get(f"{URL}/indicators", params={"period": "2024"}).json()["values"])
    assert older["103"]["value"] == 0.2
    assert api.get(f"{URL}/indicators", params={"framework": "cpi"}).json()["values"] == []
    missing = api.get(f"{URL}/indicators", params={"framework": "nope"})
    assert missing.status_code == 404 and "demography" in missing.json()["detail"]


def test_suppressed_values_are_never_shown_below_officer(
    api: TestClient, keys: dict, with_suppressed_value
):
    for headers in ({}, auth(keys["public"]), auth(keys["planner"])):
        rows = _by_district(api.get(f"{URL}/indicators", headers=headers).json()["values"])
        assert rows["103"]["suppressed"] is True
        assert rows["103"]["value"] is None and rows["103"]["score"] is None
        assert rows["101"]["value"] == 0.07
        profile = api.get(f"{URL}/districts/103/profile", headers=headers).json()
        assert profile["indicators"][0]["value"] is None
        assert (
            "0.33"
            not in api.get(
                f"/collections/{CITY.slug}.indicator.foreign_citizens_share/items", headers=headers
            ).text
        )
    officer = _by_district(
        api.get(f"{URL}/indicators", headers=auth(keys["officer"])).json()["values"]
    )
    assert officer["103"]["value"] == 0.33 and officer["103"]["suppressed"] is True


def test_profile_puts_the_city_value_beside_the_district(api: TestClient):
    profile = api.get(f"{URL}/districts/102/profile").json()

    assert (profile["code"], profile["name_ar"]) == ("102", "الحي الشمالي")
    (entry,) = profile["indicators"]
    assert entry["indicator_id"] == "foreign_citizens_share"
    assert (entry["period"], entry["value"], entry["city_value"]) == ("2025", 0.12, 0.25)
    assert (
        api.get(f"{URL}/districts/102/profile", params={"period": "2024"}).json()["indicators"][0][
            "value"
        ]
        == 0.1
    )
    assert api.get(f"{URL}/districts/999/profile").status_code == 404


def test_segregation_of_a_group_from_an_ingested_census(api: TestClient, seeded: Store, tmp_path,
                                                        keys: dict):
    assert api.get(f"{URL}/segregation").status_code == 404  # no census yet
    seed_census(seeded, tmp_path)
    officer = auth(keys["officer"])

    foreign = api.get(f"{URL}/segregation", headers=officer).json()
    assert (foreign["group"], foreign["period"], foreign["districts"]) == ("foreign", "2026", 4)
    assert foreign["group_total"] == 300 + 100 + 150 + 60 + 5 + 3 + 600 + 400
    assert 0 < foreign["dissimilarity"] < 1
    assert foreign["moran"]["n"] == 4 and foreign["moran"]["I"] is not None
    syrian = api.get(f"{URL}/segregation", params={"group": "syrian"}, headers=officer).json()
    assert syrian["group_total"] == 300 + 150 + 5 + 600
    unknown = api.get(f"{URL}/segregation", params={"group": "martian"})
    assert unknown.status_code == 422 and "syrian" in unknown.json()["detail"]


def test_segregation_over_birthplace_chosen_by_dimension(api: TestClient, seeded: Store,
                                                       tmp_path, keys: dict):
    seed_census(seeded, tmp_path)  # citizenship, the default dimension
    born = pd.DataFrame([
        {"district_code": code, "period": "2026", "variable": "population_by_birthplace",
         "dims": canonical_dims({"birthplace": group}), "value": value, "unit": "persons"}
        for code, foreign, native in [("101", 10, 90), ("102", 30, 70), ("103", 50, 50),
                                      ("104", 110, 90)]
        for group, value in (("foreign_born", foreign), ("native_born", native))])
    seeded.load(IngestRun(CITY.slug, "census", "birthplace.csv", "b"), observations=born)
    officer = auth(keys["officer"])
    assert api.get(f"{URL}/segregation", headers=officer).json()["dimension"] == "citizenship"

    body = api.get(f"{URL}/segregation", params={"dimension": "birthplace"},
                   headers=officer).json()
    assert (body["total"], body["group"], body["group_total"]) == (
        "population_by_birthplace", "foreign", 200)
    # by hand: 0.5 * (|10/200 - 90/300| + |30/200 - 70/300| + |50/200 - 50/300| + ...) = 1/3
    assert body["dissimilarity"] == pytest.approx(1 / 3, abs=1e-12)
    assert body["group_name_ar"] == "الجميع عدا: المولودون في البلد"
    named = api.get(f"{URL}/segregation", params={"dimension": "birthplace",
                                                  "group": "foreign_born"}).json()
    # 101's 10 foreign-born are at or below the threshold: with the other districts' shares
    # the index would give them, so the public gets no single-group measure
    assert named["suppressed"] is True and named["dissimilarity"] is None
    assert named["group_name_en"] == "Foreign-born"
    unknown = api.get(f"{URL}/segregation", params={"dimension": "birthplace", "group": "x"})
    assert unknown.status_code == 422 and "foreign_born" in unknown.json()["detail"]
    missing = api.get(f"{URL}/segregation", params={"dimension": "caste"})
    assert missing.status_code == 422 and "birthplace" in missing.json()["detail"]


def test_segregation_gives_the_public_no_counts_and_rounded_measures(
    api: TestClient, seeded: Store, tmp_path, keys: dict
):
    seed_census(seeded, tmp_path)
    officer = api.get(f"{URL}/segregation", headers=auth(keys["officer"])).json()
    assert officer["dissimilarity"] is not None and officer["moran"]["I"] is not None
    # 103's 8 foreign residents (5 Syrians, 3 Jordanians) are withheld: no measure of the foreign
    # residents; the multigroup measures over the nationals and the groups merged, rounded
    counts = np.array(list(CENSUS_ROWS.values()), dtype=float)
    merged = np.column_stack([counts[:, 0], counts[:, 1:].sum(axis=1)])
    for headers in ({}, auth(keys["public"]), auth(keys["planner"])):
        public = api.get(f"{URL}/segregation", headers=headers).json()
        assert "group_total" not in public and "population" not in public
        assert public["suppressed"] is True
        assert public["dissimilarity"] is None and public["moran"] is None
        assert public["multigroup_merged"] == ["jordanian", "syrian"]
        for name, measure in MULTIGROUP.items():
            assert public[name] == float(f"{measure(merged):.3g}")


def test_segregation_never_serves_personal_data_feeds_to_the_public(
    api: TestClient, seeded: Store, tmp_path, keys: dict
):
    seed_census(seeded, tmp_path)
    users = pd.DataFrame([
        {"district_code": code, "period": "2026-01", "variable": "service_users",
         "dims": canonical_dims({"citizenship": group}), "value": value, "unit": "persons"}
        for code, group, value in [("101", "iraqi", 13), ("102", "national", 40),
                                   ("103", "national", 25), ("104", "iraqi", 2)]])
    seeded.load(IngestRun(CITY.slug, "admin", "records.csv", "r"), observations=users)
    params = {"total": "service_users", "group": "iraqi"}
    for headers in ({}, auth(keys["public"]), auth(keys["planner"])):
        refused = api.get(f"{URL}/segregation", params=params, headers=headers)
        assert refused.status_code == 404
        detail = refused.json()["detail"]
        assert "personal-data" in detail and "total=population" in detail
        assert not re.search(r"\b(13|15|2|40|25|80)\b", detail)
    officer = api.get(f"{URL}/segregation", params=params, headers=auth(keys["officer"]))
    assert officer.status_code == 200 and officer.json()["group_total"] == 15


def test_hotspots_as_json_and_geojson(api: TestClient, seeded: Store, tmp_path):
    seed_census(seeded, tmp_path)
    compute_city(seeded, CITY.slug, DisclosureSettings())
    params = {"indicator": "foreign_citizens_share", "permutations": 99}

    body = api.get(f"{URL}/hotspots", params=params).json()
    # 103 is suppressed (8 foreign residents) and 101 with it (secondary suppression: else
    # the city's share minus the others would give 103's)
    assert body["period"] == "2026" and body["summary"]["n"] == 2
    rows = {r["code"]: r for r in body["districts"]}
    assert rows["103"]["lisa_category"] == "no data" and rows["103"]["value"] is None
    assert rows["101"]["lisa_category"] == "no data" and rows["101"]["value"] is None
    assert rows["104"]["value"] == 0.333  # two valued districts: too few for Gi* categories
    shapes = api.get(f"{URL}/hotspots", params={**params, "f": "geojson"})
    assert shapes.headers["content-type"] == "application/geo+json"
    features = {f["id"]: f for f in shapes.json()["features"]}
    assert set(features) == set(DISTRICTS)
    assert features["102"]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert features["102"]["properties"]["name_ar"] == "الحي الشمالي"
    too_many = api.get(f"{URL}/hotspots", params={**params, "permutations": 100_000})
    assert too_many.status_code == 422
    assert api.get(f"{URL}/hotspots", params={"indicator": "nope"}).status_code == 404


def test_a_new_ingest_shows_on_the_next_request_without_restart(
    api: TestClient, seeded: Store, tmp_path
):
    before = api.get(f"{URL}/indicators").json()["values"]
    assert {v["period"] for v in before} == {"2025"}

    seed_census(seeded, tmp_path)
    compute_city(seeded, CITY.slug, DisclosureSettings())

    after = api.get(f"{URL}/indicators", params={"indicator": "foreign_citizens_share"}).json()
    assert {v["period"] for v in after["values"]} == {"2026"}
    # 1000 / 3000 at 3 significant digits (101 is withheld as 103's complement)
    assert _by_district(after["values"])["104"]["value"] == 0.333
