"""Row codecs: the layers' records and frames as the rows both backends write and read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from observatory.models import (
    DEFINITION_COLUMNS,
    DISTRICT_COLUMNS,
    DISTRICT_FEATURE_COLUMNS,
    EVENT_COLUMNS,
    INDICATOR_FEATURE_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    OBSERVATION_COLUMNS,
    City,
    DistrictFeatures,
    ExternalPeer,
    IngestRun,
    RejectedRow,
    utcnow,
)
from observatory.store.base import StoreError


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StoreError(f"{what} lack the columns {missing}; expected {list(columns)}")


def city_params(city: City) -> dict:
    return asdict(city)


def district_batch(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Districts as plain columns plus MultiPolygon WKB in EPSG:4326."""
    _require(districts, DISTRICT_COLUMNS, "districts")
    if districts.crs is None or districts.crs.to_epsg() != 4326:
        raise StoreError(f"districts must be in EPSG:4326, not {districts.crs}")
    if districts["code"].duplicated().any():
        dupes = sorted(districts.loc[districts["code"].duplicated(), "code"].astype(str))
        raise StoreError(f"district codes must be unique; repeated: {dupes[:10]}")
    geoms = districts.geometry.values
    polygons = shapely.get_type_id(geoms) == 3
    multi = geoms.copy()
    multi[polygons] = [shapely.MultiPolygon([g]) for g in geoms[polygons]]
    return pd.DataFrame({
        "code": districts["code"].astype(str).to_numpy(),
        "parent_code": (districts["parent_code"].astype("string") if "parent_code" in districts
                        else pd.Series(pd.NA, index=districts.index, dtype="string")).to_numpy(),
        "name_en": districts["name_en"].fillna("").astype(str).to_numpy(),
        "name_ar": districts["name_ar"].fillna("").astype(str).to_numpy(),
        "area_m2": pd.to_numeric(districts["area_m2"]).astype(float).to_numpy(),
        "wkb": shapely.to_wkb(multi),
    })


OBSERVATION_KEY = ["district_code", "period", "variable", "dims"]


def observation_batch(observations: pd.DataFrame, *, check_key: bool = True) -> pd.DataFrame:
    """Observations as the stores' columns; ``check_key=False`` leaves a repeated key to the
    database's own key (PostGIS: 0.2 s less a million rows)."""
    _require(observations, OBSERVATION_COLUMNS, "observations")
    out = pd.DataFrame({
        "district_code": observations["district_code"].astype(str),
        "period": observations["period"].astype(str),
        "variable": observations["variable"].astype(str),
        "dims": observations["dims"].fillna("{}").astype(str),
        "value": pd.to_numeric(observations["value"]).astype(float),
        "unit": observations["unit"].fillna("").astype(str),
    })
    if check_key and out.duplicated(OBSERVATION_KEY).any():
        first = out.loc[out.duplicated(OBSERVATION_KEY, keep=False), OBSERVATION_KEY]
        raise repeated_key(first.head(3).to_dict("records"))
    return out.reset_index(drop=True)


def repeated_key(examples: list[dict]) -> StoreError:
    return StoreError(f"observations repeat a (district, period, variable, dims) key: {examples}")


def event_batch(events: gpd.GeoDataFrame) -> pd.DataFrame:
    """Events as plain columns plus Point WKB in EPSG:4326."""
    _require(events, EVENT_COLUMNS, "events")
    if events.crs is None or events.crs.to_epsg() != 4326:
        raise StoreError(f"events must be in EPSG:4326, not {events.crs}")
    kinds = set(events.geom_type.dropna())
    if kinds - {"Point"}:
        raise StoreError(f"events must be points; got {sorted(kinds)}")
    ids = events["id"].astype(str)
    if ids.duplicated().any():
        # Refused alike by both stores (DuckDB's upsert would fail on it with its own error).
        repeated = sorted(set(ids[ids.duplicated()]))
        raise StoreError(f"event ids must be unique; repeated: {repeated[:10]}")
    occurred = pd.to_datetime(events["occurred_at"], utc=True)
    return pd.DataFrame({
        "id": events["id"].astype(str).to_numpy(),
        "layer": events["layer"].astype(str).to_numpy(),
        "occurred_at": occurred.to_numpy(),
        "attributes": events["attributes"].fillna("{}").astype(str).to_numpy(),
        "status": events["status"].fillna("published").astype(str).to_numpy(),
        "wkb": shapely.to_wkb(events.geometry.values),
    })


def observation_scope(batch: pd.DataFrame) -> dict[str, list[str]]:
    """The periods and variables a batch of observations loads: what it replaces."""
    return {"periods": sorted(batch["period"].astype(str).unique()),
            "variables": sorted(batch["variable"].astype(str).unique())}


def event_scope(batch: pd.DataFrame, layers: Sequence[str] = ()) -> dict[str, Any]:
    """The layers (its own and ``layers``) and the time range a batch of events loads. With no
    time in the batch the range is empty (NULL bounds match nothing)."""
    times = pd.to_datetime(batch["occurred_at"], utc=True).dropna()
    return {"layers": sorted(set(batch["layer"]) | set(layers)),
            "start": times.min().to_pydatetime() if len(times) else None,
            "end": times.max().to_pydatetime() if len(times) else None}


