"""``observatory ingest … --dry-run`` prints what would load and be rejected, and loads nothing."""

from __future__ import annotations

import re
from pathlib import Path

from observatory.store import open_store


def test_dry_run_prints_counts_sample_and_rejects_and_loads_nothing(
    invoke, duckdb_url, boundaries, census_spec, tmp_path: Path
):
    districts, spec = boundaries
    assert invoke("--database-url", duckdb_url, "ingest", "boundaries", str(districts),
                  "--city", "testville", "--spec", str(spec)).exit_code == 0
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT99,80,20\nT02,7,-1\n",
                      encoding="utf-8")
    result = invoke("--database-url", duckdb_url, "ingest", "census", str(census),
                    "--city", "testville", "--spec", str(census_spec), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run of census census.csv: nothing was written." in result.output
    assert "rows read 3, would load 3, would reject 2" in result.output
    assert re.search(r"│\s*population\s*│\s*2025\s*│\s*3\s*│", result.output), result.output
    assert re.search(r"│\s*3\s*│\s*code\s*│\s*district 'T99'", result.output), result.output
    assert re.search(r"│\s*4\s*│\s*foreigners\s*│\s*negative value -1", result.output)
    store = open_store(duckdb_url)
    try:
        assert [run.feed for run in store.runs("testville")] == ["boundaries"]
        assert store.observations("testville").empty
    finally:
        store.close()
