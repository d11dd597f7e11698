"""The embedded default store: one DuckDB file, spatial extension loaded offline from its wheel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from observatory.models import (
    INDICATOR_FEATURE_COLUMNS,
    Attachment,
    City,
    DistrictFeatures,
    IngestRun,
    RejectedRow,
    utcnow,
)
from observatory.store import frames
from observatory.store.base import StoreError
from observatory.store.sqlfiles import queries, schema_files
from observatory.store.tiles import VectorTiles

_LOCK_WAIT_SECONDS = 15.0


def spatial_extension_path() -> Path:
    """The spatial extension shipped by the ``duckdb-extension-spatial`` wheel for this duckdb."""
    try:
        import duckdb_extension_spatial
    except ImportError as exc:  # pragma: no cover - a broken install
        raise StoreError(
            "The DuckDB spatial extension is missing: pip install "
            f"'duckdb-extension-spatial=={duckdb.__version__}'"
        ) from exc
    path = (Path(duckdb_extension_spatial.__file__).parent / "extensions"
            / f"v{duckdb.__version__}" / "spatial.duckdb_extension")
    if not path.exists():
        raise StoreError(
            f"No spatial extension for duckdb {duckdb.__version__} at {path}: install "
            f"duckdb-extension-spatial=={duckdb.__version__} (the two versions must match)"
        )
    return path


def _bbox_wkb(bbox) -> bytes | None:
    return None if bbox is None else shapely.to_wkb(shapely.box(*bbox))


def _path_from_url(url: str) -> str:
    # SQLAlchemy's convention: duckdb:///relative.duckdb, duckdb:////absolute.duckdb
    if not url.startswith("duckdb:///"):
        raise StoreError(f"{url!r} is not a DuckDB URL: use duckdb:///path/to/file.duckdb")
    return url.removeprefix("duckdb:///") or ":memory:"


def _districts_frame(df: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = shapely.from_wkb([bytes(b) for b in df.pop("wkb")])
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")


class DuckDBStore(VectorTiles):
    """Opens a short-lived connection per operation so that the API and a CLI ingest can share
    the file (DuckDB lets one process write at a time); waits briefly when the file is busy."""

    backend = "duckdb"

    def __init__(self, url: str, linger_seconds: float = 2.0):
        self.url = url
        self.linger_seconds = linger_seconds
        self.path = _path_from_url(url)
        self._q = queries("duckdb")
        self._extension = spatial_extension_path().as_posix()
        self._memory = duckdb.connect(":memory:") if self.path == ":memory:" else None
        self._guard = threading.Lock()
        self._shared: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._idle_generation = 0
        self._spatial_loaded = False
        if self._memory is not None:
            self._memory.execute(f"LOAD '{self._extension}'")
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    # connections ------------------------------------------------------------------------------
    @contextmanager
    def _connect(self, spatial: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work. Work running at the same time in this process
        shares one open database (a cursor each: DuckDB refuses two instances of one file in a
        process); the file is closed when the last one ends, so another process can write it.
        GEOMETRY and WKB are core DuckDB; ``spatial`` loads the extension (about 0.3 s) only
        for work that needs its functions, once per opening."""
        if self._memory is not None:
            yield self._memory.cursor()
            return
        with self._guard:
            if self._shared is None:
                self._shared = self._open_waiting_for_lock()
                self._spatial_loaded = False
            if spatial and not self._spatial_loaded:
                self._shared.execute(f"LOAD '{self._extension}'")
                self._spatial_loaded = True
            self._users += 1
            con = self._shared.cursor()
        try:
            yield con
        finally:
            con.close()
            with self._guard:
                self._users -= 1
                if self._users == 0:
                    self._close_later()

    def _close_later(self) -> None:
        """Keep the database open a moment after the last work ends: a server's next request
        then needs no reopening (nor reloading the extension), while another process waiting
        for the file gets it within ``linger_seconds``."""
        self._idle_generation += 1
        if self.linger_seconds <= 0:
            self._close_shared()
            return
        timer = threading.Timer(self.linger_seconds, self._close_if_still_idle,
                                args=(self._idle_generation,))
        timer.daemon = True
        timer.start()

    def _close_if_still_idle(self, generation: int) -> None:
        with self._guard:
            if self._users == 0 and generation == self._idle_generation:
                self._close_shared()

    def _close_shared(self) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def _open_waiting_for_lock(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                con = duckdb.connect(
                    self.path,
                    config={"autoinstall_known_extensions": False,
                            "autoload_known_extensions": False},
                )
                return con
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise StoreError(
                        f"Cannot open {self.path}: {exc}. Another observatory process is "
                        "writing it; wait for it to finish, or use PostGIS for concurrent writers."
                    ) from exc
                time.sleep(0.1)

    @contextmanager
    def _transaction(self, spatial: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._connect(spatial) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
        with self._guard:
            self._idle_generation += 1  # a pending delayed close has nothing left to do
            if self._users == 0:
                self._close_shared()

    # schema -----------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        applied: list[str] = []
        # Loading the extension here surfaces a broken install at `observatory init`.
        with self._transaction(spatial=True) as con:
            con.execute("CREATE TABLE IF NOT EXISTS schema_migration "
                        "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
            done = {r[0] for r in con.execute("SELECT name FROM schema_migration").fetchall()}
            for file in schema_files("duckdb"):
                if file.name in done:
                    continue
                con.execute(file.read_text(encoding="utf-8"))
                con.execute("INSERT INTO schema_migration VALUES (?, ?)", [file.name, utcnow()])
                applied.append(file.name)
        return applied

    def schema_version(self) -> list[str]:
        with self._connect() as con:
            try:
                return [r[0] for r in con.execute(
                    "SELECT name FROM schema_migration ORDER BY name").fetchall()]
            except duckdb.CatalogException:
                return []

    # cities -----------------------------------------------------------------------------------
    def upsert_city(self, city: City) -> None:
        with self._transaction() as con:
            con.execute(self._q["upsert_city"], frames.city_params(city))

    def cities(self) -> list[City]:
        with self._connect() as con:
            return [City(*row) for row in con.execute(self._q["cities"]).fetchall()]

    def city(self, slug: str) -> City | None:
        return next((c for c in self.cities() if c.slug == slug), None)

    # ingest -----------------------------------------------------------------------------------
    def find_run(self, city: str, feed: str, content_hash: str) -> IngestRun | None:
        with self._connect() as con:
            df = con.execute(self._q["find_run"], {"city": city, "feed": feed,
                                                   "content_hash": content_hash}).df()
        return frames.runs_from_frame(df)[0] if len(df) else None

    def load(self, run, *, districts=None, valid_from=None, observations=None, events=None,
             rejected=()):
        run = replace(run)
        try:
            with self._transaction() as con:
                self._load_in(con, run, districts, valid_from, observations, events, rejected)
        except Exception as exc:
            self._record_failure(run, exc)
            raise
        return run

    def _load_in(self, con, run: IngestRun, districts, valid_from, observations, events,
                 rejected) -> None:
        scope = {"city": run.city, "feed": run.feed, "source_name": run.source_name,
                 "run_id": run.id}
        loaded = 0
        if districts is not None:
            start = valid_from or date.today()
            con.execute(self._q["delete_superseded_districts"], scope)
            con.execute(self._q["delete_same_vintage"], {"city": run.city, "valid_from": start})
            con.execute(self._q["close_earlier_versions"], {"city": run.city, "valid_from": start})
            end = con.execute(self._q["next_version_start"],
                              {"city": run.city, "valid_from": start}).fetchone()[0]
            district_batch = frames.district_batch(districts)  # noqa: F841 - read by the SQL
            con.register("district_batch", district_batch)
            con.execute(self._q["insert_districts"], {"city": run.city, "valid_from": start,
                                                      "valid_to": end, "run_id": run.id})
            loaded += len(district_batch)
        if observations is not None:
            observation_batch = frames.observation_batch(observations)
            con.execute(self._q["delete_superseded_observations"], scope)
            con.register("observation_batch", observation_batch)
            con.execute(self._q["upsert_observations"], {"city": run.city, "run_id": run.id})
            loaded += len(observation_batch)
        if events is not None:
            event_batch = frames.event_batch(events)
            con.execute(self._q["delete_superseded_events"], scope)
            con.register("event_batch", event_batch)
            con.execute(self._q["insert_events"], {"city": run.city, "run_id": run.id})
            loaded += len(event_batch)
        rejected_batch = frames.rejected_batch(rejected)
        if len(rejected_batch):
            con.register("rejected_batch", rejected_batch)
            con.execute(self._q["insert_rejected"], {"run_id": run.id})
        frames.finish(run, loaded=loaded, rejected=len(rejected_batch))
        con.execute(self._q["insert_run"], frames.run_params(run))

    def _record_failure(self, run: IngestRun, exc: Exception) -> None:
        failed = frames.failed(run, exc)
        with self._transaction() as con:
            con.execute(self._q["insert_run"], frames.run_params(failed))

    def runs(self, city: str | None = None) -> list[IngestRun]:
        with self._connect() as con:
            return frames.runs_from_frame(con.execute(self._q["runs"], {"city": city}).df())

    def run(self, run_id: str) -> IngestRun | None:
        with self._connect() as con:
            found = frames.runs_from_frame(con.execute(self._q["run"], {"run_id": run_id}).df())
        return found[0] if found else None

    def rejected_rows(self, run_id: str) -> list[RejectedRow]:
        with self._connect() as con:
            rows = con.execute(self._q["rejected_rows"], {"run_id": run_id}).fetchall()
        return [frames.rejected_from_row(r) for r in rows]

    # reading ----------------------------------------------------------------------------------
    def districts(self, city: str, as_of: date | None = None) -> gpd.GeoDataFrame:
        with self._connect() as con:
            df = con.execute(self._q["districts"],
                             {"city": city, "as_of": as_of or date.today()}).df()
        geometry = shapely.from_wkb([bytes(b) for b in df.pop("wkb")])
        return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")

    def observations(self, city: str, variables: Sequence[str] | None = None,
                     periods: Sequence[str] | None = None) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute(self._q["observations"], {
                "city": city,
                "variables": list(variables) if variables is not None else None,
                "periods": list(periods) if periods is not None else None,
            }).df()

    def periods(self, city: str, variable: str | None = None) -> list[str]:
        with self._connect() as con:
            rows = con.execute(self._q["periods"], {"city": city, "variable": variable}).fetchall()
        return [r[0] for r in rows]

    def events(self, city: str, layer: str | None = None, start=None, end=None,
               statuses: Sequence[str] = ("published",)) -> gpd.GeoDataFrame:
        with self._connect() as con:
            df = con.execute(self._q["events"], {"city": city, "layer": layer, "start": start,
                                                 "end": end, "statuses": list(statuses)}).df()
        return frames.events_frame(df)

    # field reports and API keys ---------------------------------------------------------------
    def add_event(self, city: str, event: gpd.GeoDataFrame, submitter: str) -> None:
        event_batch = frames.event_batch(event)
        with self._transaction() as con:
            con.register("event_batch", event_batch)
            con.execute(self._q["add_event"], {"city": city, "submitter": submitter})

    def set_event_status(self, event_id: str, status: str) -> bool:
        with self._transaction() as con:
            return bool(con.execute(self._q["set_event_status"],
                                    {"event_id": event_id, "status": status}).fetchall())

    def add_attachment(self, attachment: Attachment) -> None:
        with self._transaction() as con:
            con.execute(self._q["add_attachment"], asdict(attachment))

    def attachments(self, event_id: str) -> list[Attachment]:
        with self._connect() as con:
            rows = con.execute(self._q["attachments"], {"event_id": event_id}).fetchall()
        return [Attachment(*row) for row in rows]

    def add_api_key(self, key_hash: str, role: str, label: str) -> None:
        with self._transaction() as con:
            con.execute(self._q["add_api_key"], {"key_hash": key_hash, "role": role,
                                                 "label": label, "created_at": utcnow()})

    def api_key_role(self, key_hash: str) -> str | None:
        with self._connect() as con:
            row = con.execute(self._q["api_key_role"], {"key_hash": key_hash}).fetchone()
        return row[0] if row else None

    # paged features and vector tiles ----------------------------------------------------------
    def district_page(self, city: str, *, bbox=None, limit=None, offset=0, code=None,
                      as_of=None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "as_of": as_of or date.today(), "code": code,
                  "bbox": _bbox_wkb(bbox)}
        if bbox is not None:
            # The SQL keeps districts whose extent meets the bbox (core DuckDB, no extension
            # load); the exact test on the candidates is shapely's, as PostGIS's ST_Intersects.
            with self._connect() as con:
                df = con.execute(self._q["district_page"],
                                 {**params, "limit": None, "offset": 0}).df()
            found = _districts_frame(df)
            found = found[found.intersects(shapely.box(*map(float, bbox)))]
            end = None if limit is None else offset + limit
            return found.iloc[offset:end].reset_index(drop=True), len(found)
        with self._connect() as con:
            matched = con.execute(self._q["district_page_count"], params).fetchone()[0]
            df = con.execute(self._q["district_page"],
                             {**params, "limit": limit, "offset": offset}).df()
        return _districts_frame(df), int(matched)

    def district_features(self, city: str, *, indicator_id=None, period=None, bbox=None,
                          limit=None, offset=0, code=None, as_of=None) -> DistrictFeatures:
        chosen = None
        if indicator_id is not None:
            periods = self.indicator_periods(city, indicator_id)["period"].astype(str).tolist()
            chosen = max(periods, default=None) if period is None else (
                period if period in periods else None)
            if chosen is None:  # no values of the indicator (in that period)
                return DistrictFeatures(INDICATOR_FEATURE_COLUMNS, [], [], 0)
        page, matched = self.district_page(city, bbox=bbox, limit=limit, offset=offset,
                                           code=code, as_of=as_of)
        values = (None if chosen is None else
                  self.indicator_values(city, indicator_id, chosen, district_codes=list(page.code)))
        return frames.district_features(page, matched, values, chosen)

    def event_page(self, city: str, layer: str, *, bbox=None, start=None, end=None,
                   statuses: Sequence[str] = ("published",), limit=None, offset=0,
                   event_id=None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "layer": layer, "statuses": list(statuses),
                  "event_id": event_id, "start": start, "end": end, "bbox": _bbox_wkb(bbox)}
        with self._connect() as con:
            matched = con.execute(self._q["event_page_count"], params).fetchone()[0]
            df = con.execute(self._q["event_page"],
                             {**params, "limit": limit, "offset": offset}).df()
        return frames.events_frame(df), int(matched)

    def event_layers(self, city: str, statuses: Sequence[str] = ("published",)) -> list[str]:
        with self._connect() as con:
            rows = con.execute(self._q["event_layers"],
                               {"city": city, "statuses": list(statuses)}).fetchall()
        return [r[0] for r in rows]

    def published_attachment(self, sha256: str) -> Attachment | None:
        with self._connect() as con:
            row = con.execute(self._q["published_attachment"], {"sha256": sha256}).fetchone()
        return Attachment(*row) if row else None

    def _tile(self, query: str, params: dict) -> bytes:
        # The MVT functions live in the spatial extension (loaded for this connection only).
        with self._connect(spatial=True) as con:
            row = con.execute(self._q[query], params).fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""

    # indicators -------------------------------------------------------------------------------
    def put_indicator_values(self, city: str, values: pd.DataFrame) -> int:
        value_batch = frames.indicator_batch(values)
        with self._transaction() as con:
            con.register("value_batch", value_batch)
            con.execute(self._q["delete_indicator_values"], {"city": city})
            con.execute(self._q["insert_indicator_values"],
                        {"city": city, "computed_at": utcnow()})
        return len(value_batch)

    def indicator_periods(self, city: str, indicator_id: str | None = None) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute(self._q["indicator_periods"],
                               {"city": city, "indicator_id": indicator_id}).df()

    def indicator_values(self, city: str, indicator_id: str | None = None,
                         period: str | None = None,
                         district_codes: Sequence[str] | None = None) -> pd.DataFrame:
        codes = list(district_codes) if district_codes is not None else None
        with self._connect() as con:
            return con.execute(self._q["indicator_values"], {
                "city": city, "indicator_id": indicator_id, "period": period,
                "codes": codes}).df()
