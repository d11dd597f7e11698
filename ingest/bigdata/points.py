"""Geotagged points (posts, sensor hits, service requests) -> counts per district, period and
group (EPSG:4326, as the districts are stored).

DuckDB reads the file once and counts points per district, period and group where a lon/lat
grid places them by arithmetic (``grid``: cells wholly inside one district or wholly outside
the city), and rows failing a check, and lists the other points' coordinates; shapely then
places those exactly, once per distinct location (``exact``: a point on a border to the lowest
district code). Points outside the city are reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ingest.bigdata.engine import feed_engine, register_grid, sql
from ingest.bigdata.exact import place_exactly
from ingest.bigdata.feed import (
    MAX_LISTED,
    PERIOD_FORMATS,
    Check,
    Feed,
    FeedColumn,
    FeedResult,
    coordinate_checks,
    dedupe_rejections,
    dimension_checks,
    dimension_columns,
    dims_text,
)
from ingest.bigdata.grid import BORDER, OUTSIDE, DistrictGrid, district_grid
from ingest.bigdata.redaction import redact
from ingest.spec import PointCountsSpec
from observatory.models import OBSERVATION_COLUMNS, RejectedRow


@dataclass(frozen=True)
class PointPartition:
    """What one file (a partition of a big feed) gives before any publication rule: its
    point counts per district, period and group, and what it could not count."""

    source: str  # the file's name, which its rejected rows refer to
    counts: pd.DataFrame  # district_code, period, the dimensions, n
    rows_read: int
    bad: int  # rows rejected
    on_border: int
    outside: int
    swapped: int  # of the outside ones, inside with lon and lat swapped
    rejected: list[RejectedRow]


def point_counts(path: Path, spec: PointCountsSpec, districts: gpd.GeoDataFrame, *,
                 min_count: int) -> FeedResult:
    """``districts`` as the store returns them (EPSG:4326)."""
    return publish_points([point_partition(path, spec, districts)], spec, min_count=min_count)


def point_partition(path: Path, spec: PointCountsSpec,
                    districts: gpd.GeoDataFrame) -> PointPartition:
    """Classify and count one file; the cluster engine runs this on each partition."""
    dim_columns = dimension_columns(spec.dimensions)
    keys = _keys(spec)
    grid = district_grid(districts)
    checks = [*coordinate_checks(), *dimension_checks(spec.dimensions)]
    with feed_engine() as con:
        register_grid(con, grid)
        c = spec.columns
        feed = Feed(con, Path(path), format=spec.format, delimiter=spec.delimiter, columns=[
            FeedColumn("lon", c.lon, "DOUBLE", "columns.lon"),
            FeedColumn("lat", c.lat, "DOUBLE", "columns.lat"),
            FeedColumn("time", c.time, "TIMESTAMP", "columns.time"),
            *dim_columns,
        ], checks=checks)
        groups = con.execute(_groups_sql(checks, dim_columns, grid),
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
    exact, on_border, outside, swapped = _place_border_points(
        groups[place == BORDER].reset_index(drop=True), keys, grid, districts, codes)
    counts = (pd.concat([inside[[*keys, "n"]], exact])
              .groupby(keys, as_index=False)["n"].sum())
    return PointPartition(
        source=Path(path).name, counts=counts,
        bad=int(groups.loc[place.isna(), "n"].sum()) + unparsed,
        rows_read=int(groups["n"].sum()) + unparsed,  # a point in two districts: once
        on_border=on_border, outside=int(groups.loc[place == OUTSIDE, "n"].sum()) + outside,
        swapped=swapped, rejected=rejected)


def _groups_sql(checks: list[Check], dim_columns: list[FeedColumn], grid: DistrictGrid) -> str:
    """point_groups.sql with the checks' ``passes`` placed where they are cheapest: the time's
    and the coordinates' per row (a cell on a grid within the valid degrees needs no range
    test), the dimensions' once a group."""
    def passes(columns: set[str]) -> str:
        found = dict.fromkeys(f"({c.passes})" for c in checks if c.column in columns)
        return " AND ".join(found) or "true"

    coordinates_ok = passes({"lon", "lat"})
    on_grid = "ix BETWEEN 0 AND $grid_nx - 1 AND iy BETWEEN 0 AND $grid_ny - 1"
    if not grid.within_degrees():
        on_grid = f"{coordinates_ok} AND {on_grid}"
    dim_names = [column.name for column in dim_columns]
    return (sql("point_groups")
            .replace("{dimensions}", "".join(f"{name}, " for name in dim_names))
            .replace("{time_ok}", passes({"time"}))
            .replace("{on_grid}", on_grid)
            .replace("{coordinates_ok}", coordinates_ok)
            .replace("{groups_ok}", f"coalesce({passes(set(dim_names))}, false)"))


