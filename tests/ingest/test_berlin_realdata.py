"""Berlin as one city with three levels through the shipped specs, on both stores: districts >
forecast areas > planning areas (542 as codes since 2021, 448 with boundaries until 2020).

The roll-up check of the issue: the 542 planning areas summed to forecast areas and districts
equal the published forecast-area and district tables exactly; the 2020 planning areas carried
onto the 2021 forecast areas keep Berlin's totals and equal tobler's areal interpolation.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from indicators.compute import compute_city
from indicators.level_inputs import observations_at_level
from ingest.jobs import ingest_boundaries, ingest_census
from observatory.services.boundary_changes import boundary_changes
from observatory.services.level_checks import level_report
from observatory.settings import DisclosureSettings

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs" / "berlin"
T1_VARIABLES = 5  # total, Germans, foreigners, with and without migration background
T4_GROUPS = 27
CARRIED = "area-weighted, carried from the planning_area boundaries of 2006-01-01 to 2021-01-01"
SPLIT_2020 = ("01022103", "04030726", "04061757", "05020627", "09020602", "11040925")


def load_berlin(store, berlin: Path) -> dict[str, object]:
    runs = {
        "districts": ingest_boundaries(store, berlin / "districts.geojson", "berlin"),
        "forecast": ingest_boundaries(store, berlin / "forecast-areas-2021.geojson", "berlin",
                                      SPECS / "forecast_areas.yaml"),
        "planning_2020": ingest_boundaries(store, berlin / "planning-areas-until-2020.geojson",
                                           "berlin", SPECS / "planning_areas_2020.yaml"),
    }
    for name, table, spec, level in (
            ("t1_districts", "t1-districts.csv", "census_t1.yaml", None),
            ("t1_forecast", "t1-forecast-areas.csv", "census_t1.yaml", "forecast_area"),
            ("t1_planning", "t1-planning-areas.csv", "census_t1.yaml", "planning_area"),
            ("t1_2020", "t1-planning-areas-2020-02.csv", "census_t1_2020.yaml", None)):
        runs[name] = ingest_census(store, berlin / table, "berlin", SPECS / spec, level=level)
    return runs


def _foreign_share(rows: pd.DataFrame) -> pd.Series:
    population = rows[rows["variable"] == "population"]
    foreign = population["dims"].str.contains('"citizenship":"foreign"', regex=False)
    by_area = population.groupby("district_code")["value"].sum()
    return population[foreign].groupby("district_code")["value"].sum() / by_area


def test_berlin_is_one_city_with_three_levels(store, shared_data):
    runs = load_berlin(store, shared_data / "berlin")
    assert all(run.status == "succeeded" and run.rows_rejected == 0 for run in runs.values())
    assert [lv.name for lv in store.levels("berlin")] == ["district", "forecast_area",
                                                          "planning_area"]
    assert [c.slug for c in store.cities()] == ["berlin"]
    assert "all 58 areas of forecast_area nest in district" in runs["forecast"].message
    # The duplicated id is corrected (feature 124 is Charlottenburg's 04030417), so all 448
    # old planning areas load and all 448 rows of the 2020 table join.
    assert "feature 124: code 06010102 corrected to 04030417" in runs["planning_2020"].message
    assert runs["planning_2020"].rows_loaded == 448
    assert runs["t1_2020"].rows_loaded == 448 * T1_VARIABLES
    assert runs["t1_planning"].rows_loaded == 542 * T1_VARIABLES
    assert store.districts("berlin").shape[0] == 12
    forecast = store.districts("berlin", level="forecast_area")
    assert len(forecast) == 58 and (forecast["code"].str[:2] == forecast["parent_code"]).all()
    assert store.districts("berlin", level="planning_area").empty  # codes only since 2021
    assert len(store.districts("berlin", level="planning_area", as_of=pd.Timestamp(
        "2020-06-01").date())) == 448


def test_planning_areas_sum_exactly_to_the_published_forecast_area_and_district_tables(
        store, shared_data):
    load_berlin(store, shared_data / "berlin")
    report = level_report(store, "berlin")
    checks = report.roll_up.set_index(["level", "source_level"])
    assert checks.loc[("forecast_area", "planning_area"), "cells"] == 58 * T1_VARIABLES
    assert checks.loc[("district", "planning_area"), "cells"] == 12 * T1_VARIABLES
    assert (checks["cells"] == checks["equal"]).all() and (checks["max_difference"] == 0).all()
    # And by hand: the 542 rows of the table, summed by code prefix, are the tables.
    berlin = shared_data / "berlin"
    planning = pd.read_csv(berlin / "t1-planning-areas.csv", dtype={"id": str})
    for length, table in ((4, "t1-forecast-areas.csv"), (2, "t1-districts.csv")):
        published = pd.read_csv(berlin / table, dtype={"id": str}).set_index("id")
        summed = planning.groupby(planning["id"].str[:length])["inhabitants_foreigners"].sum()
        assert summed.to_dict() == published["inhabitants_foreigners"].to_dict()


def test_2020_planning_areas_are_carried_onto_the_2021_forecast_areas(store, shared_data):
    berlin = shared_data / "berlin"
    load_berlin(store, berlin)
    (carried,) = level_report(store, "berlin").carried
    assert (carried.from_level, carried.to_level, carried.method) == (
        "planning_area", "forecast_area", "area-weighted")
    assert (carried.sources, carried.targets) == (448, 58)
    assert carried.split == SPLIT_2020
    ((period, variable, before, after),) = carried.totals
    assert (period, variable, before) == ("2020", "population_total", 3_769_962)
    assert after == pytest.approx(before, rel=1e-9)

    (change,) = boundary_changes(store, store.city("berlin"), 0.9)["changes"]
    assert change["successor"] == {"level": "forecast_area", "valid_from": "2021-01-01"}
    assert tuple(change["split"]) == SPLIT_2020 and len(change["carried"]) == 448

    rows = observations_at_level(store, "berlin", "forecast_area").observations
    old = rows[rows["period"] == "2020"]
    assert set(old["estimate"]) == {CARRIED} and old["district_code"].nunique() == 58
    assert set(rows.loc[rows["period"] == "2023", "estimate"]) == {""}
    # What the disclosure gate is told: every carried count, on the forecast areas and summed
    # further to the districts, is Σ weight · the 2020 planning area's count it came from.
    for level, areas in (("forecast_area", 58), ("district", 12)):
        inputs = observations_at_level(store, "berlin", level)
        assert inputs.sources is not None and inputs.sources["district_code"].nunique() == 448
        parts = inputs.carry_weights.merge(
            inputs.sources.rename(columns={"district_code": "from_code"}),
            on=["period", "from_code"])
        rebuilt = (parts.assign(value=parts["weight"] * parts["value"])
                   .groupby(["to_code", "variable", "dims"])["value"].sum())
        carried_rows = inputs.observations[inputs.observations["period"] == "2020"].set_index(
            ["district_code", "variable", "dims"])["value"]
        assert carried_rows.index.get_level_values(0).nunique() == areas
        np.testing.assert_allclose(rebuilt.loc[carried_rows.index].to_numpy(float),
                                   carried_rows.to_numpy(float), rtol=1e-12)

    # tobler's areal interpolation of the same file onto the same forecast areas.
    tobler = pytest.importorskip("tobler.area_weighted")
    crs = "EPSG:25833"
    source = gpd.read_file(berlin / "planning-areas-until-2020.geojson").to_crs(crs)
    source.loc[123, "id"] = "04030417"  # the spec's correction of feature 124
    table = pd.read_csv(berlin / "t1-planning-areas-2020-02.csv", dtype={"id": str})
    source = source.merge(table[["id", "inhabitants_foreigners"]], on="id")
    target = gpd.read_file(berlin / "forecast-areas-2021.geojson").to_crs(crs)
    oracle = tobler.area_interpolate(source, target,
                                     extensive_variables=["inhabitants_foreigners"])
    oracle.index = target["id"]
    foreign = old[(old["variable"] == "population")
                  & old["dims"].str.contains('"citizenship":"foreign"', regex=False)]
    ours = foreign.set_index("district_code")["value"].sort_index()
    # tobler keeps its area table in float32
    np.testing.assert_allclose(ours.to_numpy(),
                               oracle.loc[ours.index, "inhabitants_foreigners"], rtol=1e-6)
    assert ours.sum() == pytest.approx(table["inhabitants_foreigners"].sum(), rel=1e-9)


def test_foreign_share_per_forecast_area_has_2020_and_2023_values(store, shared_data):
    load_berlin(store, shared_data / "berlin")
    compute_city(store, "berlin", DisclosureSettings(), framework="demography")
    values = store.indicator_values("berlin", "foreign_citizens_share", level="forecast_area")
    areas = values[values["district_code"].notna()]
    assert sorted(areas["period"].unique()) == ["2020", "2023"]
    assert areas.groupby("period")["district_code"].nunique().to_dict() == {"2020": 58,
                                                                            "2023": 58}
    assert set(areas.loc[areas["period"] == "2020", "estimate"]) == {CARRIED}
    assert set(areas.loc[areas["period"] == "2023", "estimate"]) == {""}
    # 2023: the share from the loaded forecast-area table (published to 3 digits)
    rows = observations_at_level(store, "berlin", "forecast_area").observations
    share = _foreign_share(rows[rows["period"] == "2023"])
    shown = areas[areas["period"] == "2023"].set_index("district_code")["value"]
    np.testing.assert_allclose(shown.sort_index(), share.loc[shown.sort_index().index],
                               atol=5e-4)
    # the district level is computed from counts too: its 2023 city value is Berlin's share
    city = store.indicator_values("berlin", "foreign_citizens_share", "2023")
    assert city.loc[city["district_code"].isna(), "value"].item() == pytest.approx(
        971_878 / 3_897_145, abs=5e-4)


def test_t4_at_two_levels_adds_up_to_the_same_berlin(store, shared_data):
    berlin = shared_data / "berlin"
    ingest_boundaries(store, berlin / "districts.geojson", "berlin")
    ingest_boundaries(store, berlin / "forecast-areas-2021.geojson", "berlin",
                      SPECS / "forecast_areas.yaml")
    for table, level in (("t4-districts.csv", None), ("t4-forecast-areas.csv", "forecast_area")):
        run = ingest_census(store, berlin / table, "berlin", SPECS / "census_t4.yaml",
                            level=level)
        assert run.status == "succeeded" and store.rejected_rows(run.id) == []
    sums = [store.observations("berlin", level=lv)["value"].sum()
            for lv in ("district", "forecast_area")]
    assert sums[0] == sums[1] and len(store.observations("berlin")) == 12 * T4_GROUPS
