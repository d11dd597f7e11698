"""The indicator engine: evaluate → standardise → aggregate, and storage on both backends."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.aggregate import weighted_means
from indicators.compute import compute_city, framework_values
from indicators.definitions import (
    Benchmarks,
    DefinitionError,
    Framework,
    load_definitions,
    load_framework,
    load_frameworks,
)
from indicators.evaluate import PreparedObservations, evaluate
from indicators.standardise import standardise
from observatory.models import City, IngestRun, canonical_dims
from observatory.settings import DisclosureSettings


def _obs(rows, variable="population"):
    return pd.DataFrame([
        {"district_code": d, "period": p, "variable": variable,
         "dims": canonical_dims(dims), "value": v, "unit": "persons", "ingest_run": "r1"}
        for d, p, dims, v in rows])


def test_foreign_share_per_district_and_city_with_small_counts_suppressed():
    obs = _obs([
        ("A", "2025", {"citizenship": "national", "sex": "male"}, 600),
        ("A", "2025", {"citizenship": "syrian", "sex": "male"}, 300),
        ("A", "2025", {"citizenship": "iraqi", "sex": "female"}, 100),
        ("B", "2025", {"citizenship": "national"}, 990),
        ("B", "2025", {"citizenship": "syrian"}, 10),  # 10 <= 15: suppressed
        ("B", "2025", {}, 5000),  # a totals row without the dimension must not count
    ])
    share = load_definitions()["foreign_citizens_share"]
    got = evaluate(share, PreparedObservations(obs), min_count=15)
    by = {d: r for d, r in zip(got["district_code"].fillna("city"), got.to_dict("records"))}
    assert by["A"]["value"] == pytest.approx(0.4) and not by["A"]["suppressed"]
    assert by["B"]["suppressed"] and pd.isna(by["B"]["value"])
    assert by["city"]["value"] == pytest.approx(410 / 2000)


def test_standardise_follows_direction_log_and_clipping():
    low_better = Benchmarks(min=1, max=28.2)
    np.testing.assert_allclose(standardise(np.array([1, 14.6, 28.2, 40, np.nan]), low_better,
                                           "lower"), [100, 50, 0, 0, np.nan])
    log = Benchmarks(min=714.64, max=108818.96, log=True)
    mid = np.exp((np.log(714.64) + np.log(108818.96)) / 2)
    np.testing.assert_allclose(standardise(np.array([mid, 100, 1e6]), log, "higher"),
                               [50, 0, 100])


def test_weighted_means_skip_missing_and_report_coverage():
    scores = np.array([[80.0, np.nan, 20.0], [0.0, 50.0, 50.0], [np.nan] * 3])
    value, cover = weighted_means(scores, np.array([1.0, 1.0, 2.0]), "arithmetic")
    np.testing.assert_allclose(value[:2], [40.0, 37.5])
    np.testing.assert_allclose(cover, [0.75, 1.0, 0.0])
    assert np.isnan(value[2])
    geo, _ = weighted_means(scores, np.ones(3), "geometric")
    assert geo[0] == pytest.approx(40.0) and geo[1] == 0.0  # a zero part zeroes the mean


def _composite_framework(**aggregation) -> Framework:
    def indicator(ident, dim, sub, variable, direction="higher"):
        return {"id": ident, "names": {"en": ident, "ar": ident}, "dimension": dim,
                "subdimension": sub, "direction": direction,
                "benchmarks": {"min": 0, "max": 1},
                "formula": {"terms": {"x": {"variable": variable}}, "expression": "x"}}
    return Framework.model_validate({
        "framework": "mini", "names": {"en": "Mini", "ar": "صغير"}, "composite": True,
        "aggregation": aggregation,
        "dimensions": [
            {"id": "d1", "names": {"en": "D1", "ar": "١"},
             "subdimensions": [{"id": "s1", "names": {"en": "S1", "ar": "١"}},
                               {"id": "s2", "names": {"en": "S2", "ar": "٢"}}]},
            {"id": "d2", "names": {"en": "D2", "ar": "٢"},
             "subdimensions": [{"id": "s3", "names": {"en": "S3", "ar": "٣"}}]}],
        "indicators": [indicator("a", "d1", "s1", "va"), indicator("b", "d1", "s2", "vb"),
                       indicator("c", "d2", "s3", "vc", "lower")]})


def test_composites_use_the_configured_means_and_never_count_missing_as_zero():
    obs = pd.concat([_obs([("A", "2025", {}, 0.8), ("B", "2025", {}, 0.5)], "va"),
                     _obs([("A", "2025", {}, 0.4)], "vb"),
                     _obs([("A", "2025", {}, 0.75), ("B", "2025", {}, 0.5)], "vc")])
    values = framework_values(_composite_framework(), PreparedObservations(obs), min_count=0)
    got = values.set_index(["indicator_id", "district_code"])
    assert got.loc[("c", "A"), "score"] == pytest.approx(25.0)  # lower is better
    assert got.loc[("mini.d1", "A"), "score"] == pytest.approx(60.0)
    # B has no value for b: d1 is built from s1 alone and says so in its coverage
    assert got.loc[("mini.d1", "B"), "score"] == pytest.approx(50.0)
    assert got.loc[("mini.d1", "B"), "coverage"] == pytest.approx(0.5)
    assert got.loc[("mini", "A"), "score"] == pytest.approx(np.sqrt(60 * 25))
    assert got.loc[("mini", "B"), "coverage"] == pytest.approx(0.75)
    arithmetic = framework_values(_composite_framework(index="arithmetic"),
                                  PreparedObservations(obs), min_count=0)
    top = arithmetic.set_index(["indicator_id", "district_code"]).loc[("mini", "A"), "score"]
    assert top == pytest.approx(42.5)


def test_definition_errors_name_the_file_indicator_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("framework: x\nnames: {en: X}\nindicators:\n"
                   "  - id: share\n    names: {en: S}\n    direction: upward\n"
                   "    formula: {terms: {a: {variable: v}}, expression: a}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"bad\.yaml.*indicator share.*direction"):
        load_framework(bad)


def test_shipped_definitions_load_and_hashes_are_stable():
    assert "demography" in load_frameworks()
    share = load_definitions()["foreign_citizens_share"]
    assert share.names["ar"]
    assert share.hash == load_definitions()["foreign_citizens_share"].hash
    assert share.hash != share.model_copy(update={"unit": "percent"}).hash


def test_compute_city_stores_values_on_each_backend(store):
    store.upsert_city(City("c", "C", "سي"))
    districts = gpd.GeoDataFrame({"code": ["A", "B"], "name_en": ["A", "B"],
                                  "name_ar": ["أ", "ب"], "area_m2": [1.0, 1.0]},
                                 geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                                 crs="EPSG:4326")
    store.load(IngestRun("c", "boundaries", "b.geojson", "b"), districts=districts)
    obs = _obs([("A", "2025", {"citizenship": "national"}, 700),
                ("A", "2025", {"citizenship": "syrian"}, 300),
                ("B", "2025", {"citizenship": "national"}, 500),
                ("B", "2025", {"citizenship": "syrian"}, 500)]).drop(columns="ingest_run")
    run = store.load(IngestRun("c", "census", "c.csv", "c"), observations=obs)
    # foreign share and two citizenship shares, each for A, B and the city
    assert compute_city(store, "c", DisclosureSettings(), framework="demography") == 9
    got = store.indicator_values("c", "foreign_citizens_share", "2025")
    by_code = dict(zip(got["district_code"].fillna("city"), got["value"]))
    assert by_code == pytest.approx({"city": 0.4, "A": 0.3, "B": 0.5})
    assert set(got["source_runs"]) == {run.id}
    assert set(got["definition_hash"]) == {load_definitions()["foreign_citizens_share"].hash}


def _two_districts():
    return _obs([("A", "2025", {"citizenship": "national"}, 700),
                 ("A", "2025", {"citizenship": "syrian"}, 300),
                 ("B", "2025", {"citizenship": "national"}, 500),
                 ("B", "2025", {"citizenship": "syrian"}, 200),
                 ("B", "2025", {"citizenship": "iraqi"}, 300)])


def _by_district(definition_id, obs, min_count=15):
    got = evaluate(load_definitions()[definition_id], PreparedObservations(obs), min_count)
    return dict(zip(got["district_code"].fillna("city"), got["value"]))


def test_location_quotient_divides_by_the_city_share():
    got = _by_district("location_quotient_foreign", _two_districts())
    assert got["A"] == pytest.approx(0.3 / 0.4) and got["B"] == pytest.approx(0.5 / 0.4)
    assert got["city"] == pytest.approx(1.0)


def test_diversity_measures_per_district():
    shannon = _by_district("citizenship_diversity_shannon", _two_districts())
    assert shannon["A"] == pytest.approx(-(0.7 * np.log(0.7) + 0.3 * np.log(0.3)))
    normalised = _by_district("citizenship_diversity_shannon_normalised", _two_districts())
    assert normalised["B"] == pytest.approx(
        -(0.5 * np.log(0.5) + 0.2 * np.log(0.2) + 0.3 * np.log(0.3)) / np.log(3))
    simpson = _by_district("citizenship_diversity_simpson", _two_districts())
    assert simpson["A"] == pytest.approx(1 - 0.7**2 - 0.3**2)


def test_integration_gap_is_group_rate_minus_reference_rate():
    rows = []
    for citizenship, employed, unemployed in [("national", 900, 100), ("syrian", 160, 40),
                                              ("iraqi", 75, 25)]:
        rows += [("A", "2025", {"citizenship": citizenship, "status": "employed",
                                "sex": "male"}, employed),
                 ("A", "2025", {"citizenship": citizenship, "status": "unemployed",
                                "sex": "male"}, unemployed)]
    got = _by_district("gap_unemployment_foreign_vs_nationals", _obs(rows, "labour_force"))
    assert got["A"] == pytest.approx(100 * 65 / 300 - 10.0)


def test_cpi_has_six_dimensions_and_methodology_benchmarks():
    cpi = load_frameworks()["cpi"]
    assert [d.id for d in cpi.dimensions] == ["productivity", "infrastructure", "quality_of_life",
                                              "equity", "environment", "governance"]
    assert cpi.aggregation.index == "geometric"
    by_id = {d.id: d for d in cpi.indicators}
    unemployment = by_id["cpi_unemployment_rate"]
    assert (unemployment.benchmarks.min, unemployment.benchmarks.max) == (1, 28.2)
    assert unemployment.direction == "lower"
    product = by_id["cpi_city_product_per_capita"].benchmarks
    assert (product.min, product.max, product.log) == (714.64, 108818.96, True)


def test_access_to_welcome_services_uses_centres_and_service_points(store):
    # Two 1 km squares in UTM 37N; one service point 300 m east of district A's centre.
    utm = "EPSG:32637"
    squares = gpd.GeoSeries([shapely.box(500_000, 4_100_000, 501_000, 4_101_000),
                             shapely.box(501_000, 4_100_000, 502_000, 4_101_000)], crs=utm)
    store.upsert_city(City("c", "C", "سي", local_crs=utm))
    store.load(IngestRun("c", "boundaries", "b.geojson", "b"), districts=gpd.GeoDataFrame(
        {"code": ["A", "B"], "name_en": ["A", "B"], "name_ar": ["أ", "ب"],
         "area_m2": [1e6, 1e6]}, geometry=squares.to_crs(4326).values, crs="EPSG:4326"))
    centres = gpd.GeoSeries(shapely.points([(500_500, 4_100_500), (501_500, 4_100_500)]),
                            crs=utm).to_crs(4326)
    rows = [("A", "2025", {"citizenship": "national"}, 900),
            ("A", "2025", {"citizenship": "syrian"}, 500),
            ("B", "2025", {"citizenship": "national"}, 900),
            ("B", "2025", {"citizenship": "syrian"}, 10)]
    obs = pd.concat([_obs(rows)] + [
        _obs([(code, "2025", {"source": "raster"}, getattr(point, axis))], f"population_centre_{name}")
        for code, point in zip("AB", centres) for axis, name in (("x", "lon"), ("y", "lat"))])
    store.load(IngestRun("c", "census", "c.csv", "c"), observations=obs.drop(columns="ingest_run"))
    service = gpd.GeoDataFrame(
        {"id": ["s1"], "layer": ["service"], "occurred_at": [pd.Timestamp("2025-01-01T00:00Z")],
         "attributes": ["{}"], "status": ["published"]},
        geometry=gpd.GeoSeries([shapely.Point(500_800, 4_100_500)], crs=utm).to_crs(4326).values,
        crs="EPSG:4326")
    store.load(IngestRun("c", "events", "services.geojson", "s"), events=service)
    compute_city(store, "c", DisclosureSettings(), framework="intercultural")
    distance = store.indicator_values("c", "welcome_service_distance", "2025")
    by_code = dict(zip(distance["district_code"], distance["value"]))
    assert by_code["A"] == pytest.approx(300, abs=0.5)
    assert by_code["B"] == pytest.approx(700, abs=0.5)
    rate = store.indicator_values("c", "welcome_services_per_1000_foreign", "2025")
    by_code = {c: (v, s) for c, v, s in zip(rate["district_code"], rate["value"],
                                            rate["suppressed"])}
    assert by_code["A"][0] == pytest.approx(2.0)  # one service for 500 foreign residents
    assert by_code["B"][1]  # 10 foreign residents: suppressed, not a division by a small count


def test_values_name_every_ingest_run_behind_them():
    obs = _two_districts()
    obs.loc[obs["district_code"] == "B", "ingest_run"] = ["r2", "r1", "r2"]
    got = evaluate(load_definitions()["foreign_citizens_share"], PreparedObservations(obs), 15)
    runs = dict(zip(got["district_code"].fillna("city"), got["runs"]))
    assert runs == {"A": "r1", "B": "r1,r2", "city": "r1,r2"}


def test_group_shares_give_one_indicator_per_group():
    share = load_definitions()["citizenship_share"]
    got = evaluate(share, PreparedObservations(_two_districts()), min_count=15)
    values = {(i, d): v for i, d, v in zip(got["indicator_id"],
                                            got["district_code"].fillna("city"), got["value"])}
    assert values[("citizenship_share.syrian", "A")] == pytest.approx(0.3)
    assert values[("citizenship_share.iraqi", "B")] == pytest.approx(0.3)
    assert values[("citizenship_share.national", "city")] == pytest.approx(1200 / 2000)
    assert np.isnan(values[("citizenship_share.iraqi", "A")])  # no row: missing, not zero
    stored = framework_values(load_frameworks()["demography"],
                              PreparedObservations(_two_districts()), min_count=15)
    assert {"citizenship_share.syrian", "foreign_citizens_share"} <= set(stored["indicator_id"])


def test_foreign_born_share_from_birthplace_counts():
    obs = pd.concat([
        _obs([("A", "2020", {"birthplace": "foreign_born"}, 250),
              ("A", "2020", {"birthplace": "native_born"}, 750)], "population_by_birthplace")])
    got = _by_district("foreign_born_share", obs)
    assert got["A"] == pytest.approx(0.25) and got["city"] == pytest.approx(0.25)
