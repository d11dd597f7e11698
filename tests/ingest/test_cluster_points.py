"""The Dask engine on a real ``distributed.LocalCluster`` of two worker processes: a point or
tower feed split into files gives the embedded engine's published cells, cell for cell, because
the partitions' counts are combined before interpolation and redaction; rejected rows keep their file and line;
the run through the runner is one run, unchanged when repeated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bigdata_city import CITY, LOCAL_CRS, add_city, border_vertex, lonlat, write_csv
from distributed import Client, LocalCluster

from ingest.bigdata.cluster import (
    cluster_point_counts,
    cluster_tower_observations,
    partition_files,
)
from ingest.bigdata.points import point_counts
from ingest.bigdata.towers import tower_observations
from ingest.feeds import family
from ingest.runner import run_feed
from ingest.spec import load_cdr_spec, load_point_counts_spec
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


TOWER_HEADER = ["site_id", "lon", "lat", "date", "metric", "sim_nationality", "count"]
TOWER_SPEC = ("feed: cdr\nassign: voronoi\nperiod: month\n"
              "dimensions:\n  citizenship: {column: sim_nationality, values: {JO: national, "
              "SY: syria}}\n"
              "metrics:\n  home_location: {variable: residents_home_location, unit: subscribers}\n"
              "  roaming_share: {variable: roaming_share, unit: share, kind: intensive}\n")


def test_tower_partitions_on_the_cluster_publish_the_embedded_engines_cells(client, tmp_path,
                                                                            monkeypatch):
    store = open_store(f"duckdb:///{tmp_path / 'o.duckdb'}")
    store.init_schema()
    add_city(store, tmp_path)
    districts = store.districts(CITY)
    spec_path = tmp_path / "towers.yaml"
    spec_path.write_text(TOWER_SPEC, encoding="utf-8")
    spec = load_cdr_spec(spec_path)
    a, b, c = lonlat(250, 500), lonlat(1250, 500), lonlat(2500, 500)
    far = lonlat(50_000, 500)
    # A's and B's days of March are split over the files: each file's SY count for A (8)
    # is withheld alone at min_count 15, their sum (24) is published; the Voronoi cells need
    # every site, C's only in the last file. Rates are binary fractions, so that any order of
    # summing them gives the same bits.
    parts = [
        [["A", *a, "2025-03-01", "home_location", "JO", 100], ["A", *a, "2025-03-01",
                                                              "home_location", "SY", 8],
         ["B", *b, "2025-03-01", "home_location", "JO", 40],
         ["A", *a, "2025-03-01", "roaming_share", "JO", 0.25],
         ["A", *a, "2025-03-02", "home_location", "JO", "abc"]],             # line 6
        [["A", *a, "2025-03-02", "home_location", "SY", 8], ["B", *b, "2025-03-02",
                                                            "home_location", "JO", 50],
         ["A", *a, "2025-03-02", "roaming_share", "JO", 0.5],
         ["F", *far, "2025-03-02", "home_location", "JO", 30]],              # line 5: outside
        [["A", *a, "2025-03-03", "home_location", "SY", 8], ["C", *c, "2025-03-03",
                                                            "home_location", "JO", 90],
         ["C", *c, "2025-03-03", "home_location", "SY", 60],
         ["B", *b, "2025-03-03", "calls", "JO", 3]],                         # line 5: metric
    ]
    folder = tmp_path / "towers"
    folder.mkdir()
    for i, rows in enumerate(parts):
        write_csv(folder / f"part-{i}.csv", TOWER_HEADER, rows)
    whole = write_csv(tmp_path / "whole.csv", TOWER_HEADER, [row for rows in parts for row in rows])

    embedded = tower_observations(whole, spec, districts, local_crs=LOCAL_CRS, min_count=15)
    clustered = cluster_tower_observations(client, folder, spec, districts, local_crs=LOCAL_CRS,
                                           min_count=15)

    def cells(result) -> list[tuple]:
        return sorted(result.observations.itertuples(index=False, name=None))

    assert cells(clustered) == cells(embedded)
    syria = {c[0]: c[4] for c in cells(clustered)
             if c[2] == "residents_home_location" and "syria" in c[3]}
    # 02's share of C (60 × 125/1125 ≤ 15) is withheld with its breakdown
    assert syria == {"01": 24.0, "03": pytest.approx(60.0 * 1000 / 1125, rel=1e-6)}
    assert (clustered.rows_read, clustered.rows_used) == (embedded.rows_read,
                                                          embedded.rows_used) == (13, 10)
    assert [(r.row_number, r.column, r.reason.split(":")[0]) for r in clustered.rejected] == [
        (6, "count", "part-0.csv"), (5, "lon", "part-1.csv"), (5, "metric", "part-2.csv")]
    assert "outside every district" in clustered.rejected[1].reason

    # As `observatory ingest cdr FOLDER --engine dask` runs it: one run, one transaction; the
    # same files again change nothing, whichever engine reads them.
    monkeypatch.setenv("OBSERVATORY_DASK_SCHEDULER", client.scheduler.address)
    disclosure = DisclosureSettings(min_count=15)
    run = run_feed(family("cdr"), store, folder, CITY, spec_path=spec_path,
                   disclosure=disclosure, engine="dask")
    assert (run.status, run.rows_read, run.rows_rejected) == ("succeeded", 13, 3)
    assert sorted((r.row_number, r.column, r.reason.split(":")[0])
                  for r in store.rejected_rows(run.id)) == [
        (5, "lon", "part-1.csv"), (5, "metric", "part-2.csv"), (6, "count", "part-0.csv")]
    stored = store.observations(CITY)
    assert sorted(zip(stored["district_code"], stored["period"], stored["variable"],
                      stored["dims"], stored["value"])) == sorted(
        (c[0], c[1], c[2], c[3], c[4]) for c in cells(embedded))
    again = run_feed(family("cdr"), store, folder, CITY, spec_path=spec_path,
                     disclosure=disclosure, engine="duckdb")
    assert (again.status, again.id) == ("unchanged", run.id)
    store.close()
