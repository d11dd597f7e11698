"""PostGIS store: SQLAlchemy over psycopg 3; bulk rows arrive by COPY."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url

from observatory.models import (
    DISTRICT_FEATURE_COLUMNS,
    INDICATOR_FEATURE_COLUMNS,
    DistrictFeatures,
    IngestRun,
)
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


def _engine_url(url: str) -> sa.URL:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg")


_COPY_BLOCK_BYTES = 8 << 20


def _copy(con: Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY a frame into a table inside the current transaction. DuckDB writes the CSV on all
    cores (a million observation rows in 0.3 s, where ``DataFrame.to_csv`` takes 1.35 s) to a
    temporary file, which streams to the server in blocks. ``\\N`` marks NULL, so empty strings
    stay empty and a literal ``\\N`` is written quoted; times are written in UTC."""
    columns = ", ".join(frame.columns)
    sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
    with tempfile.TemporaryDirectory(prefix="observatory-copy-") as tmp:
        path = Path(tmp) / "rows.csv"
        with duckdb.connect(config=ResourceSettings().duckdb_config()) as local:
            local.execute("SET TimeZone = 'UTC'")
            local.register("frame", frame)
            target = str(path).replace("'", "''")
            local.execute(f"COPY frame TO '{target}' (HEADER false, NULLSTR '\\N')")
        with _driver(con).cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as rows:
            while block := rows.read(_COPY_BLOCK_BYTES):
                copy.write(block)


def _driver(con: Connection) -> psycopg.Connection:
    """The psycopg connection under SQLAlchemy's (for COPY and multi-statement scripts)."""
    raw = con.connection.driver_connection
    assert raw is not None, "an open SQLAlchemy connection has its driver's connection"
    return raw


# psycopg's errors by what the user can do about them (SQLSTATE classes 23 and 42).
_CONFLICTS = (psycopg.errors.UniqueViolation, psycopg.errors.ExclusionViolation)
_MISSING_SCHEMA = (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn)


