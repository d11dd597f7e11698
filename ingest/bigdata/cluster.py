"""Big feeds on a Dask cluster: each file of a partitioned input (a folder or a glob of CSV or
Parquet files) is checked and counted on a worker by the embedded engine's own code
(:func:`ingest.bigdata.points.point_partition`, :func:`ingest.bigdata.towers.tower_partition`),
and the partial counts are combined and published (interpolation and redaction after
combining) here, so the cells equal the embedded engine's on the same rows.
``OBSERVATORY_DASK_SCHEDULER`` (``tcp://host:8786``) names the cluster; unset, a local cluster
on this machine runs the work."""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd

from ingest.bigdata.feed import FeedResult
from ingest.bigdata.points import point_partition, publish_points
from ingest.bigdata.towers import publish_towers, tower_partition
from ingest.errors import IngestError
from ingest.spec import CdrSpec, PointCountsSpec

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


def count_on_cluster(client, task: Callable[[Path, Any, Any], Any], files: Sequence[Path],
                     spec: Any, districts: gpd.GeoDataFrame) -> list[Any]:
    """``task(file, spec, districts)`` for every file on the cluster behind ``client``, in the
    files' order. A worker that dies fails the partitions it held unless the cluster reruns
    them (Dask's ``distributed.scheduler.allowed-failures``, 3 by default); when it gives up,
    the run stops here, before anything is combined or written."""
    from distributed import KilledWorker

    shared = client.scatter(districts, broadcast=True)
    futures = client.map(task, [str(f) for f in files], spec=spec, districts=shared,
                         pure=False)
    names = {future.key: file.name for future, file in zip(futures, files, strict=True)}
    try:
        return client.gather(futures)
    except KilledWorker as exc:
        client.cancel(futures)
        raise IngestError(
            f"the Dask worker counting this partition died ({exc.allowed_failures + 1} "
            "attempt(s), the cluster's distributed.scheduler.allowed-failures + 1); nothing "
            "was written",
            file=names.get(exc.task, str(exc.task)),
            fix="run the same command again (the run is all or nothing); if workers keep "
                "dying, give them more memory (dask worker --memory-limit) or split the input "
                "into smaller files") from exc


def cluster_point_counts(client, source: str | Path, spec: PointCountsSpec,
                         districts: gpd.GeoDataFrame, *, min_count: int) -> FeedResult:
    """The point feed's cells, counted on the cluster behind ``client``."""
    parts = count_on_cluster(client, point_partition, partition_files(source), spec, districts)
    return publish_points(parts, spec, min_count=min_count)


def cluster_tower_observations(client, source: str | Path, spec: CdrSpec,
                               districts: gpd.GeoDataFrame, *, local_crs: str,
                               min_count: int) -> FeedResult:
    """The tower feed's cells, summed on the cluster behind ``client``."""
    parts = count_on_cluster(client, tower_partition, partition_files(source), spec, districts)
    return publish_towers(parts, spec, districts, local_crs=local_crs, min_count=min_count)
