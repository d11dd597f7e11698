"""`observatory levels`: a city's levels, versions and crosswalks as the statistician reviews
them; an unknown city names the known ones."""

from __future__ import annotations

from two_level_city import CITY, seed_two_levels

from observatory.store import open_store


def test_levels_lists_levels_versions_and_what_the_crosswalk_carries(invoke, data_dir):
    assert invoke("init").exit_code == 0
    store = open_store(f"duckdb:///{data_dir / 'observatory.duckdb'}")
    seed_two_levels(store)
    store.close()
    result = invoke("levels", "--city", CITY.slug)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ("level neighbourhood (Neighbourhoods) parent district, parent code = first 1 "
            "characters") in lines
    assert "  boundaries neighbourhood 2015-01-01 to 2020-01-01: 8 areas" in lines
    assert ("crosswalk neighbourhood 2015-01-01 -> neighbourhood 2020-01-01 (area): 8 areas "
            "onto 8, 1 split: 30") in lines


def test_levels_of_an_unknown_city_names_the_known_ones(invoke):
    assert invoke("init").exit_code == 0
    result = invoke("levels", "--city", "atlantis")
    assert result.exit_code == 2 and "Unknown city 'atlantis'" in result.output
