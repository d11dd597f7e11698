"""The Dask engine on a real ``distributed.LocalCluster`` of two worker processes: a point
feed split into files gives the embedded engine's published cells, cell for cell, because the
partitions' counts are combined before redaction; rejected rows keep their file and line;
the run through the runner is one run, unchanged when repeated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bigdata_city import CITY, add_city, border_vertex, lonlat, write_csv
from distributed import Client, LocalCluster

from ingest.bigdata.cluster import cluster_point_counts, partition_files
from ingest.bigdata.points import point_counts
from ingest.feeds import family
from ingest.runner import run_feed
from ingest.spec import load_point_counts_spec
from observatory.settings import DisclosureSettings
from observatory.store import open_store

HEADER = ["x", "y", "reported_at", "type"]
SPEC = ("feed: points\ncolumns: {lon: x, lat: y, time: reported_at}\n"
        "dimensions:\n  category: {column: type, values: {W: waste, F: fire}}\n"
        "variable: service_requests\nunit: requests\n")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as connected:
        yield connected


def test_partitions_on_the_cluster_publish_the_embedded_engines_cells(client, tmp_path,
                                                                      monkeypatch):
    store = open_store(f"duckdb:///{tmp_path / 'o.duckdb'}")
    store.init_schema()
    add_city(store, tmp_path)
    districts = store.districts(CITY)
    spec_path = tmp_path / "points.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    spec = load_point_counts_spec(spec_path)
    west, middle, east = lonlat(300, 300), lonlat(1500, 700), lonlat(2500, 500)
    # Each part holds one fire in 01 (≤ 2, withheld alone) but three together are published.
    parts = [
        [[*west, "2025-03-02T08:00:00Z", "W"]] * 2 + [[*west, "2025-03-09", "F"],
                                                      [*border_vertex(store), "2025-03-10", "W"]],
        [[*west, "2025-03-03", "F"], [*middle, "2025-03-11", "W"], [west[0], "", "2025-03-01", "W"]],
        [[*west, "2025-03-04", "F"], [*east, "2025-04-01", "W"]] + [[*middle, "2025-03-12", "W"]] * 2
        + [[*west, "01/03/2025", "W"], [lonlat(40_000, 0)[0], west[1], "2025-03-01", "W"]],
    ]
    folder = tmp_path / "feed"
    folder.mkdir()
    for i, rows in enumerate(parts):
        write_csv(folder / f"part-{i}.csv", HEADER, rows)
    whole = write_csv(tmp_path / "whole.csv", HEADER, [row for rows in parts for row in rows])

    embedded = point_counts(whole, spec, districts, min_count=2)
    clustered = cluster_point_counts(client, folder, spec, districts, min_count=2)

    def cells(result) -> list[tuple]:
        return sorted(result.observations.itertuples(index=False, name=None))

    assert cells(clustered) == cells(embedded)
    assert ("01", "2025-03", "service_requests", '{"category":"fire"}', 3.0,
            "requests") in cells(clustered)
    assert (clustered.rows_read, clustered.rows_used) == (embedded.rows_read,
                                                          embedded.rows_used) == (13, 10)
    assert [(r.row_number, r.column, r.reason.split(":")[0]) for r in clustered.rejected] == [
        (4, "y", "part-1.csv"), (6, "reported_at", "part-2.csv")]
    assert partition_files(str(folder / "part-[12].csv")) == [folder / "part-1.csv",
                                                              folder / "part-2.csv"]

    # As `observatory ingest points FOLDER --engine dask` runs it: one run, one transaction;
    # the same files again change nothing, whichever engine reads them.
    monkeypatch.setenv("OBSERVATORY_DASK_SCHEDULER", client.scheduler.address)
    disclosure = DisclosureSettings(min_count=2)
    run = run_feed(family("points"), store, folder, CITY, spec_path=spec_path,
                   disclosure=disclosure, engine="dask")
    assert (run.status, run.rows_read, run.rows_rejected) == ("succeeded", 13, 2)
    stored = store.observations(CITY, variables=["service_requests"])
    assert sorted(zip(stored["district_code"], stored["period"], stored["dims"],
                      stored["value"])) == sorted(
        (c[0], c[1], c[3], c[4]) for c in cells(embedded))
    again = run_feed(family("points"), store, folder, CITY, spec_path=spec_path,
                     disclosure=disclosure, engine="duckdb")
    assert (again.status, again.id) == ("unchanged", run.id)
    store.close()