def _place_border_points(border: pd.DataFrame, keys: list[str], grid: DistrictGrid,
                         districts: gpd.GeoDataFrame,
                         codes: np.ndarray) -> tuple[pd.DataFrame, int, int, int]:
    """The points listed in the groups placed -2, each distinct location tested once: their
    counts per key (``keys`` and ``n``), and how many lay on a border, outside, and outside but
    inside with lon and lat swapped."""
    lonlat = (np.concatenate(border["lonlat"].to_list()) if len(border)
              else np.zeros(0)).reshape(-1, 2)
    group = np.repeat(np.arange(len(border)),
                      np.array([len(xy) // 2 for xy in border["lonlat"]], dtype=np.int64))
    located = np.empty(len(lonlat), dtype=np.complex128)  # sorts by lon, then lat
    located.real, located.imag = lonlat[:, 0], lonlat[:, 1]
    where, location = np.unique(located, return_inverse=True)
    placed = place_exactly(where.real, where.imag, grid, districts)
    # Points per (location, group), then over each district the location counts in.
    pair, n = np.unique(location.astype(np.int64) * max(len(border), 1) + group,
                        return_counts=True)
    at, of_group = np.divmod(pair, max(len(border), 1))
    order = np.argsort(placed.location, kind="stable")
    first = np.searchsorted(placed.location[order], at, side="left")
    times = np.searchsorted(placed.location[order], at, side="right") - first
    each = np.repeat(first - np.cumsum(times) + times, times) + np.arange(int(times.sum()))
    counted = pd.DataFrame({"g": np.repeat(of_group, times),
                            "district": placed.district[order][each], "n": np.repeat(n, times)})
    exact = (counted.groupby(["g", "district"], as_index=False)["n"].sum()
             .merge(border.drop(columns=["place", "n", "lonlat"]), left_on="g",
                    right_index=True))
    exact["district_code"] = codes[exact["district"].to_numpy()]
    return (exact[[*keys, "n"]], int(n[placed.on_border[at]].sum()),
            int(n[placed.outside[at]].sum()), int(n[placed.looks_swapped[at]].sum()))


def publish_points(parts: Sequence[PointPartition], spec: PointCountsSpec, *,
                   min_count: int) -> FeedResult:
    """Combine the partitions' counts, then apply the publication rules once, to the totals:
    a count small in every partition may be publishable in sum, and only the sum may be
    judged, so the result is the same however the feed was split."""
    keys = _keys(spec)
    counts = (pd.concat([part.counts for part in parts]).groupby(keys, as_index=False)["n"]
              .sum())
    rows_read = sum(part.rows_read for part in parts)
    bad = sum(part.bad for part in parts)
    on_border = sum(part.on_border for part in parts)
    outside = sum(part.outside for part in parts)
    swapped = sum(part.swapped for part in parts)
    rejected = (parts[0].rejected if len(parts) == 1 else
                [RejectedRow(row.row_number, row.column, f"{part.source}: {row.reason}", row.raw)
                 for part in parts for row in part.rejected])
    counted = rows_read - outside - bad
    notes = [f"{rows_read:,} points read"]
    if bad:
        notes.append(f"{bad:,} rows rejected"
                     + (f" (the first {MAX_LISTED:,} listed)" if bad > MAX_LISTED else ""))
    if on_border:
        notes.append(f"{on_border:,} points on a district border, counted in "
                     "the lowest district code")
    if outside:
        notes.append(f"{outside:,} points outside every district, not counted "
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


def _keys(spec: PointCountsSpec) -> list[str]:
    return ["district_code", "period", *[c.name for c in dimension_columns(spec.dimensions)]]


def _observations(counts: pd.DataFrame, spec: PointCountsSpec) -> pd.DataFrame:
    return pd.DataFrame({
        "district_code": counts["district_code"].astype(str),
        "period": counts["period"],
        "variable": spec.variable,
        "dims": dims_text(counts, spec.dimensions),
        "value": counts["n"].astype(float),
        "unit": spec.unit,
    }, columns=OBSERVATION_COLUMNS)