class PostGISStore(SQLStore[Connection]):
    backend = "postgis"

    def __init__(self, url: str, *, pool_size: int = 4):
        super().__init__(url)
        # No overflow: past pool_size, requests wait in turn for a connection rather than
        # crowd the database's cores (at 8 requests in flight on 2 cores, SQLAlchemy's default
        # 5 + 10 doubled the p99 of a vector tile).
        self.engine = sa.create_engine(_engine_url(url), pool_pre_ping=True,
                                       pool_size=pool_size, max_overflow=0)
        # Reads need no transaction (READ COMMITTED gives each statement its own snapshot
        # anyway): autocommit spares a BEGIN and a COMMIT round trip per call.
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    # connections ------------------------------------------------------------------------------
    def _connection(self, spatial: bool = False) -> AbstractContextManager[Connection]:
        return self._reader.connect()

    def _begin(self, spatial: bool = False) -> AbstractContextManager[Connection]:
        return self.engine.begin()

    def close(self) -> None:
        self.engine.dispose()

    def _store_error(self, exc: Exception) -> StoreError | None:
        if isinstance(exc, duckdb.Error):  # writing a COPY file
            return StoreError(f"Cannot prepare rows for PostGIS: {exc}")
        if not isinstance(exc, sa.exc.SQLAlchemyError | psycopg.Error):
            return None
        cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
        detail = " ".join(str(cause).split()).rstrip(".")  # with psycopg's DETAIL line
        where = self.engine.url.render_as_string()
        if isinstance(cause, _CONFLICTS):
            return ConflictError(f"{detail}: the store already holds a row with this key. "
                                 "Give the new row its own key, or change the stored one.")
        if isinstance(cause, psycopg.errors.IntegrityError):
            return ConstraintError(f"{detail}. Fix the value the store refused.")
        if isinstance(cause, _MISSING_SCHEMA):
            return SchemaMissingError(f"PostGIS at {where} lacks part of the observatory schema "
                                      f"({detail}). Fix: run `observatory init` on this store.")
        if isinstance(cause, psycopg.OperationalError) or isinstance(exc, sa.exc.OperationalError):
            return UnavailableError(f"PostGIS at {where} is not reachable: {detail}. Start it "
                                    "(docker compose up db) or fix OBSERVATORY_DATABASE_URL.")
        return StoreError(f"PostGIS at {where}: {detail}")

    # statements -------------------------------------------------------------------------------
    def _result(self, con: Connection, query: str, params: Params | None) -> sa.CursorResult:
        return con.execute(sa.text(self._q[query]), dict(params or {}))

    def _execute(self, con: Connection, query: str, params: Params | None = None) -> None:
        self._result(con, query, params)

    def _rows(self, con: Connection, query: str,
              params: Params | None = None) -> Sequence[tuple]:
        # Plain tuples from the DB-API cursor: SQLAlchemy Row objects cost more to build, and
        # pandas probes them attribute by attribute (half the time of reading 15,000 values).
        return self._result(con, query, params).cursor.fetchall()

    def _frame(self, con: Connection, query: str, params: Params | None = None) -> pd.DataFrame:
        result = self._result(con, query, params)
        return pd.DataFrame(result.cursor.fetchall(), columns=list(result.keys()))

    def _stage(self, con: Connection, table: str, batch: pd.DataFrame) -> None:
        self._execute(con, f"create_{table}")
        if "wkb" in batch:  # COPY takes geometry as hex-encoded (E)WKB
            batch["geom"] = [w.hex() for w in batch.pop("wkb")]
        _copy(con, table, batch)

    def _run_script(self, con: Connection, sql: str) -> None:
        _driver(con).execute(sql)  # several statements, so not through sa.text

    def _serialise_schema_changes(self, con: Connection) -> None:
        self._execute(con, "serialise_schema_changes")

    def _bbox_params(self, bbox: Bounds | None) -> dict[str, Any]:
        keys = ("minx", "miny", "maxx", "maxy")
        return dict(zip(keys, (None,) * 4 if bbox is None else map(float, bbox)))

    # the observation fast path ----------------------------------------------------------------
    def _observation_batch(self, observations: pd.DataFrame) -> pd.DataFrame:
        # A key repeated in the batch is left to the table's key (0.2 s less a million rows).
        return frames.observation_batch(observations, check_key=False)

    def _upsert_observations(self, con: Connection, batch: pd.DataFrame, run: IngestRun,
                             level: str) -> None:
        """COPY straight into the table when no key is taken yet (the common case: new data or a
        file replacing its own earlier run); otherwise upsert through a temporary table. The
        table's key also catches a key repeated within the batch."""
        rows = batch.assign(city=run.city, level=level, ingest_run=run.id)
        savepoint = con.begin_nested()
        try:
            _copy(con, "observation", rows)
        except psycopg.errors.UniqueViolation:
            savepoint.rollback()
        else:
            savepoint.commit()
            return
        self._stage(con, "observation_batch", batch)
        repeated = self._frame(con, "repeated_observation_keys")
        if len(repeated):
            raise frames.repeated_key(repeated.to_dict("records"))
        self._execute(con, "upsert_observations",
                      {"city": run.city, "run_id": run.id, "level": level})

    # paged features: GeoJSON written by PostGIS -----------------------------------------------
    def district_features(self, city: str, *, indicator_id: str | None = None,
                          period: str | None = None, bbox: Bounds | None = None,
                          limit: int | None = None, offset: int = 0, code: str | None = None,
                          as_of: date | None = None,
                          level: str | None = None) -> DistrictFeatures:
        params = {"city": city, "as_of": as_of or date.today(), "code": code,
                  **self._bbox_params(bbox)}
        with self._reading() as con:
            params["level"] = self._level(con, city, level)
            page = {**params, "limit": limit, "offset": offset}
            if indicator_id is None:
                columns: tuple[str, ...] = DISTRICT_FEATURE_COLUMNS
                query, chosen = "district_features", None
            else:
                columns, query = INDICATOR_FEATURE_COLUMNS, "indicator_features"
                chosen = self._scalar(con, "indicator_period", {
                    "city": city, "indicator_id": indicator_id, "period": period,
                    "level": params["level"]})
                if chosen is None:  # no values of the indicator (in that period)
                    return DistrictFeatures(columns, [], [], 0)
                page.update(indicator_id=indicator_id, period=chosen)
            matched = self._scalar(con, "district_page_count", params)
            rows = self._rows(con, query, page)
        return DistrictFeatures(columns, [row[:-1] for row in rows], [row[-1] for row in rows],
                                int(matched), chosen)
