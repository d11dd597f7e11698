"""bench.api at a tiny size, so its code cannot rot. No timing is asserted: only that both servers
start on the same PostGIS tables, answer every timed request without errors, agree on what
they serve, and that the tables are written."""

from __future__ import annotations

import json
import os

import pytest

from bench.api.benchmark import OURS, TIPG, run_benchmark
from bench.api.case import PAGE_SIZE, ApiCase
from bench.api.load import parse_wrk
from bench.postgis import NoPostGIS

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = [pytest.mark.slow, pytest.mark.postgis]

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/x
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.00ms    3.00ms  40.00ms   80.00%
    Req/Sec   650.00     50.00   700.00     90.00%
  Latency Distribution
     50%  850.00us
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  1300 requests in 2.00s, 2.50MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    649.50
Transfer/sec:      1.25MB
"""


def test_wrk_output_is_read_with_its_units():
    result = parse_wrk(WRK_OUTPUT)
    assert (result.requests, result.requests_per_s, result.seconds) == (1300, 649.5, 2.0)
    assert result.p50_ms == pytest.approx(0.85) and result.p99_ms == pytest.approx(1200.0)
    assert result.errors == 4 + 3
    assert result.bytes_per_response == pytest.approx(2.5 * 2**20 / 1300)


def test_api_bench_runs_and_both_servers_serve_the_same_districts(tmp_path):
    case = ApiCase("tiny", n_districts=200, seconds=1.0, warmup_seconds=0.5, concurrency=(2,),
                   choropleth_repeats=1, duckdb=False, two_workers=False)
    try:
        payload = run_benchmark(case, out_dir=tmp_path, name="api-tiny")
    except NoPostGIS as exc:
        if IN_CI:  # in CI a PostGIS test must run
            pytest.fail(f"PostGIS is not available: {exc}")
        pytest.skip(f"PostGIS is not available: {exc}")
    runs = payload["runs"]
    assert {(r["endpoint"], r["server"]) for r in runs} == {
        (e, s) for e in ("district_items", "indicator_items", "district_tile", "indicator_tile")
        for s in (OURS, TIPG)}
    assert all(r["requests"] > 0 and r["errors"] == 0 for r in runs), runs
    for row in payload["agreement"]:
        ours, tipg = row["servers"][OURS], row["servers"][TIPG]
        if "features" in ours:
            # Bounding boxes again: a district in the tile's buffer only may be extra.
            assert ours["missing_from_tipg"] == 0 and ours["features"] >= tipg["features"], row
        else:
            # The observatory selects by bounding boxes (&&), tipg by the geometry itself.
            assert ours["matched"] >= tipg["matched"] > 0, row
            for answer in (ours, tipg):
                assert answer["returned"] == min(PAGE_SIZE, answer["matched"]), row
    assert payload["choropleth"]["bytes"] > 10_000
    table = (tmp_path / "api-tiny.md").read_text(encoding="utf-8")
    assert "observatory (PostGIS)" in table and "÷ tipg requests/s" in table
    assert json.loads((tmp_path / "api-tiny.json").read_text())["case"]["label"] == "tiny"
