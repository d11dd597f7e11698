"""The embedded store serves and ingests at once: while `observatory serve` answers a stream of
concurrent requests on a DuckDB file, a CLI ingest on the same file succeeds (the server runs
it), every request is answered, and the new rows are served right after."""

from __future__ import annotations

import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass

import httpx
import pytest
from big_census import CITY, write_census, write_census_spec, write_city
from serving import CLI, cli_env, free_port, start_server, stop

from observatory.keys import create_api_key
from observatory.store import open_store

pytestmark = pytest.mark.slow

THREADS = 4
DISTRICTS, PERIODS = 200, 30  # 48,000 observations: the ingest takes a few seconds
LONGEST_SECONDS = 150.0  # the hammering stops by then whatever happens


@dataclass(frozen=True)
class Answer:
    sent: float  # time.monotonic() when the request was sent
    seconds: float
    status: int


def _hammer(base: str, key: str, stop_at: threading.Event, answers: list[Answer]) -> None:
    paths = ["/health", "/cities", f"/cities/{CITY}/districts", f"/cities/{CITY}/runs"]
    deadline = time.monotonic() + LONGEST_SECONDS
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        turn = 0
        while not stop_at.is_set() and time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                status = client.get(paths[turn % len(paths)]).status_code
            except httpx.TransportError:
                status = 0  # not answered
            answers.append(Answer(sent, time.monotonic() - sent, status))
            turn += 1


def _percentiles(answers: list[Answer]) -> str:
    if len(answers) < 2:
        return f"{len(answers)} requests"
    cuts = statistics.quantiles([a.seconds * 1000 for a in answers], n=100)
    return f"{len(answers)} requests, p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms"


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

    port = free_port()
    server = start_server(duckdb_url, port, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    answers: list[list[Answer]] = [[] for _ in range(THREADS)]
    stop_at = threading.Event()
    threads = [threading.Thread(target=_hammer, args=(base, key, stop_at, mine))
               for mine in answers]
    try:
        for thread in threads:
            thread.start()
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
        stop_at.set()
        for thread in threads:
            thread.join(timeout=70)
        # Its rows are served right after: the run is the newest the server lists.
        runs = httpx.get(f"{base}/cities/{CITY}/runs", headers={"X-API-Key": key},
                         timeout=30).json()
    finally:
        stop_at.set()
        stop(server)

    assert code == 0, output
    assert submitted, f"the CLI did not hand the ingest to the server:\n{output}"
    assert "status succeeded" in output and "loaded 48000" in output, output
    run_id = re.search(r"Ingest run ([0-9a-f]{32})", output).group(1)
    assert (runs[0]["id"], runs[0]["rows_loaded"], runs[0]["status"]) == (
        run_id, 48000, "succeeded")

    every = [answer for mine in answers for answer in mine]
    unanswered = [a for a in every if not 200 <= a.status < 300]
    assert not unanswered, f"{len(unanswered)} of {len(every)} requests got no 2xx"
    earlier = [a for a in every if a.sent < submitted[0]]
    during = [a for a in every if submitted[0] <= a.sent <= finished]
    assert during, "no request was sent while the server ran the ingest"
    print(f"\nconcurrency: {len(every)} of {len(every)} requests answered 2xx by "
          f"{THREADS} threads; before the ingest: {_percentiles(earlier)}; during the ingest "
          f"({finished - submitted[0]:.1f} s): {_percentiles(during)}")
