"""The embedded default store: one DuckDB file, spatial extension loaded offline from its wheel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from observatory.models import IngestRun
from observatory.settings import ResourceSettings
from observatory.store import frames
from observatory.store.base import (
    Bounds,
    ConflictError,
    ConstraintError,
    SchemaMissingError,
    StoreError,
    UnavailableError,
)
from observatory.store.sql_store import Params, SQLStore

_LOCK_WAIT_SECONDS = 15.0
Connection = duckdb.DuckDBPyConnection


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


def _path_from_url(url: str) -> str:
    # SQLAlchemy's convention: duckdb:///relative.duckdb, duckdb:////absolute.duckdb
    if not url.startswith("duckdb:///"):
        raise StoreError(f"{url!r} is not a DuckDB URL: use duckdb:///path/to/file.duckdb")
    return url.removeprefix("duckdb:///") or ":memory:"


def _first_line(exc: Exception) -> str:
    # DuckDB's next lines show the query and a caret under the fault, of no use to a user.
    return str(exc).splitlines()[0].rstrip("!.")


class DuckDBStore(SQLStore[Connection]):
    """Opens a short-lived connection per operation so that the API and a CLI ingest can share
    the file (DuckDB lets one process write at a time); waits briefly when the file is busy."""

    backend = "duckdb"
    dollar_parameters = True

    def __init__(self, url: str, linger_seconds: float = 2.0,
                 resources: ResourceSettings | None = None):
        super().__init__(url)
        self._limits = (resources or ResourceSettings()).duckdb_config()
        self.linger_seconds = linger_seconds
        self.path = _path_from_url(url)
        self._extension = spatial_extension_path().as_posix()
        self._memory = (duckdb.connect(":memory:", config=self._limits)
                        if self.path == ":memory:" else None)
        self._guard = threading.Lock()
        self._shared: Connection | None = None
        self._users = 0
        self._idle_since = 0.0  # monotonic time the last work ended
        self._closer: threading.Timer | None = None  # the one pending delayed close
        self._spatial_loaded = False
        if self._memory is not None:
            self._memory.execute(f"LOAD '{self._extension}'")
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    # connections ------------------------------------------------------------------------------
    @contextmanager
    def _connection(self, spatial: bool = False) -> Iterator[Connection]:
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
        for the file gets it within ``linger_seconds``. One timer at most: a server falls idle
        between most of its requests, and a timer (a thread) per request churned hundreds of
        threads a second (over 1,000 alive at once); living past the young collections, they
        set off full collections of the whole heap that stalled every request for 200-400 ms."""
        self._idle_since = time.monotonic()
        if self.linger_seconds <= 0:
            self._close_shared()
        elif self._closer is None:
            self._start_closer(self.linger_seconds)

    def _start_closer(self, seconds: float) -> None:
        self._closer = threading.Timer(seconds, self._close_if_still_idle)
        self._closer.daemon = True
        self._closer.start()

    def _close_if_still_idle(self) -> None:
        with self._guard:
            self._closer = None
            if self._users or self._shared is None:
                return  # in use: its last user arms the next timer
            left = self._idle_since + self.linger_seconds - time.monotonic()
            if left > 0:  # used again meanwhile: idle only since then
                self._start_closer(left)
            else:
                self._close_shared()

    def _close_shared(self) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def _open_waiting_for_lock(self) -> Connection:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                return duckdb.connect(
                    self.path,
                    config={"autoinstall_known_extensions": False,
                            "autoload_known_extensions": False, **self._limits},
                )
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise UnavailableError(
                        f"Cannot open {self.path}: {_first_line(exc)}. Fix the path in "
                        "OBSERVATORY_DATABASE_URL: it must name a DuckDB file you may write."
                    ) from exc
                if time.monotonic() > deadline:
                    raise UnavailableError(
                        f"Cannot open {self.path}: {_first_line(exc)}. Another observatory "
                        "process is writing it; wait for it to finish, or use PostGIS for "
                        "concurrent writers."
                    ) from exc
                time.sleep(0.1)

    @contextmanager
    def _begin(self, spatial: bool = False) -> Iterator[Connection]:
        with self._connection(spatial) as con:
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
            if self._users == 0:
                self._close_shared()  # a pending delayed close then has nothing to do

    # statements -------------------------------------------------------------------------------
    def _execute(self, con: Connection, query: str, params: Params | None = None) -> None:
        con.execute(self._q[query], params)

    def _rows(self, con: Connection, query: str,
              params: Params | None = None) -> Sequence[tuple]:
        return con.execute(self._q[query], params).fetchall()

    def _frame(self, con: Connection, query: str, params: Params | None = None) -> pd.DataFrame:
        return con.execute(self._q[query], params).df()

    def _stage(self, con: Connection, table: str, batch: pd.DataFrame) -> None:
        con.register(table, batch)

    def _run_script(self, con: Connection, sql: str) -> None:
        con.execute(sql)

    def _bbox_params(self, bbox: Bounds | None) -> dict[str, Any]:
        return {"bbox": None if bbox is None else shapely.to_wkb(shapely.box(*bbox))}

    def _store_error(self, exc: Exception) -> StoreError | None:
        if not isinstance(exc, duckdb.Error):
            return None
        detail = _first_line(exc)
        if isinstance(exc, duckdb.ConstraintException):
            if "duplicate key" in detail.lower():
                return ConflictError(f"{detail}: the store already holds a row with this key. "
                                     "Give the new row its own key, or change the stored one.")
            return ConstraintError(f"{detail}. Fix the value the store refused.")
        if (isinstance(exc, duckdb.CatalogException) and "Table with name" in detail
                or isinstance(exc, duckdb.BinderException)
                and ("does not have a column" in detail or "Referenced column" in detail)):
            return SchemaMissingError(f"{self.path} lacks part of the observatory schema "
                                      f"({detail}). Fix: run `observatory init` on this store.")
        if isinstance(exc, duckdb.IOException):
            return UnavailableError(f"Cannot use {self.path}: {detail}")
        return StoreError(f"DuckDB store {self.path}: {detail}")

    # writes that keep their keys ------------------------------------------------------------
    def _replace_observations(self, con: Connection, batch: pd.DataFrame, run: IngestRun,
                              level: str, retired: Params | None, superseded: Params) -> None:
        """As SQLStore's, but the keys the batch loads again are not deleted: the upsert
        overwrites them in place. A primary key deleted and inserted again in one transaction
        is the path on which DuckDB's ART index can fail the commit with a FATAL error that
        invalidates the database (duckdb/duckdb#23645; "Limitations of ART Indexes",
        https://duckdb.org/docs/stable/sql/indexes#limitations-of-art-indexes)."""
        self._stage(con, "observation_batch", batch)
        if retired is not None:
            self._execute(con, "retire_observations_not_reloaded", {**retired, "level": level})
        self._execute(con, "delete_superseded_observations_not_reloaded", superseded)
        self._execute(con, "upsert_observations",
                      {"city": run.city, "run_id": run.id, "level": level})

    def _replace_vintage(self, con: Connection, batch: pd.DataFrame, version: Params,
                         written: Params) -> None:
        """As SQLStore's, but a code the corrected file of the same vintage keeps is
        overwritten in place (see _replace_observations); its geometry is written apart, only
        where it changed, as DuckDB rewrites a row whose GEOMETRY is updated as a delete and an
        insert."""
        self._stage(con, "district_batch", batch)
        self._execute(con, "delete_same_vintage_not_reloaded", version)
        self._execute(con, "upsert_districts", written)
        self._execute(con, "update_changed_district_geometries", version)

    def _replace_events(self, con: Connection, batch: pd.DataFrame, run: IngestRun,
                        retired: Params | None, superseded: Params) -> None:
        """As SQLStore's, but an id the batch loads again over a row it replaces is
        overwritten in place (see _replace_observations), a moved point apart (see
        _replace_vintage); an id any other row holds is still refused as a repeated key."""
        self._stage(con, "event_batch", batch)
        if retired is not None:
            self._execute(con, "retire_events_not_reloaded", retired)
        self._execute(con, "delete_superseded_events_not_reloaded", superseded)
        self._execute(con, "upsert_replaced_events",
                      {**superseded, "replaced": [] if retired is None else retired["replaced"]})
        self._execute(con, "insert_new_events", {"city": run.city, "run_id": run.id})
        self._execute(con, "update_changed_event_geometries", {"run_id": run.id})

    # paged features ---------------------------------------------------------------------------
    def district_page(self, city: str, *, bbox: Bounds | None = None, limit: int | None = None,
                      offset: int = 0, code: str | None = None,
                      as_of: date | None = None,
                      level: str | None = None) -> tuple[gpd.GeoDataFrame, int]:
        if bbox is None:
            return super().district_page(city, limit=limit, offset=offset, code=code,
                                         as_of=as_of, level=level)
        # The SQL keeps districts whose extent meets the bbox (core DuckDB, no extension
        # load); the exact test on the candidates is shapely's, as PostGIS's ST_Intersects.
        params = {"city": city, "as_of": as_of or date.today(), "code": code,
                  **self._bbox_params(bbox), "limit": None, "offset": 0}
        with self._reading() as con:
            params["level"] = self._level(con, city, level)
            found = frames.geo_frame(self._frame(con, "district_page", params))
        found = found[found.intersects(shapely.box(*map(float, bbox)))]
        end = None if limit is None else offset + limit
        return found.iloc[offset:end].reset_index(drop=True), len(found)
