"""An ingest killed (SIGKILL) in the middle leaves the store as it was, on both stores: the
previous version of the table intact, no run recorded, and a re-run lands the same rows as a
clean run did."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from big_census import CITY, write_census, write_census_spec, write_city
from serving import CLI, cli_env

from observatory.models import OBSERVATION_COLUMNS
from observatory.store import open_store

pytestmark = pytest.mark.slow

DISTRICTS, PERIODS = 200, 40  # 64,000 observations: the load step takes a while
KILL_DELAYS = (0.0, 0.1, 0.2)  # seconds after the CLI starts its load step
MARKER = b"loading"  # the progress bar's label of the load step


def _state(url: str) -> tuple[str, list[tuple[str, str, str]]]:
    """A digest of the city's observations, and its runs (id, feed, status)."""
    store = open_store(url)
    try:
        observations = store.observations(CITY)[OBSERVATION_COLUMNS]
        runs = [(run.id, run.feed, run.status) for run in store.runs(CITY)]
    finally:
        store.close()
    rows = observations.sort_values(["district_code", "period", "variable", "dims"])
    table = rows.to_csv(index=False)
    return f"{len(rows)} rows {hashlib.sha256(table.encode()).hexdigest()[:16]}", runs


def _kill_while_loading(url: str, census: Path, spec: Path, delay: float) -> bool:
    """Start the ingest in a process, SIGKILL it ``delay`` s into its load step; True when it
    was still running then (not yet exited)."""
    # TTY_COMPATIBLE: rich draws the progress bar into the pipe, so the load step shows.
    ingest = subprocess.Popen(
        [*CLI, "--database-url", url, "ingest", "census", str(census), "--city", CITY,
         "--spec", str(spec)],
        env=cli_env(TTY_COMPATIBLE="1"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    loading = threading.Event()
    seen = bytearray()

    def watch() -> None:
        for chunk in iter(lambda: ingest.stdout.read1(4096), b""):
            seen.extend(chunk)
            if MARKER in seen:
                loading.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert loading.wait(timeout=120), f"no load step seen:\n{seen.decode(errors='replace')}"
        time.sleep(delay)
        running = ingest.poll() is None
        ingest.send_signal(signal.SIGKILL)
    finally:
        ingest.kill()
        ingest.wait(timeout=30)
        watcher.join(timeout=10)
    return running


def test_a_killed_ingest_leaves_the_previous_version_and_reruns_the_same(
        invoke, store_url, tmp_path):
    districts, boundaries_spec = write_city(tmp_path / "city", DISTRICTS)
    spec = write_census_spec(tmp_path / "census.yaml")
    # Two versions of one table under one name: the second replaces the first.
    old = write_census(tmp_path / "old" / "census.csv", DISTRICTS, PERIODS, version=1)
    new = write_census(tmp_path / "new" / "census.csv", DISTRICTS, PERIODS, version=2)

    def ingest(path: Path, feed: str = "census", feed_spec: Path = spec) -> None:
        done = invoke("--database-url", store_url, "ingest", feed, str(path), "--city", CITY,
                      "--spec", str(feed_spec))
        assert done.exit_code == 0 and "status succeeded" in done.output, done.output

    ingest(districts, "boundaries", boundaries_spec)
    ingest(old)
    old_rows, _ = _state(store_url)
    ingest(new)  # the clean run the re-run must equal
    new_rows, _ = _state(store_url)
    assert new_rows != old_rows
    ingest(old)
    assert _state(store_url)[0] == old_rows

    kills = intact = late = 0
    for delay in KILL_DELAYS:
        before = _state(store_url)
        kills += _kill_while_loading(store_url, new, spec, delay)
        after = _state(store_url)
        if after == before:
            intact += 1
        else:
            # Only a kill after the commit may change the store, and then to the whole new
            # version; never anything in between.
            assert after[0] == new_rows, f"a kill {delay} s into the load left {after[0]}"
            late += 1
            ingest(old)
    print(f"\nkill mid-ingest ({store_url.split(':')[0]}): {kills} of {len(KILL_DELAYS)} "
          f"kills while the ingest ran, {intact} left the previous version intact, {late} came "
          "after the commit (the new version whole)")
    assert intact >= len(KILL_DELAYS) - 1, "the kills came too late to test anything"

    ingest(new)  # re-run after the kills
    assert _state(store_url)[0] == new_rows
