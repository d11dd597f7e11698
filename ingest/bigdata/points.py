"""Geotagged points (posts, sensor hits, service requests) -> counts per district, period and
group (EPSG:4326, as the districts are stored).

DuckDB reads the file once and counts points per district, period and group where a lon/lat
grid places them by arithmetic (``grid``: cells wholly inside one district or wholly outside
the city), rows failing a check per problem, and the other points per location; shapely then
places those exactly (``exact``: a point on a border to the lowest district code). Points
outside the city are reported, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ingest.bigdata.engine import feed_engine, register_grid, sql
from ingest.bigdata.exact import place_exactly
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
from ingest.bigdata.grid import BORDER, OUTSIDE, district_grid
from ingest.bigdata.redaction import redact
from ingest.spec import PointCountsSpec
from observatory.models import OBSERVATION_COLUMNS


def point_counts(path: Path, spec: PointCountsSpec, districts: gpd.GeoDataFrame, *,
                 min_count: int) -> FeedResult:
    """``districts`` as the store returns them (EPSG:4326)."""
    dim_columns = dimension_columns(spec.dimensions)
    dims = "".join(f"{c.name}, " for c in dim_columns)
    keys = ["district_code", "period", *[c.name for c in dim_columns]]
    grid = district_grid(districts)
    with feed_engine() as con:
        register_grid(con, grid)
        c = spec.columns
        feed = Feed(con, Path(path), format=spec.format, delimiter=spec.delimiter, columns=[
            FeedColumn("lon", c.lon, "DOUBLE", "columns.lon"),
            FeedColumn("lat", c.lat, "DOUBLE", "columns.lat"),
            FeedColumn("time", c.time, "TIMESTAMP", "columns.time"),
            *dim_columns,
        ], checks=[*coordinate_checks(), *dimension_checks(spec.dimensions)])
        groups = con.execute(sql("point_groups").replace("{dimensions}", dims),
                             {"period_unit": spec.period,
                              "period_format": PERIOD_FORMATS[spec.period], **grid.params()}).df()
        rejected = feed.parse_rejections(int(groups["n"].sum()))
        unparsed = len(rejected)
        if groups["place"].isna().any():
            rejected += feed.listed_problems()
    rejected = dedupe_rejections(rejected)

    place = groups["place"]
    codes = districts["code"].astype(str).to_numpy()
    inside = groups[place >= 0].assign(
        district_code=lambda g: codes[g["place"].to_numpy(np.int64)])
    placed = place_exactly(groups[place == BORDER], districts)
    exact = placed[placed["district_code"].notna()]
    on_border = exact[~exact["inside"]]
    outside = pd.concat([groups.loc[place == OUTSIDE, ["n"]].assign(looks_swapped=False),
                         placed.loc[placed["district_code"].isna(), ["n", "looks_swapped"]]])
    counts = (pd.concat([inside[[*keys, "n"]], exact[[*keys, "n"]]])
              .groupby(keys, as_index=False)["n"].sum())
    bad = int(groups.loc[place.isna(), "n"].sum()) + unparsed
    rows_read = int(groups["n"].sum()) + unparsed  # a point in two overlapping districts: once
    counted = rows_read - int(outside["n"].sum()) - bad
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
