"""Point events (fire, waste, carjacking…) -> rows of the event table, in EPSG:4326.

Pure: no store. Records come from a table with coordinate columns or from a vector file's
point geometry. A record without a usable time, layer or point is rejected; a point outside
every district is kept and counted, because the boundaries may be what is incomplete.
"""

from __future__ import annotations

import difflib
import json
import uuid
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from ingest.errors import IngestError
from ingest.rejections import Rejections
from ingest.spec import EventsSpec, EventTimeSpec
from ingest.text import as_text
from ingest.values import implausible_years, period_range
from observatory.models import EVENT_COLUMNS, RejectedRow

STORAGE_CRS = "EPSG:4326"


@dataclass
class EventResult:
    events: gpd.GeoDataFrame  # EVENT_COLUMNS, EPSG:4326
    rows_read: int
    outside: int  # events kept that fall in no district
    rejected: list[RejectedRow] = field(default_factory=list)


def normalise_events(
    records: pd.DataFrame, spec: EventsSpec, districts: gpd.GeoDataFrame, *, source: str
) -> EventResult:
    """``records``: a table (text columns) or a GeoDataFrame read from a vector file, indexed
    by source row or feature number; ``districts``: the city's current districts."""
    _require_columns(records, spec, source)
    rejections = Rejections(records.index)
    rejections.reject_long_fields(records)
    layers = _layers(records, spec, rejections)
    times = _times(records, spec.time, rejections, source)
    points = _points(records, spec, rejections, source)
    if spec.id:
        ids = as_text(records[spec.id.column])
        repeated = ids.notna() & ids.duplicated(keep="first")
        first = pd.Series(records.index, index=records.index).groupby(ids).transform("first")
        rejections.add(repeated, spec.id.column,
                       "id " + ids.fillna("") + " repeats the one of row "
                       + first.astype("string"), ids)

    good = ~rejections.bad
    kept = gpd.GeoDataFrame(
        {
            "id": [uuid.uuid4().hex for _ in range(int(good.sum()))],
            "layer": layers[good].to_numpy(),
            "occurred_at": times[good].to_numpy(),
            "attributes": _attributes(records[good], spec),
            "status": "published",
        },
        geometry=points[good].to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    )
    rejected = sorted(rejections.rows, key=lambda r: (r.row_number, r.column))
    return EventResult(kept[EVENT_COLUMNS], len(records), _outside(kept, districts), rejected)


def _wanted_columns(spec: EventsSpec) -> list[tuple[str, str]]:
    attributes = spec.attribute_columns() or {}
    return [
        *((("time.column", spec.time.column),) if spec.time.column else ()),
        *((("layer.column", spec.layer.column),) if spec.layer.column else ()),
        *((("id.column", spec.id.column),) if spec.id else ()),
        *((("point.lon", spec.point.lon), ("point.lat", spec.point.lat)) if spec.point else ()),
        *((f"attributes.{name}", column) for name, column in attributes.items()),
    ]


def _require_columns(records: pd.DataFrame, spec: EventsSpec, source: str) -> None:
    present = [str(c) for c in records.columns if c != "geometry"]
    for key, column in _wanted_columns(spec):
        if column not in present:
            close = difflib.get_close_matches(column, present, n=1)
            raise IngestError(
                f"no column '{column}'",
                file=source,
                key=key,
                fix=(f"did you mean '{close[0]}'? " if close else "")
                + f"the file has: {', '.join(present)}",
            )
    if spec.point is None and not isinstance(records, gpd.GeoDataFrame):
        raise IngestError(
            "a table of events needs coordinate columns",
            file=source,
            key="point",
            fix="add point: {lon: <x column>, lat: <y column>} to the events spec",
        )


def _layers(records: pd.DataFrame, spec: EventsSpec, rejections: Rejections) -> pd.Series:
    if spec.layer.value:
        return pd.Series(spec.layer.value, index=records.index, dtype="string")
    column = spec.layer.column or ""
    values = as_text(records[column])
    rejections.add(values.isna(), column, "no layer given", values)
    if not spec.layer.values:
        return values
    layers = values.map(spec.layer.values)
    reason = "'" + values.fillna("") + "' is not in layer.values: add it there"
    rejections.add(values.notna() & layers.isna(), column, reason, values)
    return layers


