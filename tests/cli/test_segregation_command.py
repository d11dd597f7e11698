"""`observatory segregation`: the measures of a group of any dimension, chosen by option; a
dimension the data lacks is refused naming the ones it has."""

from __future__ import annotations

import pandas as pd
import pytest
from two_level_city import CITY, DISTRICT, seed_two_levels

from observatory.models import IngestRun, canonical_dims
from observatory.store import open_store


@pytest.fixture
def with_birthplace(invoke, data_dir):
    assert invoke("init").exit_code == 0
    store = open_store(f"duckdb:///{data_dir / 'observatory.duckdb'}")
    seed_two_levels(store)
    born = pd.DataFrame([
        {"district_code": code, "period": "2024", "variable": "population_by_birthplace",
         "dims": canonical_dims({"birthplace": group}), "value": value, "unit": "persons"}
        for code, foreign, native in [("1", 10, 90), ("2", 30, 70), ("3", 50, 50),
                                      ("4", 110, 90)]
        for group, value in (("foreign_born", foreign), ("native_born", native))])
    store.load(IngestRun(CITY.slug, "census", "birthplace.csv", "b"), observations=born,
               level=DISTRICT)
    store.close()


def test_segregation_of_the_foreign_born(invoke, with_birthplace):
    result = invoke("segregation", "--city", CITY.slug, "--group", "foreign_born")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{CITY.slug} 2024: Foreign-born (foreign_born) of Place of "
                               "birth (birthplace), counted in population_by_birthplace, 4 areas")
    assert "  dissimilarity: 0.333333" in lines  # by hand, as in the API test


def test_a_dimension_the_data_lacks_is_refused(invoke, with_birthplace):
    result = invoke("segregation", "--city", CITY.slug, "--dimension", "citizenship")
    assert result.exit_code == 2 and "birthplace" in result.output
