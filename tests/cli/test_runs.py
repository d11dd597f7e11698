"""`observatory runs` lists ingest runs; `observatory runs show ID` gives one with its rejects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


@pytest.fixture
def two_runs(invoke, store_url, boundaries, census_spec, tmp_path: Path) -> str:
    """Boundaries of testville, then a census whose row 3 names an unknown district."""
    districts, spec = boundaries
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT99,80,20\n", encoding="utf-8")
    for args in (("boundaries", str(districts), "--city", "testville", "--spec", str(spec)),
                 ("census", str(census), "--city", "testville", "--spec", str(census_spec))):
        result = invoke("--database-url", store_url, "ingest", *args)
        assert result.exit_code == 0, result.output
    return store_url


def _run_ids(output: str) -> list[str]:
    return re.findall(r"Ingest run ([0-9a-f]{32})", output)


def test_runs_lists_the_newest_first_with_counts(invoke, two_runs):
    result = invoke("--database-url", two_runs, "runs")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "testville" in line]
    assert len(rows) == 2
    assert "census" in rows[0] and "census.csv" in rows[0] and "2/2/1" in rows[0]
    assert "boundaries" in rows[1] and "2/2/0" in rows[1] and "succeeded" in rows[1]


def test_runs_filters_by_city_and_limits(invoke, two_runs):
    limited = invoke("--database-url", two_runs, "runs", "--limit", "1")
    assert limited.exit_code == 0, limited.output
    assert "latest 1 of 2" in limited.output
    assert sum("testville" in line for line in limited.output.splitlines()) == 1
    other = invoke("--database-url", two_runs, "runs", "--city", "atlantis")
    assert other.exit_code == 0, other.output
    assert "No ingest runs for atlantis" in other.output


def test_runs_show_gives_counts_message_and_rejected_rows(
    invoke, two_runs, census_spec, tmp_path
):
    census = tmp_path / "census.csv"
    again = invoke("--database-url", two_runs, "ingest", "census", str(census),
                   "--city", "testville", "--spec", str(census_spec))
    [run_id] = _run_ids(again.output)

    for given in (run_id, run_id[:8]):  # the whole id, or its first characters
        result = invoke("--database-url", two_runs, "runs", "show", given)
        assert result.exit_code == 0, result.output
        assert f"Ingest run {run_id}: census of census.csv for testville" in result.output
        assert "rows read 2, loaded 2, rejected 1" in result.output
        assert "2 table rows -> 2 observations" in result.output
        assert re.search(r"│\s*3\s*│\s*code\s*│.*T99", result.output), result.output


def test_runs_show_of_an_unknown_id_exits_2(invoke, duckdb_url):
    result = invoke("--database-url", duckdb_url, "runs", "show", "deadbeef")
    assert result.exit_code == 2, result.output
    assert "deadbeef" in result.output and "observatory runs" in result.output
