"""Census tables -> long observations, with every rejected row named by row, column and reason."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ingest.census import DistrictLookup, normalise_census
from ingest.errors import IngestError
from ingest.readers import read_table
from ingest.spec import CensusSpec
from observatory.models import OBSERVATION_COLUMNS, canonical_dims

DISTRICTS = DistrictLookup.from_districts(pd.DataFrame({
    "code": ["90100", "90200"],
    "name_en": ["Innere Stadt", "Leopoldstadt"],
    "name_ar": ["حي الزيتون", "حي النخيل"],
}))


def _spec(**overrides) -> CensusSpec:
    fields = {
        "feed": "census",
        "header_row": 2,
        "district": {"column": "DISTRICT_CODE"},
        "period": {"column": "REF_YEAR"},
        "dimensions": {"sex": {"column": "SEX", "values": {"1": "male", "2": "female"}}},
        "variables": [
            {"column": "AUT", "variable": "population", "unit": "persons",
             "dims": {"citizenship": "national"}},
            {"column": "TCN", "variable": "population", "unit": "persons",
             "dims": {"citizenship": "third_country"}},
        ],
    } | overrides
    return CensusSpec.model_validate(fields)


def _table(tmp_path: Path, body: str, name: str = "census.csv"):
    path = tmp_path / name
    path.write_text("Population by district\n" + body, encoding="utf-8")
    return read_table(path, header_row=2)


HEADER = "DISTRICT_CODE;REF_YEAR;SEX;AUT;TCN\n"


def test_wide_rows_become_long_observations_with_canonical_dims(tmp_path):
    table = _table(tmp_path, HEADER + "90100;2025;1;100;20\n90200;2025;2;50;5\n")
    result = normalise_census(table, _spec(), DISTRICTS)
    assert result.rejected == [] and result.rows_read == 2
    observations = result.observations
    assert list(observations.columns) == OBSERVATION_COLUMNS
    assert len(observations) == 4
    row = observations[(observations.district_code == "90100")
                       & (observations.dims == canonical_dims(
                           {"sex": "male", "citizenship": "third_country"}))]
    assert row["value"].tolist() == [20.0]
    assert row["period"].tolist() == ["2025"] and row["unit"].tolist() == ["persons"]
    assert json.loads(observations["dims"].iloc[0]) == {"citizenship": "national", "sex": "male"}


def test_unknown_district_is_rejected_with_row_and_column(tmp_path):
    table = _table(tmp_path, HEADER + "90100;2025;1;100;20\n99900;2025;1;7;1\n")
    result = normalise_census(table, _spec(), DISTRICTS, city="vienna")
    assert len(result.observations) == 2
    (rejected,) = result.rejected
    assert (rejected.row_number, rejected.column, rejected.raw) == (4, "DISTRICT_CODE", "99900")
    assert rejected.reason.startswith("district '99900' is not a known district code of vienna")
    assert "90100" in rejected.reason  # shows what codes look like


def test_bad_values_periods_and_dimensions_are_rejected_each_with_its_column(tmp_path):
    table = _table(tmp_path, HEADER
                   + "90100;2025;1;abc;20\n"   # line 3: non-numeric AUT
                   + "90100;2025;2;-5;20\n"    # line 4: negative AUT
                   + "90200;;1;5;5\n"          # line 5: missing period
                   + "90200;twenty;1;5;5\n"    # line 6: not a period
                   + "90200;2025;3;5;5\n"      # line 7: sex not in the mapping
                   + "90200;2025;1;;5\n")      # line 8: empty AUT
    result = normalise_census(table, _spec(), DISTRICTS)
    found = {(r.row_number, r.column): r.reason for r in result.rejected}
    assert found[(3, "AUT")] == "'abc' is not a number (use a point for decimals)"
    assert found[(4, "AUT")].startswith("negative value -5")
    assert found[(5, "REF_YEAR")] == "no period given"
    assert found[(6, "REF_YEAR")].startswith("'twenty' is not a period")
    assert found[(7, "SEX")].startswith("'3' is not in the spec's values for sex (1, 2)")
    assert found[(8, "AUT")] == "empty value"
    assert len(found) == 6
    # the good TCN cells of lines 3, 4 and 8 are kept
    assert len(result.observations) == 3


def test_duplicate_key_is_rejected_naming_the_first_row(tmp_path):
    table = _table(tmp_path, HEADER + "90100;2025;1;100;20\n90100;2025;1;101;21\n")
    result = normalise_census(table, _spec(), DISTRICTS)
    assert len(result.observations) == 2
    assert {(r.row_number, r.column) for r in result.rejected} == {(4, "AUT"), (4, "TCN")}
    assert all(r.reason.startswith("duplicate of row 3") for r in result.rejected)


def test_arabic_names_match_after_nfkc_and_whitespace_trimming(tmp_path):
    # Presentation forms (as some legacy exports write Arabic) and stray spaces still match.
    zaytoun = unicodedata.normalize("NFKC", "حي الزيتون")
    legacy = "ﺣﻲ   ﺍﻟﺰﻳﺘﻮﻥ"
    assert legacy != zaytoun and unicodedata.normalize("NFKC", legacy) == "حي   الزيتون"
    path = tmp_path / "arabic.csv"
    path.write_text(f"الحي,السنة,السكان\n {legacy} ,2025,10\nحي الياسمين,2025,3\n",
                    encoding="utf-8")
    spec = CensusSpec.model_validate({
        "feed": "census",
        "district": {"column": "الحي", "match": "name_ar"},
        "period": {"column": "السنة"},
        "variables": [{"column": "السكان", "variable": "population", "unit": "persons"}],
    })
    result = normalise_census(read_table(path), spec, DISTRICTS)
    assert result.observations["district_code"].tolist() == ["90100"]
    (rejected,) = result.rejected
    assert (rejected.row_number, rejected.column) == (3, "الحي")
    assert "is not a known district name_ar" in rejected.reason


def test_district_code_from_expression_and_period_from_value(tmp_path):
    table = _table(tmp_path, "BEZ;SEX;AUT;TCN\n01;1;10;2\n02;2;20;4\n")
    spec = _spec(district={"expression": "90000 + BEZ*100"}, period={"value": "2024"})
    result = normalise_census(table, spec, DISTRICTS)
    assert sorted(set(result.observations["district_code"])) == ["90100", "90200"]
    assert set(result.observations["period"]) == {"2024"}


def test_missing_value_column_is_an_error_naming_key_and_header(tmp_path):
    table = _table(tmp_path, "DISTRICT_CODE;REF_YEAR;SEX;AUT;TCNN\n90100;2025;1;1;1\n")
    with pytest.raises(IngestError, match=r"census.csv, key variables.1.column: no column 'TCN' "
                                          r"in the header — fix: did you mean 'TCNN'\?"):
        normalise_census(table, _spec(), DISTRICTS)


def test_wrong_delimiter_is_hinted(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("DISTRICT_CODE|REF_YEAR\n90100|2025\n", encoding="utf-8")
    table = read_table(path, delimiter=";")
    with pytest.raises(IngestError, match=r"only one column was found: check delimiter"):
        normalise_census(table, _spec(header_row=1), DISTRICTS)



def test_chunks_give_what_one_pass_gives_repeats_across_chunks_included(tmp_path):
    """A table is normalised some rows at a time; a key repeated in a later chunk, or by
    another value column, is found as in one pass, with the same first row."""
    both_national = _spec(variables=[
        {"column": "AUT", "variable": "population", "unit": "persons",
         "dims": {"citizenship": "national"}},
        {"column": "TCN", "variable": "population", "unit": "persons",
         "dims": {"citizenship": "national"}},  # the same key as AUT: every TCN repeats
    ])
    table = _table(tmp_path, HEADER + "90100;2025;1;100;20\n90200;2025;2;x;5\n"
                   "99999;2025;1;7;7\n90100;2024;1;1;2\n90100;2025;1;3;4\n90200;2025;2;6;-1\n")

    for spec in (_spec(), both_national):
        whole = normalise_census(table, spec, DISTRICTS, chunk_rows=len(table.frame))
        chunked = normalise_census(table, spec, DISTRICTS, chunk_rows=2)
        pd.testing.assert_frame_equal(_by_key(chunked.observations),
                                      _by_key(whole.observations))
        assert chunked.rejected == whole.rejected and chunked.rows_read == whole.rows_read == 6
    repeats = [(r.row_number, r.column, r.reason) for r in chunked.rejected
               if r.reason.startswith("duplicate")]
    # one pass meets the AUT column first: a TCN value repeats the AUT one of the same key
    assert [(row, column, reason.split(":")[0]) for row, column, reason in repeats] == [
        (3, "TCN", "duplicate of row 3"), (4, "TCN", "duplicate of row 8"),
        (6, "TCN", "duplicate of row 6"), (7, "AUT", "duplicate of row 3"),
        (7, "TCN", "duplicate of row 3")]


def _by_key(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations in key order (chunks give them chunk by chunk)."""
    key = ["district_code", "period", "variable", "dims"]
    return observations.sort_values(key, ignore_index=True)
