"""A city's inputs as files (observations in Parquet, districts and event layers in
GeoParquet) that a task of the partitioned engine reads its part of: the districts of a range
of codes, the rows of some variables, sums over districts (``indicators.partitioned``).

Written from frames (``write_city_files``) or from a store (``export_city``); read with DuckDB
(``sql/parquet/queries.sql``) and geopandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from indicators.access import ServiceIndex, service_points
from indicators.evaluate import CityWide, PreparedObservations, SpatialContext
from indicators.formulas.base import FormulaKind
from indicators.formulas.rates import city_event_counts, place_points
from observatory.settings import ResourceSettings
from observatory.store import Store
from observatory.store.sqlfiles import queries

SUM_KEY = ["period", "variable", "dims", "unit", "ingest_run"]
OBSERVATION_COLUMNS = ["district_code", "period", "variable", "dims", "value", "unit",
                       "ingest_run"]
EVENT_COLUMNS = ["id", "layer", "occurred_at", "attributes", "status"]
ROW_GROUP = 100_000  # rows per Parquet row group: a part's range reads few groups beyond it


@dataclass(frozen=True)
class CityFiles:
    """A city's inputs as files that each task reads its part of: observations (Parquet, the
    store's observation columns, sorted by district code), districts (GeoParquet with
    ``code``, ``area_m2`` and the geometry, EPSG:4326), events (a folder of
    ``<layer>.parquet`` GeoParquet files)."""

    observations: Path
    districts: Path
    events: Path
    local_crs: str
    # Each reading connection's memory limit and spill folder, as every DuckDB connection of
    # the observatory has them.
    resources: ResourceSettings = field(default_factory=ResourceSettings)


def _query(name: str) -> str:
    return queries("parquet")[name]


def _connect(files: CityFiles) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={**files.resources.duckdb_config(),
                                 "autoinstall_known_extensions": False})
    con.execute("SET enable_progress_bar = false")  # a worker's output is its result only
    return con


def district_codes(files: CityFiles) -> list[str]:
    """Every district code of the boundaries and the observations, sorted."""
    with _connect(files) as con:
        rows = con.execute(_query("district_codes"), {
            "observations": str(files.observations), "districts": str(files.districts)
        }).fetchall()
    return [str(code) for (code,) in rows]


def read_observations(files: CityFiles, variables: list[str],
                      bounds: tuple[str, str] | None) -> pd.DataFrame:
    """The observations of ``variables`` of the districts from ``bounds[0]`` to ``bounds[1]``
    (all without bounds), in the store's columns."""
    low, high = bounds if bounds is not None else (None, None)
    with _connect(files) as con:
        # Through Arrow: DuckDB's own pandas conversion of text took 7× as long and 3× the
        # memory (2.25 M rows: 7.3 s, 1.7 GB).
        return con.execute(_query("observation_part"), {
            "path": str(files.observations), "variables": variables, "low": low, "high": high
        }).to_arrow_table().to_pandas()


def observation_sums(files: CityFiles, variables: list[str],
                     bounds: tuple[str, str] | None) -> pd.DataFrame:
    """Sum and number of the rows of ``variables`` per SUM_KEY over the districts from
    ``bounds[0]`` to ``bounds[1]`` (all without bounds)."""
    low, high = bounds if bounds is not None else (None, None)
    with _connect(files) as con:
        return con.execute(_query("observation_sums"), {
            "path": str(files.observations), "variables": variables, "low": low, "high": high
        }).df()


