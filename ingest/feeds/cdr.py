"""``cdr``: mobile-phone tower aggregates (call detail records summed per site and day) ->
observations per district and period, redacted for publication (``ingest.bigdata.towers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.feeds.family import CliHelp, Job, PartitionedFeed


class Cdr(PartitionedFeed):
    name = "cdr"
    spec_model = "CdrSpec"
    help = CliHelp(
        "Load mobile-phone tower aggregates (call detail records summed per site and day) as "
        "observations per district and period; small counts are redacted.",
        "Tower aggregates: CSV or Parquet with site, lon, lat, date, metric and count columns, "
        "or a folder or quoted glob of them, e.g. towers.csv",
        "observatory ingest cdr towers.csv --city demo --spec towers_spec.yaml",
        "CDR feed spec (YAML) naming the columns, metrics and dimensions, e.g. "
        "--spec towers_spec.yaml",
    )

    def partition(self, path: Path, spec: Any, districts: Any) -> Any:
        from ingest.bigdata.towers import tower_partition

        return tower_partition(path, spec, districts)

    def publish(self, parts: list[Any], job: Job) -> Any:
        from ingest.bigdata.towers import publish_towers
        from observatory.city_crs import local_crs

        return publish_towers(parts, job.spec, job.districts,
                              local_crs=local_crs(job.store.city(job.city), job.districts),
                              min_count=job.options["min_count"])


FEED = Cdr()