def _times(records: pd.DataFrame, spec: EventTimeSpec, rejections: Rejections,
           source: str) -> pd.Series:
    first, last = period_range()
    if spec.column:  # exactly one of column and value is set
        column, where = records[spec.column], spec.column
    else:
        column = pd.Series(spec.value, index=records.index, dtype="string")
        where = "time.value"
        year = int(_parse_times(column.iloc[:1], spec.format).dt.year.iloc[0]) if len(column) \
            else first
        if not first <= year <= last:  # the spec's one time: the spec is wrong, not a row
            raise IngestError(
                f"time.value '{spec.value}' is not a plausible time: the year must be from "
                f"{first} to {last}",
                file=source, key="time.value",
                fix="correct time.value in the events spec (OBSERVATORY_EARLIEST_YEAR and "
                "OBSERVATORY_LATEST_YEAR set the range)")
    text = as_text(column)
    rejections.add(text.isna(), where, "no time given: every event needs one", text)
    if pd.api.types.is_datetime64_any_dtype(column):
        parsed = column
    else:
        parsed = _parse_times(text, spec.format)
    if parsed.dt.tz is None:
        # Local wall-clock times; an hour that is repeated when clocks go back counts as the
        # standard-time one, an hour skipped when they go forward moves forward.
        parsed = parsed.dt.tz_localize(spec.timezone, ambiguous=np.zeros(len(parsed), bool),
                                       nonexistent="shift_forward")
    expected = f"the spec's time.format {spec.format}" if spec.format else (
        "ISO 8601, e.g. 2025-03-14T18:30:00")
    reason = "'" + text.fillna("") + f"' is not a time in {expected}: correct it or set time.format"
    rejections.add(text.notna() & parsed.isna(), where, reason, text)
    # A year no city's data can have (a typo, a default date of 1900 or 2099) is refused as
    # admin dates and census periods are.
    implausible = implausible_years(parsed.dt.strftime("%Y").astype("string"))
    rejections.add(implausible, where, "'" + text.fillna("") + "' is not a plausible time: the "
                   f"year must be from {first} to {last} (OBSERVATORY_EARLIEST_YEAR, "
                   "OBSERVATORY_LATEST_YEAR)", text)
    return parsed.dt.tz_convert("UTC")


def _parse_times(text: pd.Series, pattern: str | None) -> pd.Series:
    try:
        return pd.to_datetime(text, format=pattern or "ISO8601", errors="coerce")
    except ValueError:  # offsets that differ from row to row
        return pd.to_datetime(text, format=pattern or "ISO8601", errors="coerce", utc=True)


def _points(
    records: pd.DataFrame, spec: EventsSpec, rejections: Rejections, source: str
) -> gpd.GeoSeries:
    crs = _crs(spec.crs, source)
    if spec.point:
        x_text, y_text = as_text(records[spec.point.lon]), as_text(records[spec.point.lat])
        x, y = pd.to_numeric(x_text, errors="coerce"), pd.to_numeric(y_text, errors="coerce")
        for name, text, number in ((spec.point.lon, x_text, x), (spec.point.lat, y_text, y)):
            rejections.add(text.isna(), name, "no coordinate given", text)
            rejections.add(text.notna() & number.isna(), name,
                           "'" + text.fillna("") + "' is not a number (use a point for "
                           "decimals)", text)
        points = gpd.GeoSeries(gpd.points_from_xy(x.fillna(0), y.fillna(0)),
                               index=records.index, crs=crs or STORAGE_CRS)
        where = spec.point.lon
    else:
        geometry = records.geometry
        if crs is not None:
            geometry = geometry.set_crs(crs, allow_override=True)
        elif geometry.crs is None:
            raise IngestError(
                "the file has no coordinate reference system (CRS)",
                file=source,
                column="geometry",
                fix='set crs in the events spec to the CRS the coordinates are in, e.g. '
                'crs: "EPSG:31256"',
            )
        missing = geometry.isna() | geometry.is_empty
        kinds = geometry.geom_type.fillna("").astype("string")
        rejections.add(missing, "geometry", "the feature has no geometry", kinds)
        rejections.add(~missing & (kinds != "Point"), "geometry",
                       "an event needs a point, not a " + kinds, kinds)
        points, where = gpd.GeoSeries(geometry, index=records.index), "geometry"
    _reject_out_of_range(points, rejections, where)
    return points


def _crs(text: str | None, source: str) -> CRS | None:
    if not text:
        return None
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise IngestError(
            f"'{text}' is not a coordinate reference system",
            file=source,
            key="crs",
            fix="give an EPSG code such as EPSG:4326 or EPSG:31256",
        ) from exc


def _reject_out_of_range(points: gpd.GeoSeries, rejections: Rejections, column: str) -> None:
    """Degrees beyond ±180/±90: projected coordinates labelled as longitude and latitude."""
    if points.crs is None or not points.crs.is_geographic:
        return
    x, y = shapely.get_x(points.array), shapely.get_y(points.array)
    outside = pd.Series((np.abs(x) > 180) | (np.abs(y) > 90), index=points.index)
    text = pd.Series([f"{a:g} {b:g}" for a, b in zip(x, y, strict=True)], index=points.index)
    rejections.add(outside, column,
                   "coordinates " + text + " are not longitude and latitude: set crs in the "
                   "events spec to the CRS they are in, e.g. crs: \"EPSG:31256\"", text)


def _attributes(records: pd.DataFrame, spec: EventsSpec) -> list[str]:
    columns = spec.attribute_columns()
    if columns is None:
        skip = {spec.time.column, "geometry",
                *((spec.point.lon, spec.point.lat) if spec.point else ())}
        columns = {str(c): c for c in records.columns if c not in skip}
    if not columns:
        return ["{}"] * len(records)
    table = pd.DataFrame({name: records[column] for name, column in columns.items()},
                         index=records.index)
    rows = json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))
    return [json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            for row in rows]


def _outside(events: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> int:
    inside, _ = districts.sindex.query(events.geometry, predicate="intersects")
    return len(events) - len(np.unique(inside))
