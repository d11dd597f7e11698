"""bench.compare at a tiny size, so its code cannot rot. No timing is asserted: only that it
writes its tables and that the synthetic cities carry what the comparison must flag."""

from __future__ import annotations

import json

import pytest

from bench.compare.benchmark import CompareCase, run_benchmark
from bench.compare.synthetic import synthetic_cities

pytestmark = pytest.mark.slow


def test_the_compare_bench_writes_its_table(tmp_path):
    case = CompareCase("tiny", cities=4, indicators=5, periods=2, repeats=1, pdf=False)

    payload = run_benchmark(case, out_dir=tmp_path, name="compare-tiny")

    _, values = synthetic_cities(4, 5, 2)
    assert payload["values_written"] == sum(len(v) for v in values.values())
    assert payload["indicators_compared"] == 5 + 1  # the foreign-residents family
    assert [r["what"].split(",")[0] for r in payload["results"]] == \
        ["comparison table", "comparison table", "benchmark report"]
    written = json.loads((tmp_path / "compare-tiny.json").read_text(encoding="utf-8"))
    assert written["case"]["cities"] == 4
    assert "| comparison table, from memory" in (tmp_path / "compare-tiny.md").read_text(
        encoding="utf-8")
