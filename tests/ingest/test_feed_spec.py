"""Feed specs: the shipped ones load; mistakes are reported with file, key path and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.spec import load_boundaries_spec, load_census_spec

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs"

MINIMAL_CENSUS = (
    "feed: census\n"
    "district: {column: CODE}\n"
    "period: {value: 2025}\n"
    "variables: [{column: POP, variable: population, unit: persons}]\n"
)


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "census.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_vienna_specs_load():
    census = load_census_spec(SPECS / "vienna" / "census.yaml")
    assert census.header_row == 2 and census.delimiter == ";"
    assert census.dimensions["sex"].values == {"1": "male", "2": "female"}
    assert [v.dims["citizenship"] for v in census.variables] == [
        "national", "eea", "rest_of_europe", "third_country"]
    boundaries = load_boundaries_spec(SPECS / "vienna" / "boundaries.yaml")
    assert boundaries.code.expression == "90000 + BEZNR*100"
    assert boundaries.city.to_city().local_crs == "EPSG:31256"
    assert len(boundaries.name_ar.values) == 23
    assert boundaries.name_ar.values["1"] == "إنّيري شتات"


def test_numbers_in_yaml_become_text(tmp_path):
    spec = load_census_spec(_spec(tmp_path, MINIMAL_CENSUS.replace("CODE", "2025")))
    assert spec.district.column == "2025"
    assert spec.period.value == "2025"


def test_misspelt_key_names_file_key_path_and_suggestion(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS.replace("{column: CODE}", "{colum: CODE}"))
    with pytest.raises(IngestError) as caught:
        load_census_spec(path)
    message = str(caught.value)
    assert str(path) in message
    assert "key district.colum" in message
    assert "did you mean 'column'?" in message
    assert caught.value.key == "district.colum"


def test_misspelt_nested_list_key_is_found(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS.replace("unit: persons", "unti: persons"))
    with pytest.raises(IngestError, match=r"key variables\.0\.unti: .*did you mean 'unit'\?"):
        load_census_spec(path)


def test_misspelt_required_key_is_reported_as_the_typo_not_as_missing(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS.replace("variables:", "variable:"))
    with pytest.raises(IngestError, match=r"unknown key 'variable' .*did you mean 'variables'\?"):
        load_census_spec(path)


def test_period_needs_exactly_one_of_column_or_value(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS.replace("{value: 2025}", "{value: 2025, column: Y}"))
    with pytest.raises(IngestError, match=r"key period: give exactly one of"):
        load_census_spec(path)


def test_bad_choice_lists_the_allowed_values(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS + "encoding: utf8\n")
    with pytest.raises(IngestError, match=r"key encoding: .*'cp1256'.*got 'utf8'"):
        load_census_spec(path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = _spec(tmp_path, "feed: census\ndistrict: [column: CODE\n")
    with pytest.raises(IngestError, match=r"row 3: not valid YAML") as caught:
        load_census_spec(path)
    assert caught.value.file == str(path)


def test_boundaries_spec_needs_a_code(tmp_path):
    path = tmp_path / "boundaries.yaml"
    path.write_text("feed: boundaries\ncode: {}\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"key code: give code.column or code.expression"):
        load_boundaries_spec(path)


def test_census_spec_given_as_boundaries_is_refused(tmp_path):
    path = _spec(tmp_path, MINIMAL_CENSUS)
    with pytest.raises(IngestError, match=r"key feed: .*'boundaries'"):
        load_boundaries_spec(path)
