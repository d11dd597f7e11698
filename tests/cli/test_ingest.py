"""`observatory ingest …` against a real store: run reports, re-runs, and bad input as exit 2."""

from __future__ import annotations

import re
from pathlib import Path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_reports_the_run_and_a_rerun_is_unchanged(
    invoke, store_url, boundaries, census_spec, tmp_path
):
    districts, spec = boundaries
    first = invoke("--database-url", store_url, "ingest", "boundaries", str(districts),
                   "--city", "testville", "--spec", str(spec))
    assert first.exit_code == 0, first.output
    assert re.search(r"Ingest run [0-9a-f]{32}: boundaries of districts\.geojson", first.output)
    assert "status succeeded" in first.output and "loaded 2" in first.output

    census = _write(tmp_path / "census.csv", "code,nationals,foreigners\nT01,100,40\nT02,80,20\n")
    args = ("--database-url", store_url, "ingest", "census", str(census),
            "--city", "testville", "--spec", str(census_spec))
    loaded = invoke(*args)
    assert loaded.exit_code == 0, loaded.output
    assert "status succeeded" in loaded.output and "loaded 4" in loaded.output

    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert "status unchanged" in again.output


def test_rejected_rows_are_listed_with_row_and_column(
    invoke, duckdb_url, boundaries, census_spec, tmp_path
):
    districts, spec = boundaries
    assert invoke("--database-url", duckdb_url, "ingest", "boundaries", str(districts),
                  "--city", "testville", "--spec", str(spec)).exit_code == 0
    census = _write(tmp_path / "census.csv", "code,nationals,foreigners\nT01,100,40\nT99,80,20\n")
    result = invoke("--database-url", duckdb_url, "ingest", "census", str(census),
                    "--city", "testville", "--spec", str(census_spec))
    assert result.exit_code == 0, result.output
    assert "loaded 2, rejected 1" in result.output
    assert "Rejected rows" in result.output and "T99" in result.output
    # Row 3 of the file (header is row 1) holds the unknown district.
    assert re.search(r"│\s*3\s*│\s*code\s*│", result.output), result.output


def test_a_bad_file_exits_2_naming_the_file(invoke, duckdb_url, tmp_path):
    bad = _write(tmp_path / "wards_2024.geojson", "this is not GeoJSON at all")
    result = invoke("--database-url", duckdb_url, "ingest", "boundaries", str(bad),
                    "--city", "testville")
    assert result.exit_code == 2, result.output
    assert "wards_2024.geojson" in result.output
    assert "fix:" in result.output
    assert "Traceback" not in result.output


def test_census_before_boundaries_exits_2_with_the_fix(invoke, duckdb_url, census_spec, tmp_path):
    census = _write(tmp_path / "census.csv", "code,nationals,foreigners\nT01,100,40\n")
    assert invoke("--database-url", duckdb_url, "init").exit_code == 0
    result = invoke("--database-url", duckdb_url, "ingest", "census", str(census),
                    "--city", "testville", "--spec", str(census_spec))
    assert result.exit_code == 2, result.output
    assert "observatory ingest boundaries" in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_usage_error(invoke, tmp_path):
    result = invoke("ingest", "boundaries", str(tmp_path / "nowhere.geojson"), "--city", "x")
    assert result.exit_code == 2
    assert "nowhere.geojson" in result.output