def geo_frame(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """Rows read with their geometry as WKB (column ``wkb``: bytes, bytearray or memoryview,
    as the driver gives it) as a GeoDataFrame in EPSG:4326."""
    geometry = shapely.from_wkb([bytes(b) for b in df.pop("wkb")])
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")


def events_frame(df: pd.DataFrame) -> gpd.GeoDataFrame:
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    return geo_frame(df)


def district_features(page: gpd.GeoDataFrame, matched: int, values: pd.DataFrame | None = None,
                      period: str | None = None) -> DistrictFeatures:
    """A page of districts (and, for an indicator, its values of one period) as feature rows:
    Python scalars, None for anything missing, geometry as GeoJSON text."""
    columns: tuple[str, ...] = DISTRICT_FEATURE_COLUMNS
    table = pd.DataFrame(page[list(columns)])
    if values is not None:
        columns = INDICATOR_FEATURE_COLUMNS
        chosen = values[["district_code", *columns[4:]]]
        table = table.merge(chosen, left_on="code", right_on="district_code", how="left")
    table = table[list(columns)].astype(object)
    rows = list(table.where(table.notna(), None).itertuples(index=False, name=None))
    return DistrictFeatures(columns, rows, list(shapely.to_geojson(page.geometry.values)),
                            matched, period)


def rejected_batch(rejected: Sequence[RejectedRow]) -> pd.DataFrame:
    return pd.DataFrame({
        "row_number": pd.array([r.row_number for r in rejected], dtype="Int64"),
        "column_name": pd.array([r.column for r in rejected], dtype="string"),
        "reason": pd.array([r.reason for r in rejected], dtype="string"),
        "raw": pd.array([r.raw or "" for r in rejected], dtype="string"),
    })


def rejected_from_row(row: Sequence) -> RejectedRow:
    number, column, reason, raw = row
    return RejectedRow(row_number=None if pd.isna(number) else int(number),
                       column=column, reason=reason, raw=raw or "")


def indicator_batch(values: pd.DataFrame, level: str) -> pd.DataFrame:
    """``level``: of rows without a ``level`` column of their own."""
    _require(values, INDICATOR_VALUE_COLUMNS, "indicator values")
    out = values[INDICATOR_VALUE_COLUMNS].copy()
    out["district_code"] = out["district_code"].astype("string")
    out["period"] = out["period"].astype(str)
    for column in ("value", "score", "coverage"):
        out[column] = pd.to_numeric(out[column]).astype(float)
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out["definition_hash"] = out["definition_hash"].fillna("").astype(str)
    runs = values.get("source_runs", "")
    out["source_runs"] = pd.Series(runs, index=out.index).fillna("").astype(str)
    out["level"] = pd.Series(values.get("level", level), index=out.index).fillna(level).astype(str)
    estimate = values.get("estimate", "")
    out["estimate"] = pd.Series(estimate, index=out.index).fillna("").astype(str)
    return out.reset_index(drop=True)


def definition_batch(definitions: pd.DataFrame) -> pd.DataFrame:
    """Every column text ('' for none)."""
    columns = ["period", *DEFINITION_COLUMNS]
    _require(definitions, columns, "definitions")
    return definitions[columns].fillna("").astype(str).reset_index(drop=True)


CROSSWALK_COLUMNS = ["from_level", "from_version", "from_code", "to_level", "to_version",
                     "to_code", "weight", "method"]


def crosswalk_batch(crosswalk: pd.DataFrame) -> pd.DataFrame:
    _require(crosswalk, CROSSWALK_COLUMNS, "crosswalk")
    out = crosswalk[CROSSWALK_COLUMNS].copy()
    for column in ("from_version", "to_version"):
        out[column] = pd.to_datetime(out[column]).dt.date
    out["weight"] = pd.to_numeric(out["weight"]).astype(float)
    for column in ("from_level", "from_code", "to_level", "to_code", "method"):
        out[column] = out[column].astype(str)
    return out.reset_index(drop=True)


def finish(run: IngestRun, *, loaded: int, rejected: int) -> None:
    run.rows_loaded = loaded
    # A job that keeps only the first rejected rows gives the full count itself.
    run.rows_rejected = max(run.rows_rejected, rejected)
    run.rows_read = run.rows_read or loaded + rejected  # jobs give source rows when they know
    run.status = "succeeded"
    run.finished_at = utcnow()


def failed(run: IngestRun, exc: Exception) -> IngestRun:
    return replace(run, status="failed", rows_loaded=0, finished_at=utcnow(),
                   message=f"{type(exc).__name__}: {exc}"[:2000])


def run_params(run: IngestRun) -> dict:
    return asdict(run)


def runs_from_frame(df: pd.DataFrame) -> list[IngestRun]:
    runs = []
    for record in df.to_dict("records"):
        for stamp in ("started_at", "finished_at"):
            value = record.get(stamp)
            record[stamp] = None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()
        for count in ("rows_read", "rows_loaded", "rows_rejected"):
            record[count] = int(record[count])
        if pd.isna(record.get("spec_name")):  # recorded before 003_replacement_scope.sql
            record["spec_name"] = None
        runs.append(IngestRun(**record))
    return runs


def external_peer_params(peer: ExternalPeer) -> dict:
    params = asdict(peer)
    for column in ("checksums", "provenance", "definitions"):
        params[column] = json.dumps(params[column], sort_keys=True, ensure_ascii=False)
    return params


def external_peer_from_row(row: tuple) -> ExternalPeer:
    (city, bundle_id, origin, origin_city, version, format_version, exported_at, imported_at,
     checksums, provenance, definitions) = row
    return ExternalPeer(city, bundle_id, origin, origin_city, version, int(format_version),
                        _aware(exported_at), _aware(imported_at), json.loads(checksums),
                        json.loads(provenance), json.loads(definitions))


def _aware(value: Any) -> datetime:
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            ).to_pydatetime()