@dataclass(frozen=True)
class CityWideFiles:
    """What a part's formulas take from the whole city (``CityWide``), as files made before
    the parts: events placed among all the districts (``write_placed_events``), per layer,
    events counted per period and district (``write_event_counts``), per (layer, period,
    UTC offset), services' coordinates for the nearest-service search
    (``write_service_points``), per layer, and the decisions of the formulas' city stages
    (``write_stage_decisions``), per stage key."""

    placed: dict[str, Path]
    counts: dict[tuple[str, str, float | None], Path]
    searched: dict[str, Path]
    decided: dict[str, Path] = field(default_factory=dict)

    def for_part(self, bounds: tuple[str, str]) -> CityWide:
        def placed(layer: str) -> gpd.GeoDataFrame:
            return read_placed_events(self.placed[layer], bounds)

        def counts(layer: str, period: str, offset: float | None) -> pd.DataFrame:
            table = pd.read_parquet(self.counts[(layer, period, offset)],
                                    filters=_in_bounds("district_code", bounds))
            return table.reset_index(drop=True)

        def searched(layer: str) -> ServiceIndex | None:
            path = self.searched[layer]
            if not path.is_file():  # not every service is a point
                return None
            return ServiceIndex(pd.read_parquet(path).to_numpy(dtype=float))

        decisions: dict[str, object] = {}

        def decided(key: str) -> object:
            if key not in decisions:  # read once per part, whatever the indicators asking
                decisions[key] = pd.read_pickle(self.decided[key])
            return decisions[key]

        return CityWide(placed=placed, event_counts=counts, searched=searched, decided=decided)


def _in_bounds(column: str, bounds: tuple[str, str]) -> list[tuple[str, str, str]]:
    return [(column, ">=", bounds[0]), (column, "<=", bounds[1])]


def spatial_context(files: CityFiles, bounds: tuple[str, str] | None,
                    city: CityWideFiles | None = None) -> SpatialContext:
    """The districts from ``bounds[0]`` to ``bounds[1]`` (all without bounds) and every
    event, by layer on demand; with ``city``, a part of the city (``SpatialContext.city``)."""
    filters = _in_bounds("code", bounds) if bounds is not None else None
    districts = gpd.read_parquet(files.districts, filters=filters)
    return SpatialContext(districts=districts.reset_index(drop=True), local_crs=files.local_crs,
                          events=lambda layer: read_events(files, layer),
                          city=city.for_part(bounds) if city is not None and bounds else None)


def read_events(files: CityFiles, layer: str) -> gpd.GeoDataFrame:
    """The published events of ``layer`` (none where the folder has no file for it)."""
    path = files.events / f"{layer}.parquet"
    if not path.is_file():
        return gpd.GeoDataFrame({c: np.array([], dtype=object) for c in EVENT_COLUMNS},
                                geometry=gpd.GeoSeries([], crs=4326))
    events = gpd.read_parquet(path)
    return events[events["status"] == "published"].reset_index(drop=True)


def write_event_counts(files: CityFiles, layer: str, period: str, offset: float | None,
                       path: Path) -> int:
    """The published events of ``layer`` counted per local ``period`` and district over the
    whole city (``rates.city_event_counts``), in ``path``. Returns the rows written."""
    counts = city_event_counts(spatial_context(files, None), layer, period, offset)
    counts.to_parquet(path, index=False)
    return len(counts)


def write_service_points(files: CityFiles, layer: str, path: Path) -> int:
    """The coordinates (columns x, y) of the published events of ``layer`` in the city's
    local CRS, in ``path``, for the nearest-service search: a part reads them instead of
    transforming every event again. Nothing written (-1) when not every one is a point."""
    xy = service_points(read_events(files, layer), files.local_crs)
    if xy is None:
        return -1
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_parquet(path, index=False)
    return len(xy)


def write_stage_summaries(files: CityFiles, staged: dict[str, FormulaKind],
                          bounds: tuple[str, str], min_count: int, path: Path) -> int:
    """What the districts from ``bounds[0]`` to ``bounds[1]`` give each city stage
    (``FormulaKind.stage_summary``), by stage key, in ``path`` (a pickle: these files are
    the run's own, made and read by its workers). Returns the observation rows read."""
    variables = sorted(set().union(*(f.variables() for f in staged.values())))
    observations = read_observations(files, variables, bounds)
    prepared = PreparedObservations(observations)
    summaries = {key: formula.stage_summary(prepared, min_count) if len(observations) else None
                 for key, formula in staged.items()}
    pd.to_pickle(summaries, path)
    return len(observations)


