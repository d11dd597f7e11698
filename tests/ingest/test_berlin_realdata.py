"""Berlin's real tables at three levels through the shipped specs, on both stores.

Each level is its own city slug (a city has one current boundary set). Ids are zero-padded text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingest.jobs import ingest_boundaries, ingest_census

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs"
T1_VARIABLES = 5  # total, Germans, foreigners, with and without migration background
T4_GROUPS = 27


def _foreign_share(observations: pd.DataFrame) -> float:
    population = observations[observations["variable"] == "population"]
    foreign = population["dims"].str.contains('"citizenship":"foreign"', regex=False)
    return population.loc[foreign, "value"].sum() / population["value"].sum()


@pytest.mark.parametrize(
    ("slug", "layer", "level", "areas", "first_code"),
    [("berlin", "districts.geojson", "districts", 12, "01"),
     ("berlin-forecast-areas", "forecast-areas-2021.geojson", "forecast-areas", 58, "0110")],
)
def test_berlin_t1_and_t4(store, shared_data, slug, layer, level, areas, first_code):
    berlin = shared_data / "berlin"
    boundaries = ingest_boundaries(store, berlin / layer, slug)
    assert boundaries.status == "succeeded" and boundaries.rows_rejected == 0
    assert first_code in set(store.districts(slug)["code"])
    assert store.city(slug).local_crs == "EPSG:25833"

    for table, spec, per_area in (("t1", "census_t1.yaml", T1_VARIABLES),
                                  ("t4", "census_t4.yaml", T4_GROUPS)):
        run = ingest_census(store, berlin / f"{table}-{level}.csv", slug, SPECS / "berlin" / spec)
        assert run.status == "succeeded" and store.rejected_rows(run.id) == []
        assert run.rows_loaded == areas * per_area
    observations = store.observations(slug)
    assert set(observations["district_code"]) == set(store.districts(slug)["code"])
    # Every level adds up to the same Berlin: 3,897,145 inhabitants, 971,878 foreigners.
    assert observations.loc[observations["variable"] == "population_total", "value"].sum() == (
        3_897_145)
    assert _foreign_share(observations) == pytest.approx(971_878 / 3_897_145, rel=1e-12)


def test_old_planning_areas_447_of_448_join_and_the_odd_ones_are_reported(store, shared_data):
    berlin, slug = shared_data / "berlin", "berlin-planning-areas-2020"
    boundaries = ingest_boundaries(store, berlin / "planning-areas-until-2020.geojson", slug)
    (duplicate,) = store.rejected_rows(boundaries.id)
    assert duplicate.raw == "06010102" and "duplicate district code" in duplicate.reason
    assert len(store.districts(slug)) == 447

    spec = SPECS / "berlin_planning_areas_2020" / "census_t1.yaml"
    census = ingest_census(store, berlin / "t1-planning-areas-2020-02.csv", slug, spec)
    (missing,) = store.rejected_rows(census.id)
    assert (missing.column, missing.raw) == ("id", "04030417")
    assert "is not a known district code" in missing.reason
    observations = store.observations(slug)
    assert observations["district_code"].nunique() == 447
    assert len(observations) == 447 * T1_VARIABLES
    assert observations["period"].unique().tolist() == ["2020"]
