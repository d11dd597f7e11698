"""The Store protocol written once over SQL: the load sequence, reading, field reports, tiles and
indicator values run the named queries of ``sql/`` through a few primitives that each backend
supplies (connections, statements, staging a frame as a batch table, its driver's errors)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import geopandas as gpd
import pandas as pd

from observatory.models import (
    DEFAULT_LEVEL,
    INDICATOR_FEATURE_COLUMNS,
    Attachment,
    City,
    DistrictFeatures,
    ExternalPeer,
    IngestRun,
    Level,
    RejectedRow,
    Upload,
    ordered_levels,
    utcnow,
)
from observatory.store import frames, tiles
from observatory.store.base import Bounds, ReadOnlyCityError, Store, StoreError
from observatory.store.sqlfiles import queries, schema_files

Con = TypeVar("Con")
Params = Mapping[str, Any]


class SQLStore(Store, Generic[Con]):
    """A backend subclasses this with its connection type ``Con`` and supplies the abstract
    methods below; it overrides a public method only where its SQL really does the work
    differently (a faster path, a function its dialect lacks)."""

    backend: str  # also the dialect: the folder sql/<backend>
    # DuckDB takes $name parameters; the shared queries are written :name.
    dollar_parameters: ClassVar[bool] = False

    def __init__(self, url: str) -> None:
        self.url = url
        self._q = queries(self.backend, dollar=self.dollar_parameters)

    # what a backend supplies ----------------------------------------------------------------
    @abstractmethod
    def _connection(self, spatial: bool) -> AbstractContextManager[Con]:
        """A connection for reads; ``spatial``: the work calls spatial functions (a backend
        may need to load them)."""

    @abstractmethod
    def _begin(self, spatial: bool) -> AbstractContextManager[Con]:
        """A connection in a transaction, committed when the block ends, rolled back on error."""

    @abstractmethod
    def _execute(self, con: Con, query: str, params: Params | None = None) -> None:
        """Run the named query."""

    @abstractmethod
    def _rows(self, con: Con, query: str, params: Params | None = None) -> Sequence[tuple]:
        """Run the named query; its rows as tuples."""

    @abstractmethod
    def _frame(self, con: Con, query: str, params: Params | None = None) -> pd.DataFrame:
        """Run the named query; its rows as a DataFrame."""

    @abstractmethod
    def _stage(self, con: Con, table: str, batch: pd.DataFrame) -> None:
        """Make ``batch`` readable as the table ``table`` (``district_batch`` …) until the
        transaction ends. A geometry column arrives as WKB in ``wkb``; the batch is the
        caller's own, a backend may rewrite it in place."""

    @abstractmethod
    def _run_script(self, con: Con, sql: str) -> None:
        """Run a schema file (several statements)."""

    @abstractmethod
    def _store_error(self, exc: Exception) -> StoreError | None:
        """The store's own error for a driver's error; None for anything else."""

    @abstractmethod
    def _bbox_params(self, bbox: Bounds | None) -> dict[str, Any]:
        """The parameters the dialect's page queries take for a lon/lat bounding box."""

    @abstractmethod
    def close(self) -> None: ...

    # hooks with a default ---------------------------------------------------------------------
    def _serialise_schema_changes(self, con: Con) -> None:
        """Make concurrent ``init_schema`` calls wait for each other (where they can race)."""

    def _observation_batch(self, observations: pd.DataFrame) -> pd.DataFrame:
        return frames.observation_batch(observations)

    def _upsert_observations(self, con: Con, batch: pd.DataFrame, run: IngestRun,
                             level: str) -> None:
        self._stage(con, "observation_batch", batch)
        self._execute(con, "upsert_observations",
                      {"city": run.city, "run_id": run.id, "level": level})

    def _replace_observations(self, con: Con, batch: pd.DataFrame, run: IngestRun, level: str,
                              retired: Params | None, superseded: Params) -> None:
        """Delete the rows of the runs a spec retires (``retired``) and of the earlier runs
        the batch supersedes, then write the batch."""
        if retired is not None:
            self._execute(con, "retire_observations", retired)
        self._execute(con, "delete_superseded_observations", superseded)
        self._upsert_observations(con, batch, run, level)

    def _replace_vintage(self, con: Con, batch: pd.DataFrame, version: Params,
                         written: Params) -> None:
        """Delete the districts of the batch's vintage (``version``: city, level, valid_from),
        then write the batch (``written``: the version, its valid_to and the run)."""
        self._execute(con, "delete_same_vintage", version)
        self._stage(con, "district_batch", batch)
        self._execute(con, "insert_districts", written)

    def _replace_events(self, con: Con, batch: pd.DataFrame, run: IngestRun,
                        retired: Params | None, superseded: Params) -> None:
        """Delete the events of the runs a spec retires (``retired``) and of the earlier runs
        the batch supersedes, then write the batch."""
        if retired is not None:
            self._execute(con, "retire_events", retired)
        self._execute(con, "delete_superseded_events", superseded)
        self._stage(con, "event_batch", batch)
        self._execute(con, "insert_events", {"city": run.city, "run_id": run.id})

    # connections with the store's own errors --------------------------------------------------
    @contextmanager
    def _reading(self, spatial: bool = False) -> Iterator[Con]:
        with self._own_errors(), self._connection(spatial) as con:
            yield con

    @contextmanager
    def _transaction(self, spatial: bool = False, *, bumps: bool = True) -> Iterator[Con]:
        """A write: it raises the data version last, in the same transaction, so a response
        cache sees the change exactly when the data commit (last: the one row's lock is held
        only for the commit, and no writer waits on it while holding other rows)."""
        with self._own_errors(), self._begin(spatial) as con:
            yield con
            if bumps:
                self._execute(con, "bump_data_version")

    @contextmanager
    def _own_errors(self) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            error = self._store_error(exc)
            if error is None:
                raise
            raise error from exc

    def _scalar(self, con: Con, query: str, params: Params | None = None) -> Any:
        rows = self._rows(con, query, params)
        return rows[0][0] if rows else None

    # schema -----------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        applied: list[str] = []
        # spatial: a broken spatial install surfaces at `observatory init`.
        with self._transaction(spatial=True, bumps=False) as con:
            self._serialise_schema_changes(con)
            self._execute(con, "create_schema_migration")
            done = {row[0] for row in self._rows(con, "applied_schema_files")}
            for file in schema_files(self.backend):
                if file.name in done:
                    continue
                self._run_script(con, file.read_text(encoding="utf-8"))
                self._execute(con, "record_schema_file",
                              {"name": file.name, "applied_at": utcnow()})
                applied.append(file.name)
            if applied:  # a schema file may move data: what was served may be stale
                self._execute(con, "bump_data_version")
        return applied

    def data_version(self) -> int:
        with self._reading() as con:
            return int(self._scalar(con, "data_version"))

    def schema_version(self) -> list[str]:
        with self._reading() as con:
            if not self._scalar(con, "has_schema_migration"):
                return []
            return [row[0] for row in self._rows(con, "applied_schema_files")]

    # cities -----------------------------------------------------------------------------------
    def upsert_city(self, city: City) -> None:
        with self._transaction() as con:
            self._execute(con, "upsert_city", frames.city_params(city))

    def cities(self) -> list[City]:
        with self._reading() as con:
            return [City(*row) for row in self._rows(con, "cities")]

    def city(self, slug: str) -> City | None:
        return next((c for c in self.cities() if c.slug == slug), None)

    # ingest -----------------------------------------------------------------------------------
    def find_run(self, city: str, feed: str, content_hash: str) -> IngestRun | None:
        with self._reading() as con:
            df = self._frame(con, "find_run", {"city": city, "feed": feed,
                                               "content_hash": content_hash})
        return frames.runs_from_frame(df)[0] if len(df) else None

    def load(
        self,
        run: IngestRun,
        *,
        districts: gpd.GeoDataFrame | None = None,
        valid_from: date | None = None,
        observations: pd.DataFrame | None = None,
        events: gpd.GeoDataFrame | None = None,
        rejected: Sequence[RejectedRow] = (),
        replaces: Sequence[str] = (),
        event_layers: Sequence[str] = (),
        level: Level | None = None,
        valid_to: date | None = None,
        crosswalk: pd.DataFrame | None = None,
    ) -> IngestRun:
        run = replace(run)
        with self._reading() as con:
            self._refuse_external(con, run.city)
        try:
            with self._transaction() as con:
                level_name = self._prepare_level(con, run.city, level)
                self._load_in(con, run, districts, valid_from, observations, events, rejected,
                              list(replaces), list(event_layers), level_name, valid_to)
                if crosswalk is not None:
                    self._rewrite_crosswalk(con, run.city, crosswalk)
        except Exception as exc:
            # The run is recorded as failed, in a transaction of its own, and the error goes on.
            with self._transaction() as con:
                self._execute(con, "insert_run", frames.run_params(frames.failed(run, exc)))
            raise
        return run

    def _rewrite_crosswalk(self, con: Con, city: str, crosswalk: pd.DataFrame) -> None:
        """The city's crosswalk becomes ``crosswalk``; a weight whose key it keeps is updated in
        place, not deleted and re-inserted under its key (DuckDB's ART limitation, see
        DuckDBStore._replace_observations)."""
        if not len(crosswalk):
            self._execute(con, "delete_crosswalk", {"city": city})
            return
        self._stage(con, "crosswalk_batch", frames.crosswalk_batch(crosswalk))
        self._execute(con, "delete_crosswalk_not_reloaded", {"city": city})
        self._execute(con, "upsert_crosswalk", {"city": city})

    def _load_in(self, con: Con, run: IngestRun, districts: gpd.GeoDataFrame | None,
                 valid_from: date | None, observations: pd.DataFrame | None,
                 events: gpd.GeoDataFrame | None, rejected: Sequence[RejectedRow],
                 replaces: list[str], event_layers: list[str], level: str,
                 valid_to: date | None) -> None:
        earlier = {"city": run.city, "feed": run.feed, "spec_name": run.spec_name,
                   "source_name": run.source_name, "run_id": run.id}
        retired = {"city": run.city, "replaced": replaces}
        loaded = 0
        if districts is not None:
            batch = frames.district_batch(districts)
            version = {"city": run.city, "level": level,
                       "valid_from": valid_from or date.today()}
            self._execute(con, "close_earlier_versions", version)
            later = self._scalar(con, "next_version_start", version)
            # A version ends where the next one starts, or where its spec says it did.
            end = min((d for d in (later, valid_to) if d is not None), default=None)
            self._replace_vintage(con, batch, version,
                                  {**version, "valid_to": end, "run_id": run.id})
            loaded += len(batch)
        if observations is not None:
            batch = self._observation_batch(observations)
            self._replace_observations(
                con, batch, run, level, retired if replaces else None,
                {**earlier, "level": level, **frames.observation_scope(batch)})
            loaded += len(batch)
        if events is not None:
            batch = frames.event_batch(events)
            self._replace_events(con, batch, run, retired if replaces else None,
                                 {**earlier, **frames.event_scope(batch, event_layers)})
            loaded += len(batch)
        rejected_batch = frames.rejected_batch(rejected)
        if len(rejected_batch):
            self._stage(con, "rejected_batch", rejected_batch)
            self._execute(con, "insert_rejected", {"run_id": run.id})
        frames.finish(run, loaded=loaded, rejected=len(rejected_batch))
        self._execute(con, "insert_run", frames.run_params(run))

    def rows_held(self, run_id: str) -> int:
        with self._reading() as con:
            return int(self._scalar(con, "rows_held", {"run_id": run_id}) or 0)

    def runs(self, city: str | None = None) -> list[IngestRun]:
        with self._reading() as con:
            return frames.runs_from_frame(self._frame(con, "runs", {"city": city}))

    def run(self, run_id: str) -> IngestRun | None:
        with self._reading() as con:
            found = frames.runs_from_frame(self._frame(con, "run", {"run_id": run_id}))
        return found[0] if found else None

    def rejected_rows(self, run_id: str) -> list[RejectedRow]:
        with self._reading() as con:
            rows = self._rows(con, "rejected_rows", {"run_id": run_id})
        return [frames.rejected_from_row(row) for row in rows]

    # levels -----------------------------------------------------------------------------------
    def _prepare_level(self, con: Con, city: str, level: Level | None) -> str:
        if level is None:
            self._execute(con, "ensure_default_level", {"city": city})
            return self._top_level(con, city)
        self._execute(con, "upsert_level", {"city": city, "level": level.name,
                                            "parent": level.parent, "name_en": level.name_en,
                                            "name_ar": level.name_ar,
                                            "parent_prefix": level.parent_prefix,
                                            "parent_expression": level.parent_expression})
        return level.name

    def _top_level(self, con: Con, city: str) -> str:
        return self._scalar(con, "top_level", {"city": city}) or DEFAULT_LEVEL

    def _level(self, con: Con, city: str, level: str | None) -> str:
        return level if level is not None else self._top_level(con, city)

    def levels(self, city: str) -> list[Level]:
        with self._reading() as con:
            rows = self._rows(con, "levels", {"city": city})
        found = [Level(name, parent, name_en, name_ar,
                       int(prefix) if prefix is not None else None, expression)
                 for name, parent, name_en, name_ar, prefix, expression in rows]
        return ordered_levels(found) or [Level(DEFAULT_LEVEL, name_en="Districts",
                                               name_ar="الأحياء")]

    def boundary_versions(self, city: str) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "boundary_versions", {"city": city})

    def version_districts(self, city: str, level: str, valid_from: date) -> gpd.GeoDataFrame:
        with self._reading() as con:
            df = self._frame(con, "version_districts",
                             {"city": city, "level": level, "valid_from": valid_from})
        return frames.geo_frame(df)

    def crosswalk(self, city: str) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "crosswalk", {"city": city})

    # reading ----------------------------------------------------------------------------------
    def districts(self, city: str, as_of: date | None = None,
                  level: str | None = None) -> gpd.GeoDataFrame:
        with self._reading() as con:
            df = self._frame(con, "districts", {"city": city, "as_of": as_of or date.today(),
                                                "level": self._level(con, city, level)})
        return frames.geo_frame(df)

    def extent(self, city: str) -> Bounds | None:
        with self._reading(spatial=True) as con:
            rows = self._rows(con, "city_extent", {"city": city})
        box = rows[0] if rows else None
        if box is None or box[0] is None:
            return None
        minx, miny, maxx, maxy = (float(value) for value in box)
        return minx, miny, maxx, maxy

    def observations(self, city: str, variables: Sequence[str] | None = None,
                     periods: Sequence[str] | None = None, level: str | None = None,
                     every_level: bool = False) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "observations", {
                "city": city, "level": None if every_level else self._level(con, city, level),
                "variables": list(variables) if variables is not None else None,
                "periods": list(periods) if periods is not None else None,
            })

    def periods(self, city: str, variable: str | None = None) -> list[str]:
        with self._reading() as con:
            rows = self._rows(con, "periods", {"city": city, "variable": variable})
        return [row[0] for row in rows]

    def events(self, city: str, layer: str | None = None, start: datetime | None = None,
               end: datetime | None = None,
               statuses: Sequence[str] = ("published",)) -> gpd.GeoDataFrame:
        with self._reading() as con:
            df = self._frame(con, "events", {"city": city, "layer": layer, "start": start,
                                             "end": end, "statuses": list(statuses)})
        return frames.events_frame(df)

    # field reports and API keys ---------------------------------------------------------------
    def add_event(self, city: str, event: gpd.GeoDataFrame, submitter: str) -> None:
        batch = frames.event_batch(event)
        with self._transaction() as con:
            self._stage(con, "event_batch", batch)
            self._execute(con, "add_event", {"city": city, "submitter": submitter})

    def set_event_status(self, event_id: str, status: str) -> bool:
        with self._transaction() as con:
            return bool(self._rows(con, "set_event_status",
                                   {"event_id": event_id, "status": status}))

    def add_attachment(self, attachment: Attachment) -> None:
        with self._transaction() as con:
            self._execute(con, "add_attachment", asdict(attachment))

    def attachments(self, event_id: str) -> list[Attachment]:
        with self._reading() as con:
            rows = self._rows(con, "attachments", {"event_id": event_id})
        return [Attachment(*row) for row in rows]

    def published_attachment(self, sha256: str) -> Attachment | None:
        with self._reading() as con:
            rows = self._rows(con, "published_attachment", {"sha256": sha256})
        return Attachment(*rows[0]) if rows else None

    def add_api_key(self, key_hash: str, role: str, label: str) -> None:
        with self._transaction() as con:
            self._execute(con, "add_api_key", {"key_hash": key_hash, "role": role,
                                               "label": label, "created_at": utcnow()})

    def api_key_role(self, key_hash: str) -> str | None:
        with self._reading() as con:
            return self._scalar(con, "api_key_role", {"key_hash": key_hash})

    # uploads ----------------------------------------------------------------------------------
    def save_upload(self, upload: Upload) -> None:
        with self._transaction(bumps=False) as con:
            self._execute(con, "save_upload", _upload_params(upload))

    def update_upload(self, upload: Upload) -> None:
        with self._transaction(bumps=False) as con:
            self._execute(con, "update_upload", {
                key: value for key, value in _upload_params(upload).items()
                if key in UPLOAD_CHANGES})

    def upload(self, upload_id: str) -> Upload | None:
        with self._reading() as con:
            rows = self._rows(con, "upload", {"id": upload_id})
        return _upload(rows[0]) if rows else None

    def uploads(self, city: str) -> list[Upload]:
        with self._reading() as con:
            return [_upload(row) for row in self._rows(con, "city_uploads", {"city": city})]

    # paged features ---------------------------------------------------------------------------
    def district_page(self, city: str, *, bbox: Bounds | None = None, limit: int | None = None,
                      offset: int = 0, code: str | None = None,
                      as_of: date | None = None,
                      level: str | None = None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "as_of": as_of or date.today(), "code": code,
                  **self._bbox_params(bbox)}
        with self._reading() as con:
            params["level"] = self._level(con, city, level)
            matched = self._scalar(con, "district_page_count", params)
            df = self._frame(con, "district_page", {**params, "limit": limit, "offset": offset})
        return frames.geo_frame(df), int(matched)

    def district_features(self, city: str, *, indicator_id: str | None = None,
                          period: str | None = None, bbox: Bounds | None = None,
                          limit: int | None = None, offset: int = 0, code: str | None = None,
                          as_of: date | None = None,
                          level: str | None = None) -> DistrictFeatures:
        chosen = None
        if indicator_id is not None:
            periods = self.indicator_periods(city, indicator_id, level=level)[
                "period"].astype(str).tolist()
            chosen = max(periods, default=None) if period is None else (
                period if period in periods else None)
            if chosen is None:  # no values of the indicator (in that period)
                return DistrictFeatures(INDICATOR_FEATURE_COLUMNS, [], [], 0)
        page, matched = self.district_page(city, bbox=bbox, limit=limit, offset=offset,
                                           code=code, as_of=as_of, level=level)
        values = (None if chosen is None else
                  self.indicator_values(city, indicator_id, chosen,
                                        district_codes=list(page.code), level=level))
        return frames.district_features(page, matched, values, chosen)

    def event_page(self, city: str, layer: str, *, bbox: Bounds | None = None,
                   start: datetime | None = None, end: datetime | None = None,
                   statuses: Sequence[str] = ("published",), limit: int | None = None,
                   offset: int = 0,
                   event_id: str | None = None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "layer": layer, "statuses": list(statuses),
                  "event_id": event_id, "start": start, "end": end, **self._bbox_params(bbox)}
        with self._reading() as con:
            matched = self._scalar(con, "event_page_count", params)
            df = self._frame(con, "event_page", {**params, "limit": limit, "offset": offset})
        return frames.events_frame(df), int(matched)

    def event_layer_sizes(self, city: str,
                          statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        with self._reading(spatial=True) as con:
            return self._frame(con, "event_layer_sizes",
                               {"city": city, "statuses": list(statuses)})

    def event_day_cells(self, city: str, layer: str, *, cell: float, west: float,
                        south: float, statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        with self._reading(spatial=True) as con:
            return self._frame(con, "event_day_cells", {
                "city": city, "layer": layer, "statuses": list(statuses), "cell": cell,
                "west": west, "south": south})

    def event_cells(self, city: str, layers: Sequence[str], *, cell: float, west: float,
                    south: float, start: datetime | None = None, end: datetime | None = None,
                    statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        with self._reading(spatial=True) as con:
            return self._frame(con, "event_cells", {
                "city": city, "layers": list(layers), "statuses": list(statuses), "cell": cell,
                "west": west, "south": south, "start": start, "end": end})

    def event_layers(self, city: str, statuses: Sequence[str] = ("published",)) -> list[str]:
        with self._reading() as con:
            rows = self._rows(con, "event_layers", {"city": city, "statuses": list(statuses)})
        return [row[0] for row in rows]

    # vector tiles -----------------------------------------------------------------------------
    def district_tile(self, city: str, z: int, x: int, y: int, *, layer: str,
                      as_of: date | None = None, level: str | None = None) -> bytes:
        return self._tile("district_tile", {"city": city, "z": z, "x": x, "y": y,
                                            "layer": layer, "as_of": as_of or date.today()},
                          level)

    def indicator_tile(self, city: str, indicator_id: str, z: int, x: int, y: int, *,
                       layer: str, period: str | None = None,
                       as_of: date | None = None, level: str | None = None) -> bytes:
        return self._tile("indicator_tile", {
            "city": city, "indicator_id": indicator_id, "period": period, "z": z, "x": x,
            "y": y, "layer": layer, "as_of": as_of or date.today()}, level)

    def event_tile(self, city: str, event_layer: str, z: int, x: int, y: int, *, layer: str,
                   statuses: Sequence[str] = ("published",)) -> bytes:
        which = {"city": city, "event_layer": event_layer, "statuses": list(statuses)}
        box = tiles.lonlat_bounds(z, x, y)
        with self._reading(spatial=True) as con:
            crowded = self._scalar(con, "event_tile_over", {
                **which, **box, "limit": tiles.MAX_POINTS, "limit_plus_one": tiles.MAX_POINTS + 1})
        params = {**which, "z": z, "x": x, "y": y, "layer": layer}
        if not crowded:
            return self._tile("event_tile", params)
        return self._tile("event_tile_grid", {**params, **box, **tiles.grid(z, x, y)})

    def _tile(self, query: str, params: Params, level: str | None = None) -> bytes:
        # A tile query answers NULL (or, in PostGIS, empty bytes) for a tile with no feature.
        with self._reading(spatial=True) as con:
            if "as_of" in params:  # district and indicator tiles draw one level
                params = {**params, "level": self._level(con, params["city"], level)}
            tile = self._scalar(con, query, params)
        return bytes(tile) if tile is not None else b""

    # indicators -------------------------------------------------------------------------------
    def put_indicator_values(self, city: str, values: pd.DataFrame,
                             level: str | None = None,
                             definitions: pd.DataFrame | None = None) -> int:
        with self._transaction() as con:
            self._refuse_external(con, city)
            batch = frames.indicator_batch(values, self._level(con, city, level))
            self._stage(con, "value_batch", batch)
            self._execute(con, "delete_indicator_values", {"city": city})
            self._execute(con, "insert_indicator_values",
                          {"city": city, "computed_at": utcnow()})
            if definitions is not None and len(definitions):
                self._stage(con, "definition_batch", frames.definition_batch(definitions))
                self._execute(con, "upsert_stored_definitions", {"city": city})
        return len(batch)

    def indicator_periods(self, city: str, indicator_id: str | None = None,
                          level: str | None = None) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "indicator_periods",
                               {"city": city, "indicator_id": indicator_id,
                                "level": self._level(con, city, level)})

    def indicator_values(self, city: str, indicator_id: str | None = None,
                         period: str | None = None,
                         district_codes: Sequence[str] | None = None,
                         level: str | None = None) -> pd.DataFrame:
        codes = list(district_codes) if district_codes is not None else None
        with self._reading() as con:
            return self._frame(con, "indicator_values", {
                "city": city, "level": self._level(con, city, level), "indicator_id": indicator_id, "period": period, "codes": codes})

    def stored_definitions(self, city: str) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "stored_definitions", {"city": city})

    def published_values(self) -> pd.DataFrame:
        with self._reading() as con:
            return self._frame(con, "published_values")

    # external peers -----------------------------------------------------------------------------
    def _refuse_external(self, con: Con, city: str) -> None:
        if self._scalar(con, "is_external_city", {"city": city}):
            raise ReadOnlyCityError.for_city(city)

    def external_peers(self) -> list[ExternalPeer]:
        with self._reading() as con:
            rows = self._rows(con, "external_peers")
        return [frames.external_peer_from_row(row) for row in rows]

    def put_external_peer(self, peer: ExternalPeer, city: City, values: pd.DataFrame) -> None:
        with self._transaction() as con:
            if self._scalar(con, "own_city_count", {"city": peer.city}):
                raise ReadOnlyCityError(
                    f"The store has a city {peer.city!r} of its own: a bundle cannot replace "
                    "it, nothing was loaded. Fix: import the bundle under another slug "
                    "(observatory bundle import FILE --as SLUG).")
            self._execute(con, "upsert_city", frames.city_params(city))
            self._execute(con, "delete_city_indicator_values", {"city": peer.city})
            self._execute(con, "upsert_external_peer", frames.external_peer_params(peer))
            if len(values):
                self._stage(con, "value_batch", frames.indicator_batch(values, DEFAULT_LEVEL))
                self._execute(con, "insert_indicator_values",
                              {"city": peer.city, "computed_at": peer.exported_at})


# What an upload's record may change after it is saved.
UPLOAD_CHANGES = ("id", "status", "spec", "job_id", "run_id", "rows_loaded", "rows_rejected",
                  "message", "file_kept")


def _upload_params(upload: Upload) -> dict[str, Any]:
    return {**asdict(upload), "path": str(upload.path)}


def _upload(row: tuple) -> Upload:
    (upload_id, city, feed, filename, file_type, size, sha256, path, by, at, status, spec,
     job_id, run_id, loaded, rejected, message, kept) = row
    moment = pd.Timestamp(at)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return Upload(upload_id, city, feed, filename, file_type, int(size), Path(path), sha256, by,
                  moment.to_pydatetime(), status, spec, job_id, run_id,
                  None if loaded is None else int(loaded),
                  None if rejected is None else int(rejected), message, bool(kept))
