"""Vienna's, Berlin's and Chicago's files with shipped specs, loaded with the spec inferred
from each: the rows must be those of the shipped spec, or differ only in what the inferred
spec flags (a note the officer sees and a CHECK line in the YAML), for the reason given here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from spec_agreement import agree, open_stores

from observatory.services.spec_inference import infer_spec
from observatory.store import open_store

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs"


@dataclass(frozen=True)
class File:
    feed: str
    data: str
    spec: str
    period: str | None = None
    level: str | None = None  # the shipped census specs leave the level to --level
    codes_from: str | None = None  # the table whose codes the areas carry (--codes-from)
    # Fields the inference cannot know and says so, with the words of its note:
    flagged: dict[str, str] = field(default_factory=dict)


VIENNA_CENSUS = "vienna/population_sex_age_nationality_2002_2025.csv"
BERLIN_2020 = "berlin/t1-planning-areas-2020-02.csv"
# Vienna's boundaries: the codes are computed (90000 + BEZ*100, the census table's codes: found
# from the table named with --codes-from); the shipped spec's Arabic names are transliterations
# written by hand, which no file holds: the inferred spec says name_ar is missing.
# Berlin's 2020 planning areas repeat 06010102: the feature lying in district 04 gets the one
# code of the 2020 table that starts with 04 and has no polygon, as the shipped correction.
# Chicago's carjackings: times without an offset are read in America/Chicago (the nearest zone
# of the city's country); the attribute names come from the shipped spec's vocabulary.
CITIES = {
    "vienna": [
        File("boundaries", "vienna/districts_epsg31256.geojson", "vienna/boundaries.yaml",
             codes_from=VIENNA_CENSUS, flagged={"name_ar": "no column holds Arabic names"}),
        File("census", VIENNA_CENSUS, "vienna/census.yaml"),
    ],
    "berlin": [
        File("boundaries", "berlin/districts.geojson", "berlin/boundaries.yaml"),
        File("census", "berlin/t1-districts.csv", "berlin/census_t1.yaml", "2023"),
        File("census", "berlin/t4-districts.csv", "berlin/census_t4.yaml", "2023"),
        # A finer level: its codes start with the districts' codes.
        File("boundaries", "berlin/forecast-areas-2021.geojson", "berlin/forecast_areas.yaml"),
        File("census", "berlin/t1-forecast-areas.csv", "berlin/census_t1.yaml", "2023",
             level="forecast_area"),
        File("boundaries", "berlin/planning-areas-until-2020.geojson",
             "berlin/planning_areas_2020.yaml", codes_from=BERLIN_2020),
        File("census", BERLIN_2020, "berlin/census_t1_2020.yaml", "2020"),
    ],
    "chicago": [
        File("boundaries", "chicago/community_areas/Chicago_2020.shp", "chicago/boundaries.yaml"),
        File("census", "chicago/community_areas/Chicago_2020.shp", "chicago/census.yaml"),
        File("events", "chicago/carjackings_2020.geojson", "chicago/carjackings.yaml"),
    ],
}


@pytest.mark.parametrize("city", sorted(CITIES))
def test_inferred_specs_load_what_the_shipped_specs_load(city, shared_data, tmp_path: Path):
    """Each file in order into two stores (a city's first file into empty ones); a flagged
    file differs in its flagged fields alone, and the note saying so is in the YAML."""
    stores = open_stores(tmp_path)
    equal = []
    try:
        for file in CITIES[city]:
            found = agree(stores, city, file.feed, shared_data / file.data, SPECS / file.spec,
                          period=file.period,
                          codes_from=shared_data / file.codes_from if file.codes_from else None,
                          flagged=tuple(file.flagged),
                          **({"level": file.level} if file.level else {}))
            shown = f"{file.data}: {found.why}\n{found.yaml}"
            assert found.equal is not bool(file.flagged), shown
            assert found.equal_unflagged, shown
            for words in file.flagged.values():
                assert any(words in note for note in found.notes), shown
                assert f"# CHECK: {words}" in found.yaml, shown
            equal.append(found.equal)
    finally:
        stores.close()
    assert len(equal) == len(CITIES[city])


def test_without_the_table_the_computed_codes_are_flagged(shared_data, tmp_path: Path):
    """Vienna's layer alone cannot tell that its districts are 90100…: the inferred spec takes
    a column as it is and says that the tables may key them otherwise."""
    store = open_store(f"duckdb:///{(tmp_path / 'empty.duckdb').as_posix()}")
    store.init_schema()
    try:
        found = infer_spec(store, "vienna", shared_data / "vienna/districts_epsg31256.geojson",
                           "boundaries")
    finally:
        store.close()
    assert "expression" not in found.spec["code"]
    assert any("--codes-from" in note for note in found.notes)
    assert "# CHECK: the codes are the values of" in found.yaml


def test_a_repeated_code_without_the_table_is_flagged_not_guessed(shared_data, tmp_path: Path):
    """Berlin's planning areas with the districts loaded but no table: the misplaced feature
    is named (it lies in district 04), its code is left to the officer."""
    from ingest.feeds import family
    from ingest.runner import run_feed

    store = open_store(f"duckdb:///{(tmp_path / 'berlin.duckdb').as_posix()}")
    store.init_schema()
    try:
        run_feed(family("boundaries"), store, shared_data / "berlin/districts.geojson",
                 "berlin", spec_path=SPECS / "berlin/boundaries.yaml")
        found = infer_spec(store, "berlin",
                           shared_data / "berlin/planning-areas-until-2020.geojson",
                           "boundaries")
    finally:
        store.close()
    assert "corrections" not in found.spec
    assert any(note.startswith("feature 124 repeats the code 06010102 but lies in area 04")
               for note in found.notes), found.notes
