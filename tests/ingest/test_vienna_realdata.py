"""Vienna's real open data through the shipped specs, on both store backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.jobs import ingest_boundaries, ingest_census

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs" / "vienna"
CENSUS_ROWS = 18_768  # 23 districts x 24 years x 2 sexes x 17 age bands
GROUPS = 4  # AUT, EEA, REU, TCN


def test_vienna_boundaries_and_census(store, shared_data):
    vienna = shared_data / "vienna"
    boundaries = ingest_boundaries(store, vienna / "districts_epsg31256.geojson", "vienna",
                                   SPECS / "boundaries.yaml")
    assert boundaries.status == "succeeded" and boundaries.rows_rejected == 0
    districts = store.districts("vienna")
    assert len(districts) == 23
    assert districts.set_index("code").loc["90100", "name_en"] == "Innere Stadt"
    # Stadt Wien publishes the areas (FLAECHE): Innere Stadt is 2.87 km².
    assert districts.set_index("code").loc["90100", "area_m2"] == pytest.approx(2_868_772, abs=50)

    census_file = vienna / "population_sex_age_nationality_2002_2025.csv"
    census = ingest_census(store, census_file, "vienna", SPECS / "census.yaml")
    assert census.status == "succeeded"
    assert store.rejected_rows(census.id) == []  # every district code joined
    observations = store.observations("vienna")
    assert len(observations) == CENSUS_ROWS * GROUPS
    assert set(observations["district_code"]) == set(districts["code"])

    latest = observations[observations["period"] == "2025"]
    national = latest["dims"].str.contains('"citizenship":"national"', regex=False)
    share = latest.loc[~national, "value"].sum() / latest["value"].sum()
    assert share == pytest.approx(0.364290, abs=5e-5)

    again = ingest_census(store, census_file, "vienna", SPECS / "census.yaml")
    assert again.status == "unchanged" and again.id == census.id
    assert len(store.observations("vienna")) == CENSUS_ROWS * GROUPS
