"""bench.geography at a tiny size, so its code cannot rot. No timing is asserted: only that it
runs end to end, writes its tables, and that the contenders agree (the crosswalk with tobler,
the roll-up with the hand-written SQL)."""

from __future__ import annotations

import json

import pytest

from bench.geography.benchmark import GeographyCase, run_benchmark

pytestmark = pytest.mark.slow


def test_geography_bench_runs_and_the_crosswalk_agrees_with_tobler(tmp_path):
    pytest.importorskip("tobler.area_weighted")
    case = GeographyCase("tiny", ((200, 20),), real_crosswalks=(), repeats=1, roll_up_stores=(),
                         profile=False)
    payload = run_benchmark(case, out_dir=tmp_path, name="geography-tiny")
    (row,) = payload["crosswalk"]
    assert (row["sources"], row["targets"]) == (200, 20) and row["weight_rows"] > 200
    agreement = row["agreement"]
    assert agreement["cells"] == 20 * 5 and agreement["targets_only_tobler"] == 0
    # tobler keeps its area table in float32; ours is float64 and keeps the totals exactly.
    assert agreement["max_relative_difference"] < 1e-5
    assert agreement["max_relative_total_error_ours"] < 1e-12
    assert agreement["max_relative_total_error_tobler"] < 1e-6
    table = (tmp_path / "geography-tiny.md").read_text(encoding="utf-8")
    assert "synthetic: 200 cells → 20 cells" in table and "ours ÷ tobler" in table
    assert json.loads((tmp_path / "geography-tiny.json").read_text())["case"]["label"] == "tiny"


@pytest.mark.realdata
def test_geography_bench_roll_up_equals_the_hand_written_sql_on_berlin(tmp_path, shared_data):
    case = GeographyCase("tiny", (), real_crosswalks=(), repeats=1, roll_up_stores=("berlin",),
                         roll_up_levels=("forecast_area",), data_dir=str(shared_data),
                         profile=False)
    payload = run_benchmark(case, out_dir=tmp_path, name="geography-tiny")
    (row,) = payload["roll_up"]
    agreement = row["agreement"]
    # 58 forecast areas × 5 t1 counts of 2023, all equal; the 2020 counts carried from the old
    # planning areas are the rows the SQL (current codes only) has no counterpart for.
    assert agreement["sql_cells"] == agreement["matched"] == agreement["equal"] == 58 * 5
    assert agreement["max_abs_difference"] == 0 and agreement["sql_only"] == 0
    assert agreement["ours_only"] == agreement["ours_only_carried"] == 58 * 5
    assert agreement["ours_only_periods"] == ["2020"]
    assert "exact: 290 of 290 SQL sums equal" in (tmp_path / "geography-tiny.md").read_text(
        encoding="utf-8")
