"""The embedded store serves and ingests at once: while `observatory serve` answers a stream of
concurrent requests on a DuckDB file, a CLI ingest on the same file succeeds (the server runs
it), every request is answered, and the new rows are served right after; its dry run, run by
the server, prints what a direct dry run printed."""

from __future__ import annotations

import re
import statistics
import subprocess
import time

import httpx
import pytest
from big_census import CITY, write_census, write_census_spec, write_city
from serving import CLI, Answer, cli_env, serving_under_load

from observatory.keys import create_api_key
from observatory.store import open_store

pytestmark = pytest.mark.slow

THREADS = 4
DISTRICTS, PERIODS = 200, 30  # 48,000 observations: the ingest takes a few seconds
LONGEST_SECONDS = 150.0  # the hammering stops by then whatever happens


def _percentiles(answers: list[Answer]) -> str:
    if len(answers) < 2:
        return f"{len(answers)} requests"
    cuts = statistics.quantiles([a.seconds * 1000 for a in answers], n=100)
    return f"{len(answers)} requests, p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms"


def _dry_runs(duckdb_url: str, commands: dict[str, list[str]]) -> dict[str, tuple]:
    """Each command's exit code, output and errors, run as its own CLI process."""
    ran = {}
    for name, args in commands.items():
        run = subprocess.run([*CLI, "--database-url", duckdb_url, *args], env=cli_env(),
                             capture_output=True, text=True, check=False,
                             timeout=LONGEST_SECONDS)
        ran[name] = (run.returncode, run.stdout, run.stderr)
    return ran


def test_a_cli_ingest_lands_while_the_server_answers_concurrent_requests(
        invoke, duckdb_url, tmp_path):
    districts, boundaries_spec = write_city(tmp_path / "city", DISTRICTS)
    spec = write_census_spec(tmp_path / "census.yaml")
    before = write_census(tmp_path / "v1" / "census.csv", DISTRICTS, PERIODS, version=1)
    after = write_census(tmp_path / "v2" / "census.csv", DISTRICTS, PERIODS, version=2)
    for feed, path, feed_spec in (("boundaries", districts, boundaries_spec),
                                  ("census", before, spec)):
        loaded = invoke("--database-url", duckdb_url, "ingest", feed, str(path), "--city", CITY,
                        "--spec", str(feed_spec))
        assert loaded.exit_code == 0, loaded.output
    store = open_store(duckdb_url)
    key = create_api_key(store, "officer", "concurrency test")
    store.close()

    dry_runs = {"dry run": ["ingest", "census", str(after), "--city", CITY, "--spec", str(spec),
                            "--dry-run"],
                "dry run unknown city": ["ingest", "census", str(after), "--city", "nowhere",
                                         "--spec", str(spec), "--dry-run"]}
    direct = _dry_runs(duckdb_url, dry_runs)  # it writes nothing: the server opens the same

    paths = ["/health", "/cities", f"/cities/{CITY}/districts", f"/cities/{CITY}/runs"]
    with serving_under_load(duckdb_url, tmp_path / "serve.log", key, paths, THREADS,
                            LONGEST_SECONDS) as load:
        served = _dry_runs(duckdb_url, dry_runs)
        quiet_from = time.monotonic()
        time.sleep(2)  # answers before the ingest, for comparison
        submitted: list[float] = []
        ingest = subprocess.Popen(
            [*CLI, "--database-url", duckdb_url, "ingest", "census", str(after), "--city", CITY,
             "--spec", str(spec)],
            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in ingest.stdout:  # the CLI says when it hands the ingest to the server
            lines.append(line)
            if "runs this ingest" in line:
                submitted.append(time.monotonic())
        code = ingest.wait(timeout=LONGEST_SECONDS)
        finished = time.monotonic()
        output = "".join(lines)
        time.sleep(0.5)
        load.stop()
        # Its rows are served right after: the run is the newest the server lists.
        runs = httpx.get(f"{load.base}/cities/{CITY}/runs", headers={"X-API-Key": key},
                         timeout=30).json()

    assert served == direct
    assert direct["dry run"][0] == 0 and "would load 48000" in direct["dry run"][1], direct
    assert direct["dry run unknown city"][0] == 2, direct
    assert code == 0, output
    assert submitted, f"the CLI did not hand the ingest to the server:\n{output}"
    assert "status succeeded" in output and "loaded 48000" in output, output
    run_id = re.search(r"Ingest run ([0-9a-f]{32})", output).group(1)
    assert (runs[0]["id"], runs[0]["rows_loaded"], runs[0]["status"]) == (
        run_id, 48000, "succeeded")

    every = load.every()
    unanswered = [a for a in every if not 200 <= a.status < 300]
    assert not unanswered, f"{len(unanswered)} of {len(every)} requests got no 2xx"
    earlier = [a for a in every if quiet_from <= a.sent < submitted[0]]
    during = [a for a in every if submitted[0] <= a.sent <= finished]
    assert during, "no request was sent while the server ran the ingest"
    print(f"\nconcurrency: {len(every)} of {len(every)} requests answered 2xx by "
          f"{THREADS} threads; before the ingest: {_percentiles(earlier)}; during the ingest "
          f"({finished - submitted[0]:.1f} s): {_percentiles(during)}")
