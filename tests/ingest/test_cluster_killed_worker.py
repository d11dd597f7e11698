"""A Dask worker killed mid-way through a partitioned ingest (points and cdr) writes nothing:
no run, no cells, and an error naming the file and what to do; the same command afterwards
succeeds and equals a clean run.

Deterministic: the feed's partition of ``part-1.csv`` writes its worker's process id and waits;
the test kills that process (SIGKILL, as the kernel's OOM killer does) only once the other two
partitions are counted, so the kill always lands mid-way. The cluster gives a task no second
attempt (``allowed-failures: 0``); with Dask's default a dead worker's file is counted again on
another worker, which is correct too but not the failure under test. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from bigdata_city import CITY, add_city, lonlat, write_csv
from distributed import Client, LocalCluster

from ingest.errors import IngestError
from ingest.feeds import family
from ingest.feeds.cdr import Cdr
from ingest.feeds.points import Points
from ingest.runner import run_feed
from observatory.settings import DisclosureSettings
from observatory.store import open_store

WAIT_S = 60  # the longest any step waits for another; a run of this test takes a few seconds
STALLED = "part-1.csv"


class Signalling:
    """A feed family whose partitions tell the test how far they are: each counted file
    leaves ``done-<file>`` in ``signals``; ``part-1.csv`` leaves ``pid`` and waits."""

    def __init__(self, signals: Path):
        self.signals = signals

    def partition(self, path: Path, spec: Any, districts: Any) -> Any:
        if Path(path).name == STALLED:
            (self.signals / "pid.tmp").write_text(str(os.getpid()))
            (self.signals / "pid.tmp").rename(self.signals / "pid")
            time.sleep(WAIT_S)  # killed long before, unless the test is broken
        counted = super().partition(path, spec, districts)  # type: ignore[misc]
        (self.signals / f"done-{Path(path).name}").touch()
        return counted


class SignallingPoints(Signalling, Points):
    pass


class SignallingCdr(Signalling, Cdr):
    pass


POINTS_HEADER = ["x", "y", "reported_at", "type"]
POINTS_SPEC = ("feed: points\ncolumns: {lon: x, lat: y, time: reported_at}\n"
               "dimensions:\n  category: {column: type, values: {W: waste, F: fire}}\n"
               "variable: service_requests\nunit: requests\n")
TOWER_HEADER = ["site_id", "lon", "lat", "date", "metric", "sim_nationality", "count"]
TOWER_SPEC = ("feed: cdr\nassign: voronoi\nperiod: month\n"
              "dimensions:\n  citizenship: {column: sim_nationality, values: {JO: national, "
              "SY: syria}}\n"
              "metrics:\n  home_location: {variable: residents_home_location, unit: subscribers}\n")


def _points_parts() -> tuple[list[str], list[list[list[Any]]]]:
    west, east = lonlat(300, 300), lonlat(2500, 500)
    return POINTS_HEADER, [[[*west, f"2025-03-0{i + 1}", "W"], [*east, "2025-03-05", "F"],
                            [west[0], "", "2025-03-01", "W"]] for i in range(3)]


def _tower_parts() -> tuple[list[str], list[list[list[Any]]]]:
    a, c = lonlat(250, 500), lonlat(2500, 500)
    return TOWER_HEADER, [[["A", *a, f"2025-03-0{i + 1}", "home_location", "JO", 10 + i],
                           ["C", *c, f"2025-03-0{i + 1}", "home_location", "SY", 20 + i],
                           ["C", *c, "2025-03-01", "home_location", "SY", "abc"]]
                          for i in range(3)]


CASES = {"points": (SignallingPoints, POINTS_SPEC, _points_parts),
         "cdr": (SignallingCdr, TOWER_SPEC, _tower_parts)}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # The scheduler reads the setting when it starts.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster, Client(cluster) as connected:
        yield connected


def _kill_when_mid_way(signals: Path, killed: list[int]) -> None:
    """Kill the stalled partition's worker once the other two partitions are counted."""
    wanted = [signals / "pid", signals / "done-part-0.csv", signals / "done-part-2.csv"]
    deadline = time.monotonic() + WAIT_S
    while not all(p.exists() for p in wanted):
        if time.monotonic() > deadline:
            return  # the run then succeeds, and the test fails on it
        time.sleep(0.05)
    pid = int((signals / "pid").read_text())
    os.kill(pid, signal.SIGKILL)
    killed.append(pid)


def _cells(store) -> list[tuple]:
    frame = store.observations(CITY)
    return sorted(zip(frame["district_code"], frame["period"], frame["variable"], frame["dims"],
                      frame["value"], strict=True))


@pytest.mark.parametrize("feed", sorted(CASES))
def test_a_worker_killed_mid_way_writes_nothing_and_the_rerun_equals_a_clean_run(
        feed, client, tmp_path, monkeypatch):
    signalling, spec_text, rows = CASES[feed]
    header, parts = rows()
    folder = tmp_path / "feed"
    folder.mkdir()
    for i, part in enumerate(parts):
        write_csv(folder / f"part-{i}.csv", header, part)
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec_text, encoding="utf-8")
    disclosure = DisclosureSettings(min_count=0)
    stores = []
    for name in ("killed", "clean"):
        store = open_store(f"duckdb:///{tmp_path / name}.duckdb")
        store.init_schema()
        (tmp_path / name).mkdir()
        add_city(store, tmp_path / name)
        stores.append(store)
    store, clean_store = stores
    runs_before = [run.id for run in store.runs(CITY)]
    monkeypatch.setenv("OBSERVATORY_DASK_SCHEDULER", client.scheduler.address)
    client.wait_for_workers(2, timeout=WAIT_S)

    signals = tmp_path / "signals"
    signals.mkdir()
    killed: list[int] = []
    killer = threading.Thread(target=_kill_when_mid_way, args=(signals, killed), daemon=True)
    killer.start()
    with pytest.raises(IngestError) as failed:
        run_feed(signalling(signals), store, folder, CITY, spec_path=spec_path,
                 disclosure=disclosure, engine="dask")
    killer.join(WAIT_S)

    assert killed, "the stalled partition's worker was never killed"
    message = str(failed.value)
    assert message.startswith(f"{STALLED}: the Dask worker counting this partition died")
    assert "nothing was written" in message and "run the same command again" in message
    assert [run.id for run in store.runs(CITY)] == runs_before
    assert _cells(store) == []

    client.wait_for_workers(2, timeout=WAIT_S)  # the nanny restarts the killed worker
    rerun = run_feed(family(feed), store, folder, CITY, spec_path=spec_path,
                     disclosure=disclosure, engine="dask")
    clean = run_feed(family(feed), clean_store, folder, CITY, spec_path=spec_path,
                     disclosure=disclosure, engine="duckdb")
    assert (rerun.status, rerun.rows_read, rerun.rows_rejected) == (
        clean.status, clean.rows_read, clean.rows_rejected) == ("succeeded", 9, 3)
    assert sorted(run.id for run in store.runs(CITY)) == sorted([*runs_before, rerun.id])
    assert _cells(store) == _cells(clean_store) != []
    for opened in stores:
        opened.close()
