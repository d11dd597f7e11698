"""Geotagged points (posts, sensor hits, service requests) -> counts per district, period and
group, by point-in-polygon in DuckDB (EPSG:4326, as the districts are stored).

One pass over the file counts points per district, period and group, rows failing a check per
problem, and points in no district per location; a small query then places those on a border
(lowest district code) and counts those outside the city, which are reported, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.bigdata.engine import feed_engine, register_districts, sql
from ingest.bigdata.feed import (
    MAX_LISTED,
    PERIOD_FORMATS,
    Feed,
    FeedColumn,
    FeedResult,
    coordinate_checks,
    dedupe_rejections,
    dimension_checks,
    dimension_columns,
    dims_text,
)
from ingest.bigdata.redaction import redact
from ingest.spec import PointCountsSpec
from observatory.models import OBSERVATION_COLUMNS


def point_counts(path: Path, spec: PointCountsSpec, districts: gpd.GeoDataFrame, *,
                 min_count: int) -> FeedResult:
    """``districts`` as the store returns them (EPSG:4326)."""
    dim_columns = dimension_columns(spec.dimensions)
    dims = "".join(f"{c.name}, " for c in dim_columns)
    keys = ["district_code", "period", *[c.name for c in dim_columns]]
    with feed_engine() as con:
        register_districts(con, districts)
        c = spec.columns
        feed = Feed(con, Path(path), format=spec.format, delimiter=spec.delimiter, columns=[
            FeedColumn("lon", c.lon, "DOUBLE", "columns.lon"),
            FeedColumn("lat", c.lat, "DOUBLE", "columns.lat"),
            FeedColumn("time", c.time, "TIMESTAMP", "columns.time"),
            *dim_columns,
        ], checks=[*coordinate_checks(), *dimension_checks(spec.dimensions)])
        con.execute(sql("point_groups").replace("{dimensions}", dims),
                    {"period_format": PERIOD_FORMATS[spec.period]})
        groups = con.execute("SELECT * FROM point_group WHERE district_code IS NOT NULL "
                             "OR problem IS NOT NULL").df()
        placed = con.execute(sql("point_outside")).df()
        rejected = feed.parse_rejections()
        unparsed = len(rejected)
        if groups["problem"].notna().any():
            rejected += feed.listed_problems()
    rejected = dedupe_rejections(rejected)

    bad = int(groups.loc[groups["problem"].notna(), "n"].sum()) + unparsed
    inside = groups[groups["problem"].isna()]
    on_border = placed[placed["district_code"].notna()]
    outside = placed[placed["district_code"].isna()]
    counts = (pd.concat([inside[[*keys, "n"]], on_border[[*keys, "n"]]])
              .groupby(keys, as_index=False)["n"].sum())
    counted = int(counts["n"].sum())
    rows_read = counted + int(outside["n"].sum()) + bad
    notes = [f"{rows_read:,} points read"]
    if bad:
        notes.append(f"{bad:,} rows rejected"
                     + (f" (the first {MAX_LISTED:,} listed)" if bad > MAX_LISTED else ""))
    if len(on_border):
        notes.append(f"{int(on_border['n'].sum()):,} points on a district border, counted in "
                     "the lowest district code")
    if len(outside):
        swapped = int(outside.loc[outside["looks_swapped"], "n"].sum())
        notes.append(f"{int(outside['n'].sum()):,} points outside every district, not counted "
                     f"({swapped:,} of them would be inside with lon and lat swapped: check "
                     "the columns)")
    observations = _observations(counts, spec)
    notes.append(f"{counted:,} points counted in {len(observations):,} district cells "
                 f"per {spec.period}")
    if spec.redact:
        redaction = redact(observations, min_count)
        observations = redaction.published
        notes.append(redaction.summary(min_count))
    return FeedResult(observations.reset_index(drop=True), rows_read, counted, rejected, notes)


def _observations(counts: pd.DataFrame, spec: PointCountsSpec) -> pd.DataFrame:
    return pd.DataFrame({
        "district_code": counts["district_code"].astype(str),
        "period": counts["period"],
        "variable": spec.variable,
        "dims": dims_text(counts, spec.dimensions),
        "value": counts["n"].astype(float),
        "unit": spec.unit,
    }, columns=OBSERVATION_COLUMNS)
