"""Mobile-phone tower aggregates (site, lon, lat, day, metric, group, count) -> district
observations, redacted for publication.

DuckDB streams the file once and sums the daily rows per site, period, metric and group (sites
are few, rows are many); the per-site totals then move to districts either by containment
(the district containing the site; a site on a border goes to the lowest district code) or by
Voronoi cells clipped to the city and areal interpolation in the city's local CRS. Redaction
follows interpolation (``redaction.redact``), on extensive metrics: rates are not counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from ingest.bigdata.engine import feed_engine, sql
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
    sql_text_list,
)
from ingest.bigdata.redaction import redact
from ingest.spec import CdrSpec
from ingest.values import MAX_COUNT
from observatory.geography.interpolation import area_table, interpolate, voronoi_cells
from observatory.models import OBSERVATION_COLUMNS, RejectedRow


@dataclass(frozen=True)
class TowerPartition:
    """What one file (a partition of a big feed) gives before any district assignment: its
    good rows summed per site, location, period, metric and group, and what it rejected."""

    source: str  # the file's name, which its rejected rows refer to
    totals: pd.DataFrame  # site, lon, lat, period, metric, the dimensions, value, rows
    rows_read: int
    rejected: list[RejectedRow]


def tower_observations(path: Path, spec: CdrSpec, districts: gpd.GeoDataFrame, *,
                       local_crs: str, min_count: int) -> FeedResult:
    """``districts`` as the store returns them (EPSG:4326); ``local_crs`` projected, metres."""
    return publish_towers([tower_partition(path, spec, districts)], spec, districts,
                          local_crs=local_crs, min_count=min_count)


def tower_partition(path: Path, spec: CdrSpec, districts: gpd.GeoDataFrame) -> TowerPartition:
    """Check and sum one file; the cluster engine runs this on each partition. A site outside
    the city is rejected here, with its lines: whether a location is inside does not depend on
    the other partitions."""
    path = Path(path)
    with feed_engine() as con:
        feed = Feed(con, path, format=spec.format, delimiter=spec.delimiter,
                    columns=_columns(spec), checks=_checks(spec))
        dims = "".join(f"{c.name}, " for c in dimension_columns(spec.dimensions))
        totals = con.execute(sql("tower_site_totals").replace("{dimensions}", dims),
                             {"period_format": PERIOD_FORMATS[spec.period]}).df()
        rejected = feed.parse_rejections(int(totals["rows"].sum()))
        rows_read = int(totals["rows"].sum()) + len(rejected)
        good = totals[totals["problem"].isna()].drop(columns=["problem_column", "problem"])
        locations = _locations(good, districts)
        outside = locations[locations["reason"].notna()]
        if totals["problem"].notna().any() or len(outside):
            rejected += feed.listed_problems(_outside_check(con, outside))
    return TowerPartition(path.name, good.reset_index(drop=True), rows_read,
                          dedupe_rejections(rejected))


def publish_towers(parts: Sequence[TowerPartition], spec: CdrSpec,
                   districts: gpd.GeoDataFrame, *, local_crs: str,
                   min_count: int) -> FeedResult:
    """Combine the partitions' sums, then move them to districts and redact, once, on the
    totals: the Voronoi cells depend on every site of the feed, and only the sum of a cell may
    be judged for publication, so the result is the same however the feed was split."""
    # Summed again, as a site's days of one period may lie in several partitions, and sorted:
    # the same rows in the same order whatever the split.
    good = pd.concat([part.totals for part in parts], ignore_index=True)
    keys = [c for c in good.columns if c not in ("value", "rows")]
    good = good.groupby(keys, dropna=False)[["value", "rows"]].sum().reset_index()
    rows_read = sum(part.rows_read for part in parts)
    rejected = (parts[0].rejected if len(parts) == 1 else
                [RejectedRow(row.row_number, row.column, f"{part.source}: {row.reason}", row.raw)
                 for part in parts for row in part.rejected])
    locations = _locations(good, districts)
    outside = locations[locations["reason"].notna()]

    inside = locations[locations["reason"].isna()]
    used = good.merge(inside[["lon", "lat", "location"]], on=["lon", "lat"])
    rows_used = int(used["rows"].sum())
    notes = [(f"{rows_read:,} rows read; {rows_used:,} rows from {used['site'].nunique()} sites "
             f"at {len(inside)} locations summed per {spec.period}")]
    if rows_read > rows_used:
        dropped = rows_read - rows_used
        notes.append(f"{dropped:,} rows rejected"
                     + (f" (the first {MAX_LISTED:,} listed)" if dropped > MAX_LISTED else ""))
    if len(outside):
        listed = ", ".join(f"{r.sites} ({r.reason})" for r in outside.itertuples())
        notes.append(f"{len(outside)} site locations outside the city: {listed}")
    if used.empty:
        return FeedResult(pd.DataFrame(columns=OBSERVATION_COLUMNS), rows_read, 0, rejected, notes)

    table, method = (_containment(inside, districts) if spec.assign == "containment"
                     else _voronoi(inside, districts, local_crs))
    observations = _interpolated(used, table, spec)
    extensive = observations["kind"] == "extensive"
    redaction = redact(observations[extensive], min_count)
    published = pd.concat([redaction.published, observations[~extensive]])
    notes[1:1] = [f"moved to districts {method}", redaction.summary(min_count)]
    return FeedResult(published[OBSERVATION_COLUMNS].reset_index(drop=True), rows_read,
                      rows_used, rejected, notes)


def _columns(spec: CdrSpec) -> list[FeedColumn]:
    c = spec.columns
    return [
        FeedColumn("site", c.site, "VARCHAR", "columns.site"),
        FeedColumn("lon", c.lon, "DOUBLE", "columns.lon"),
        FeedColumn("lat", c.lat, "DOUBLE", "columns.lat"),
        FeedColumn("time", c.time, "TIMESTAMP", "columns.time"),
        FeedColumn("metric", c.metric, "VARCHAR", "columns.metric"),
        FeedColumn("count", c.count, "DOUBLE", "columns.count"),
        *dimension_columns(spec.dimensions),
    ]


def _checks(spec: CdrSpec) -> list[Check]:
    known = sql_text_list(list(spec.metrics))
    return [
        Check("site", "site IS NULL", "'no site id'"),
        Check("site", "contains(site, chr(0))",
              "'the site id holds a NUL byte (0x00): the export is probably damaged'"),
        *coordinate_checks(),
        Check("metric", f"metric IS NULL OR metric NOT IN ({known})",
              f"'unknown metric ''' || coalesce(metric, '') || ''': add it under metrics in "
              f"the spec (known: {', '.join(spec.metrics)})'"),
        Check("count", "count IS NULL", "'no count'"),
        Check("count", "NOT isfinite(count) OR count < 0",
              "'count ' || count || ' is not a count: give a number of 0 or more'"),
        Check("count", f"count > {MAX_COUNT}",
              f"'count ' || count || ' is larger than {MAX_COUNT:.0e}, more than any count of a "
              "city: check the export'"),
        *dimension_checks(spec.dimensions),
    ]


def _locations(good: pd.DataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per distinct (lon, lat): ``location`` number, ``sites`` (ids), and ``reason``
    when it lies outside every district (naming a lon/lat swap when that would put it in)."""
    grouped = good.groupby(["lon", "lat"], sort=True)["site"]
    locations = grouped.agg(lambda s: ", ".join(sorted(set(s)))).rename("sites").reset_index()
    locations["location"] = range(len(locations))
    outline = shapely.union_all(districts.geometry.values)
    shapely.prepare(outline)
    here = shapely.points(locations["lon"], locations["lat"])
    swapped = shapely.points(locations["lat"], locations["lon"])
    inside = shapely.intersects(outline, here)
    looks_swapped = shapely.intersects(outline, swapped)
    locations["reason"] = None
    locations.loc[~inside, "reason"] = "site lies outside every district of the city: check lon/lat"
    locations.loc[~inside & looks_swapped, "reason"] = (
        "site lies outside the city but (lat, lon) would be inside: lon and lat look swapped")
    return locations


