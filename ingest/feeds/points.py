"""``points``: geotagged points (posts, sensor hits, service requests) -> counts per district,
period and group, redacted unless the spec says ``redact: false`` (``ingest.bigdata.points``);
points outside every district are counted in the message."""

from __future__ import annotations

from typing import Any

from ingest.feeds.family import CliHelp, CliOption, Job, StreamedFeed

ENGINES = ("duckdb", "dask")


class Points(StreamedFeed):
    name = "points"
    spec_model = "PointCountsSpec"
    partitioned_input = True
    cli_options = (CliOption(
        "engine", "--engine",
        "duckdb: count in this process; dask: count each file of a partitioned input (a folder "
        "or a quoted glob) on the Dask cluster at OBSERVATORY_DASK_SCHEDULER, or on a local "
        "cluster when it is unset. Both publish the same cells. Example: --engine dask",
        default="duckdb"),)
    help = CliHelp(
        "Load geotagged points (posts, sensor hits, service requests) as counts per district, "
        "period and category; small counts are redacted unless the spec says redact: false.",
        "Points: CSV or Parquet with lon, lat and time columns, e.g. requests.csv",
        "observatory ingest points requests.csv --city demo --spec requests_spec.yaml",
        "Points feed spec (YAML) naming the columns, the variable and the dimensions, e.g. "
        "--spec requests_spec.yaml",
    )

    def prepare(self, job: Job) -> None:
        from ingest.errors import IngestError

        super().prepare(job)
        engine = job.options.get("engine") or "duckdb"
        if engine not in ENGINES:
            raise IngestError(f"unknown engine {engine!r}", file=job.path.name,
                              key="--engine", fix="use --engine duckdb or --engine dask")
        job.options["engine"] = engine

    def read(self, job: Job) -> Any:
        from ingest.bigdata.cluster import cluster_point_counts, dask_client, partition_files
        from ingest.bigdata.points import point_partition, publish_points
        from observatory.settings import ClusterSettings

        min_count = job.options["min_count"]
        if job.options["engine"] == "dask":
            with dask_client(ClusterSettings().dask_scheduler) as client:
                return cluster_point_counts(client, job.path, job.spec, job.districts,
                                            min_count=min_count)
        parts = [point_partition(file, job.spec, job.districts)
                 for file in partition_files(job.path)]
        return publish_points(parts, job.spec, min_count=min_count)


FEED = Points()
