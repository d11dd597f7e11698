"""Big point feeds on a Dask cluster: each file of a partitioned input (a folder or a glob of
CSV or Parquet files) is classified and counted on a worker by the embedded engine's own code
(:func:`ingest.bigdata.points.point_partition`), and the partial counts are combined and
published (redaction after combining) here, so the cells equal the embedded engine's on the
same rows. ``OBSERVATORY_DASK_SCHEDULER`` (``tcp://host:8786``) names the cluster; unset, a
local cluster on this machine runs the work."""

from __future__ import annotations

import glob
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd

from ingest.bigdata.feed import FeedResult
from ingest.bigdata.points import point_partition, publish_points
from ingest.errors import IngestError
from ingest.spec import PointCountsSpec

PARTITION_SUFFIXES = (".csv", ".parquet", ".pq")


def partition_files(source: str | Path) -> list[Path]:
    """The files of a partitioned input: a folder's CSV and Parquet files, or a glob's
    matches, in name order (the order rejected rows are listed in)."""
    text = str(source)
    if Path(text).is_dir():
        found = [p for p in Path(text).iterdir() if p.suffix.lower() in PARTITION_SUFFIXES]
    else:
        found = [Path(p) for p in glob.glob(text)] if glob.has_magic(text) else [Path(text)]
    files = sorted(p for p in found if p.is_file())
    if not files:
        raise IngestError("no CSV or Parquet file in the partitioned input", file=text,
                          fix="give a folder of .csv or .parquet files, a glob such as "
                              "'feed/part-*.parquet' (quoted), or one file")
    return files


@contextmanager
def dask_client(scheduler: str | None) -> Iterator:
    """A client of the cluster at ``scheduler``, or of a local cluster started for the run."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def cluster_point_counts(client, source: str | Path, spec: PointCountsSpec,
                         districts: gpd.GeoDataFrame, *, min_count: int) -> FeedResult:
    """Count every partition on the cluster behind ``client``, then combine and publish. A
    worker that dies fails the partitions it held unless the cluster reruns them (Dask's
    ``allowed-failures``); either way nothing is published from a partial set."""
    files = partition_files(source)
    shared = client.scatter(districts, broadcast=True)
    futures = client.map(point_partition, [str(f) for f in files], spec=spec,
                         districts=shared, pure=False)
    parts = client.gather(futures)
    return publish_points(parts, spec, min_count=min_count)