def _outside_check(con, outside: pd.DataFrame) -> Check | None:
    if outside.empty:
        return None
    con.register("outside_site", outside[["lon", "lat", "reason"]])
    match = "o.lon = checked_numbered.lon AND o.lat = checked_numbered.lat"
    return Check("lon", f"problem IS NULL AND EXISTS (SELECT 1 FROM outside_site o WHERE {match})",
                 f"(SELECT first(o.reason) FROM outside_site o WHERE {match})")


def _containment(inside: pd.DataFrame, districts: gpd.GeoDataFrame) -> tuple[pd.DataFrame, str]:
    # In EPSG:4326, the CRS the boundaries are stored in, so that a site on a shared border
    # touches both districts exactly; the lowest code takes it, so that nothing is counted twice.
    points = shapely.points(inside["lon"], inside["lat"])
    tree = shapely.STRtree(districts.geometry.values)
    site_pos, district_pos = tree.query(points, predicate="intersects")
    pairs = pd.DataFrame({"source": inside["location"].to_numpy()[site_pos],
                          "target": districts["code"].astype(str).to_numpy()[district_pos]})
    table = pairs.sort_values(["source", "target"]).drop_duplicates("source").assign(area=1.0)
    return table, "by containment (a site on a border to the lowest district code)"


def _voronoi(inside: pd.DataFrame, districts: gpd.GeoDataFrame,
             local_crs: str) -> tuple[pd.DataFrame, str]:
    local = districts.set_index(districts["code"].astype(str)).to_crs(local_crs)
    points = gpd.GeoSeries(shapely.points(inside["lon"], inside["lat"]),
                           index=inside["location"], crs="EPSG:4326").to_crs(local_crs)
    cells = voronoi_cells(points, shapely.union_all(local.geometry.values))
    return (area_table(cells, local.geometry),
            f"by Voronoi cells clipped to the city and areal interpolation in {local_crs}")


def _interpolated(used: pd.DataFrame, table: pd.DataFrame, spec: CdrSpec) -> pd.DataFrame:
    dim_names = [c.name for c in dimension_columns(spec.dimensions)]
    keys = ["period", "metric", *dim_names]
    per_location = (used.groupby(["location", *keys], dropna=False)[["value", "rows"]].sum()
                    .reset_index().rename(columns={"location": "source"}))
    parts = []
    for kind in ("extensive", "intensive"):
        names = [name for name, m in spec.metrics.items() if m.kind == kind]
        values = per_location[per_location["metric"].isin(names)].copy()
        if values.empty:
            continue
        if kind == "intensive":  # a rate of a period is the mean of its daily rates
            values["value"] = values["value"] / values["rows"]
        parts.append(interpolate(values.drop(columns="rows"), table, kind, by=keys)
                     .assign(kind=kind))
    if not parts:
        return pd.DataFrame(columns=[*OBSERVATION_COLUMNS, "kind"])
    moved = pd.concat(parts, ignore_index=True)
    moved["dims"] = dims_text(moved, spec.dimensions)
    metrics = moved["metric"].map(spec.metrics)
    return pd.DataFrame({
        "district_code": moved["target"].astype(str),
        "period": moved["period"],
        "variable": [m.variable for m in metrics],
        "dims": moved["dims"],
        "value": moved["value"],
        "unit": [m.unit for m in metrics],
        "kind": moved["kind"],
    })