def write_stage_decisions(formula: FormulaKind, summaries: list[Path], key: str,
                          min_count: int, path: Path) -> None:
    """The decisions of the city stage ``key`` from every part's summary (in the parts'
    order), in ``path``."""
    found = [pd.read_pickle(p)[key] for p in summaries]
    pd.to_pickle(formula.stage_decisions(found, min_count), path)


def write_placed_events(files: CityFiles, layer: str, path: Path) -> int:
    """The published events of ``layer`` placed among all the city's districts (an event on
    a border for the first district in the districts' order), with their ``district_code``,
    sorted by it, in ``path``; events outside every district left out. Returns how many."""
    districts = gpd.read_parquet(files.districts)
    events = read_events(files, layer)
    placed = events.assign(district_code=place_points(events, districts).to_numpy())
    placed = placed[placed["district_code"].notna()].sort_values("district_code",
                                                                 kind="stable")
    placed.to_parquet(path, index=False)
    return len(placed)


def read_placed_events(path: Path, bounds: tuple[str, str]) -> gpd.GeoDataFrame:
    """The events of ``write_placed_events`` placed in the districts from ``bounds[0]`` to
    ``bounds[1]``, without their district code (the formulas place them again, among the
    part's districts)."""
    events = gpd.read_parquet(path, filters=_in_bounds("district_code", bounds))
    return events.drop(columns="district_code").reset_index(drop=True)


def write_city_files(folder: Path, observations: pd.DataFrame | Iterable[pd.DataFrame],
                     districts: gpd.GeoDataFrame, events: dict[str, gpd.GeoDataFrame],
                     local_crs: str, resources: ResourceSettings | None = None) -> CityFiles:
    """Write a city's observations, districts and event layers under ``folder``. The
    observations are sorted by district code, so that a part's range is a run of row groups;
    given in parts (a city too big for one frame), each part's districts must all come
    after the previous part's."""
    files = CityFiles(folder / "observations.parquet", folder / "districts.parquet",
                      folder / "events", local_crs, resources or ResourceSettings())
    folder.mkdir(parents=True, exist_ok=True)
    files.events.mkdir(exist_ok=True)
    parts = [observations] if isinstance(observations, pd.DataFrame) else observations
    writer, last = None, None
    try:
        for part in parts:
            ordered = part[OBSERVATION_COLUMNS].sort_values("district_code", kind="stable")
            if ordered.empty:
                continue
            if last is not None and ordered["district_code"].iloc[0] <= last:
                raise ValueError(f"{files.observations}: a part of the observations starts "
                                 f"at district {ordered['district_code'].iloc[0]!r}, not after "
                                 f"the previous part's last, {last!r}. Fix: give the parts in "
                                 "the order of their district codes.")
            last = ordered["district_code"].iloc[-1]
            table = pa.Table.from_pandas(ordered, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(files.observations, table.schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:  # no rows: an empty file with the columns
        pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object)
                      for c in OBSERVATION_COLUMNS}).to_parquet(files.observations, index=False)
    districts.to_crs(4326).to_parquet(files.districts, index=False)
    for layer, frame in events.items():
        frame.to_crs(4326).to_parquet(files.events / f"{layer}.parquet", index=False)
    return files


def export_city(store: Store, city: str, folder: Path, level: str | None = None,
                resources: ResourceSettings | None = None) -> CityFiles:
    """A city's observations, districts and published events of one level (default: the
    top one) from ``store``, as files."""
    record = store.city(city)
    events = store.events(city)
    return write_city_files(
        folder, store.observations(city, level=level), store.districts(city, level=level),
        {str(layer): frame.reset_index(drop=True) for layer, frame in events.groupby("layer")},
        record.local_crs if record is not None else "", resources)
