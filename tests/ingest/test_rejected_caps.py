"""Rejected rows are capped, for every feed: how many a run keeps (the run's message counts the
rest) and how long their texts are. Both stores."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ingest.jobs import ingest_boundaries, ingest_census
from observatory.cli import app as cli_app

CITY = "testville"
SPEC = ("feed: census\ndistrict: {column: code}\nperiod: {column: year}\n"
        "variables:\n  - {column: people, variable: population, unit: persons}\n")


def test_a_run_keeps_the_first_rejected_rows_cut_short_and_counts_the_rest(
    store, store_url, boundaries: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("OBSERVATORY_REJECTED_ROWS_KEPT", "5")
    ingest_boundaries(store, boundaries, CITY)
    spec = tmp_path / "census.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    long_code = "X" * 500
    data = tmp_path / "census.csv"
    data.write_text("code,year,people\n01,2024,10\n"
                    + "".join(f"{long_code},2024,{n}\n" for n in range(30)), encoding="utf-8")

    run = ingest_census(store, data, CITY, spec)

    assert (run.rows_read, run.rows_loaded, run.rows_rejected) == (31, 1, 30)
    assert "25 more rejected rows are counted but not kept (the first 5 are" in run.message
    rows = store.rejected_rows(run.id)
    assert len(rows) == 5
    for row in rows:
        assert len(row.raw) <= 200 + len("… (+999 chars)") and row.raw.endswith(" chars)")
        assert row.raw.startswith("X" * 200 + "… (+")
        # the quoted code is cut, the fix after it is kept
        assert f"'{'X' * 200}… (+300 chars)' is not a known district" in row.reason
        assert len(row.reason) <= 600 + len("… (+999 chars)")

    shown = CliRunner().invoke(cli_app, ["--database-url", store_url, "runs", "show", run.id],
                               env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert "rejected 30" in shown.output and "25 more rejected rows" in shown.output
