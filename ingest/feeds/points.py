"""``points``: geotagged points (posts, sensor hits, service requests) -> counts per district,
period and group, redacted unless the spec says ``redact: false`` (``ingest.bigdata.points``);
points outside every district are counted in the message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.feeds.family import CliHelp, Job, PartitionedFeed


class Points(PartitionedFeed):
    name = "points"
    spec_model = "PointCountsSpec"
    help = CliHelp(
        "Load geotagged points (posts, sensor hits, service requests) as counts per district, "
        "period and category; small counts are redacted unless the spec says redact: false.",
        "Points: CSV or Parquet with lon, lat and time columns, or a folder or quoted glob of "
        "them, e.g. requests.csv",
        "observatory ingest points requests.csv --city demo --spec requests_spec.yaml",
        "Points feed spec (YAML) naming the columns, the variable and the dimensions, e.g. "
        "--spec requests_spec.yaml",
    )

    def partition(self, path: Path, spec: Any, districts: Any) -> Any:
        from ingest.bigdata.points import point_partition

        return point_partition(path, spec, districts)

    def publish(self, parts: list[Any], job: Job) -> Any:
        from ingest.bigdata.points import publish_points

        return publish_points(parts, job.spec, min_count=job.options["min_count"])


FEED = Points()
