"""PostGIS store: SQLAlchemy + GeoAlchemy2 over psycopg 3; bulk rows arrive by COPY."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import psycopg
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url

from observatory.models import (
    DISTRICT_FEATURE_COLUMNS,
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
from observatory.store.postgis_tables import district as district_table
from observatory.store.sqlfiles import queries, schema_files
from observatory.store.tiles import VectorTiles


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
        with duckdb.connect() as local:
            local.execute("SET TimeZone = 'UTC'")
            local.register("frame", frame)
            target = str(path).replace("'", "''")
            local.execute(f"COPY frame TO '{target}' (HEADER false, NULLSTR '\\N')")
        raw = con.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as rows:
            while block := rows.read(_COPY_BLOCK_BYTES):
                copy.write(block)


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    # Plain tuples from the DB-API cursor: pandas probes SQLAlchemy Row objects attribute by
    # attribute (an exception per row), which took half the time of reading 15,000 values.
    return pd.DataFrame(result.cursor.fetchall(), columns=list(result.keys()))


def _bbox(bbox) -> dict:
    keys = ("minx", "miny", "maxx", "maxy")
    return dict(zip(keys, (None,) * 4 if bbox is None else map(float, bbox)))


class PostGISStore(VectorTiles):
    backend = "postgis"

    def __init__(self, url: str, *, pool_size: int = 4):
        self.url = url
        self._q = queries("postgis")
        # No overflow: past pool_size, requests wait in turn for a connection rather than
        # crowd the database's cores (at 8 requests in flight on 2 cores, SQLAlchemy's default
        # 5 + 10 doubled the p99 of a vector tile).
        self.engine = sa.create_engine(_engine_url(url), pool_pre_ping=True,
                                       pool_size=pool_size, max_overflow=0)
        # Reads need no transaction (READ COMMITTED gives each statement its own snapshot
        # anyway): autocommit spares a BEGIN and a COMMIT round trip per call.
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def _run(self, con: Connection, name: str, params: dict | None = None):
        return con.execute(sa.text(self._q[name]), params or {})

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as con:
                yield con
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self._reader.connect() as con:
                yield con
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc

    def _unreachable(self, exc: sa.exc.OperationalError) -> StoreError:
        return StoreError(f"PostGIS at {self.engine.url.render_as_string()} is not reachable: "
                          f"{exc.orig}. Start it (docker compose up db) or fix "
                          "OBSERVATORY_DATABASE_URL.")

    def close(self) -> None:
        self.engine.dispose()

    # schema -----------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        applied: list[str] = []
        with self._transaction() as con:
            # Serialise concurrent initialisations (several API workers starting at once).
            con.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))
            con.execute(sa.text("CREATE TABLE IF NOT EXISTS schema_migration "
                                "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"))
            done = set(con.execute(sa.text("SELECT name FROM schema_migration")).scalars())
            for file in schema_files("postgis"):
                if file.name in done:
                    continue
                con.connection.driver_connection.execute(file.read_text(encoding="utf-8"))
                con.execute(sa.text("INSERT INTO schema_migration VALUES (:n, :t)"),
                            {"n": file.name, "t": utcnow()})
                applied.append(file.name)
        return applied

    def schema_version(self) -> list[str]:
        with self._reading() as con:
            if con.execute(sa.text("SELECT to_regclass('schema_migration')")).scalar() is None:
                return []
            return list(con.execute(sa.text(
                "SELECT name FROM schema_migration ORDER BY name")).scalars())

    # cities -----------------------------------------------------------------------------------
    def upsert_city(self, city: City) -> None:
        with self._transaction() as con:
            self._run(con, "upsert_city", frames.city_params(city))

    def cities(self) -> list[City]:
        with self._reading() as con:
            return [City(*row) for row in self._run(con, "cities")]

    def city(self, slug: str) -> City | None:
        return next((c for c in self.cities() if c.slug == slug), None)

    # ingest -----------------------------------------------------------------------------------
    def find_run(self, city: str, feed: str, content_hash: str) -> IngestRun | None:
        with self._reading() as con:
            df = pd.DataFrame(self._run(con, "find_run", {
                "city": city, "feed": feed, "content_hash": content_hash}).mappings().all())
        return frames.runs_from_frame(df)[0] if len(df) else None

    def load(self, run, *, districts=None, valid_from=None, observations=None, events=None,
             rejected=()):
        run = replace(run)
        try:
            with self._transaction() as con:
                self._load_in(con, run, districts, valid_from, observations, events, rejected)
        except Exception as exc:
            with self._transaction() as con:
                self._run(con, "insert_run", frames.run_params(frames.failed(run, exc)))
            raise
        return run

    def _load_in(self, con: Connection, run: IngestRun, districts, valid_from, observations,
                 events, rejected) -> None:
        scope = {"city": run.city, "feed": run.feed, "source_name": run.source_name,
                 "run_id": run.id}
        loaded = 0
        if districts is not None:
            start = valid_from or date.today()
            batch = frames.district_batch(districts)
            self._run(con, "delete_superseded_districts", scope)
            self._run(con, "delete_same_vintage", {"city": run.city, "valid_from": start})
            self._run(con, "close_earlier_versions", {"city": run.city, "valid_from": start})
            end = self._run(con, "next_version_start",
                            {"city": run.city, "valid_from": start}).scalar()
            self._run(con, "create_district_batch")
            batch["geom"] = [w.hex() for w in batch.pop("wkb")]
            _copy(con, "district_batch", batch)
            self._run(con, "insert_districts", {"city": run.city, "valid_from": start,
                                                 "valid_to": end, "run_id": run.id})
            loaded += len(batch)
        if observations is not None:
            batch = frames.observation_batch(observations, check_key=False)
            self._run(con, "delete_superseded_observations", scope)
            self._load_observations(con, batch, run)
            loaded += len(batch)
        if events is not None:
            batch = frames.event_batch(events)
            self._run(con, "delete_superseded_events", scope)
            self._run(con, "create_event_batch")
            batch["geom"] = [w.hex() for w in batch.pop("wkb")]
            _copy(con, "event_batch", batch)
            self._run(con, "insert_events", {"city": run.city, "run_id": run.id})
            loaded += len(batch)
        rejected_batch = frames.rejected_batch(rejected)
        if len(rejected_batch):
            self._run(con, "create_rejected_batch")
            _copy(con, "rejected_batch", rejected_batch)
            self._run(con, "insert_rejected", {"run_id": run.id})
        frames.finish(run, loaded=loaded, rejected=len(rejected_batch))
        self._run(con, "insert_run", frames.run_params(run))

    def _load_observations(self, con: Connection, batch: pd.DataFrame, run: IngestRun) -> None:
        """COPY straight into the table when no key is taken yet (the common case: new data or a
        file replacing its own earlier run); otherwise upsert through a temporary table. The
        table's key also catches a key repeated within the batch."""
        rows = batch.assign(city=run.city, ingest_run=run.id)
        savepoint = con.begin_nested()
        try:
            _copy(con, "observation", rows)
        except psycopg.errors.UniqueViolation:
            savepoint.rollback()
        else:
            savepoint.commit()
            return
        self._run(con, "create_observation_batch")
        _copy(con, "observation_batch", batch)
        repeated = self._run(con, "repeated_observation_keys").mappings().all()
        if repeated:
            raise frames.repeated_key([dict(row) for row in repeated])
        self._run(con, "upsert_observations", {"city": run.city, "run_id": run.id})

    def runs(self, city: str | None = None) -> list[IngestRun]:
        with self._reading() as con:
            rows = self._run(con, "runs", {"city": city}).mappings().all()
        return frames.runs_from_frame(pd.DataFrame(rows))

    def run(self, run_id: str) -> IngestRun | None:
        with self._reading() as con:
            rows = self._run(con, "run", {"run_id": run_id}).mappings().all()
        found = frames.runs_from_frame(pd.DataFrame(rows))
        return found[0] if found else None

    def rejected_rows(self, run_id: str) -> list[RejectedRow]:
        with self._reading() as con:
            rows = self._run(con, "rejected_rows", {"run_id": run_id}).all()
        return [frames.rejected_from_row(r) for r in rows]

    # reading ----------------------------------------------------------------------------------
    def districts(self, city: str, as_of: date | None = None) -> gpd.GeoDataFrame:
        day = as_of or date.today()
        t = district_table.c
        stmt = (
            sa.select(t.code, t.name_en, t.name_ar, t.area_m2, t.geom)
            .where(t.city == city, t.valid_from <= day,
                   sa.or_(t.valid_to.is_(None), t.valid_to > day))
            .order_by(t.code)
        )
        with self._reading() as con:
            rows = con.execute(stmt).all()
        df = pd.DataFrame([r[:4] for r in rows], columns=["code", "name_en", "name_ar", "area_m2"])
        geometry = shapely.from_wkb([bytes(r[4].data) for r in rows])
        return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")

    def observations(self, city: str, variables: Sequence[str] | None = None,
                     periods: Sequence[str] | None = None) -> pd.DataFrame:
        params = {"city": city,
                  "variables": list(variables) if variables is not None else None,
                  "periods": list(periods) if periods is not None else None}
        with self._reading() as con:
            result = self._run(con, "observations", params)
            return _frame(result)

    def periods(self, city: str, variable: str | None = None) -> list[str]:
        with self._reading() as con:
            return list(self._run(con, "periods", {"city": city, "variable": variable}).scalars())

    def events(self, city: str, layer: str | None = None, start=None, end=None,
               statuses: Sequence[str] = ("published",)) -> gpd.GeoDataFrame:
        params = {"city": city, "layer": layer, "start": start, "end": end,
                  "statuses": list(statuses)}
        with self._reading() as con:
            result = self._run(con, "events", params)
            df = _frame(result)
        df["wkb"] = df["wkb"].map(bytes) if len(df) else df["wkb"]
        return frames.events_frame(df)

    # field reports and API keys ---------------------------------------------------------------
    def add_event(self, city: str, event: gpd.GeoDataFrame, submitter: str) -> None:
        batch = frames.event_batch(event)
        batch["geom"] = [w.hex() for w in batch.pop("wkb")]
        with self._transaction() as con:
            self._run(con, "create_event_batch")
            _copy(con, "event_batch", batch)
            self._run(con, "add_event", {"city": city, "submitter": submitter})

    def set_event_status(self, event_id: str, status: str) -> bool:
        with self._transaction() as con:
            return bool(self._run(con, "set_event_status",
                                  {"event_id": event_id, "status": status}).all())

    def add_attachment(self, attachment: Attachment) -> None:
        with self._transaction() as con:
            self._run(con, "add_attachment", asdict(attachment))

    def attachments(self, event_id: str) -> list[Attachment]:
        with self._reading() as con:
            rows = self._run(con, "attachments", {"event_id": event_id}).all()
        return [Attachment(*row) for row in rows]

    def add_api_key(self, key_hash: str, role: str, label: str) -> None:
        with self._transaction() as con:
            self._run(con, "add_api_key", {"key_hash": key_hash, "role": role, "label": label,
                                           "created_at": utcnow()})

    def api_key_role(self, key_hash: str) -> str | None:
        with self._reading() as con:
            return self._run(con, "api_key_role", {"key_hash": key_hash}).scalar()

    # paged features and vector tiles ----------------------------------------------------------
    def district_page(self, city: str, *, bbox=None, limit=None, offset=0, code=None,
                      as_of=None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "as_of": as_of or date.today(), "code": code, **_bbox(bbox)}
        with self._reading() as con:
            matched = self._run(con, "district_page_count", params).scalar()
            result = self._run(con, "district_page", {**params, "limit": limit, "offset": offset})
            df = _frame(result)
        geometry = shapely.from_wkb([bytes(b) for b in df.pop("wkb")])
        return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326"), int(matched)

    def district_features(self, city: str, *, indicator_id=None, period=None, bbox=None,
                          limit=None, offset=0, code=None, as_of=None) -> DistrictFeatures:
        params = {"city": city, "as_of": as_of or date.today(), "code": code, **_bbox(bbox)}
        page = {**params, "limit": limit, "offset": offset}
        with self._reading() as con:
            if indicator_id is None:
                columns, query, chosen = DISTRICT_FEATURE_COLUMNS, "district_features", None
            else:
                columns, query = INDICATOR_FEATURE_COLUMNS, "indicator_features"
                chosen = self._run(con, "indicator_period", {
                    "city": city, "indicator_id": indicator_id, "period": period}).scalar()
                if chosen is None:  # no values of the indicator (in that period)
                    return DistrictFeatures(columns, [], [], 0)
                page.update(indicator_id=indicator_id, period=chosen)
            matched = self._run(con, "district_page_count", params).scalar()
            rows = self._run(con, query, page).cursor.fetchall()
        return DistrictFeatures(columns, [row[:-1] for row in rows], [row[-1] for row in rows],
                                int(matched), chosen)

    def event_page(self, city: str, layer: str, *, bbox=None, start=None, end=None,
                   statuses: Sequence[str] = ("published",), limit=None, offset=0,
                   event_id=None) -> tuple[gpd.GeoDataFrame, int]:
        params = {"city": city, "layer": layer, "statuses": list(statuses), "event_id": event_id,
                  "start": start, "end": end, **_bbox(bbox)}
        with self._reading() as con:
            matched = self._run(con, "event_page_count", params).scalar()
            result = self._run(con, "event_page", {**params, "limit": limit, "offset": offset})
            df = _frame(result)
        df["wkb"] = df["wkb"].map(bytes) if len(df) else df["wkb"]
        return frames.events_frame(df), int(matched)

    def event_layers(self, city: str, statuses: Sequence[str] = ("published",)) -> list[str]:
        with self._reading() as con:
            return list(self._run(con, "event_layers",
                                  {"city": city, "statuses": list(statuses)}).scalars())

    def published_attachment(self, sha256: str) -> Attachment | None:
        with self._reading() as con:
            row = self._run(con, "published_attachment", {"sha256": sha256}).first()
        return Attachment(*row) if row else None

    def _tile(self, query: str, params: dict) -> bytes:
        with self._reading() as con:
            tile = self._run(con, query, params).scalar()
        return bytes(tile) if tile is not None else b""

    # indicators -------------------------------------------------------------------------------
    def put_indicator_values(self, city: str, values: pd.DataFrame) -> int:
        batch = frames.indicator_batch(values)
        with self._transaction() as con:
            self._run(con, "create_value_batch")
            _copy(con, "value_batch", batch)
            self._run(con, "delete_indicator_values", {"city": city})
            self._run(con, "insert_indicator_values", {"city": city, "computed_at": utcnow()})
        return len(batch)

    def indicator_periods(self, city: str, indicator_id: str | None = None) -> pd.DataFrame:
        with self._reading() as con:
            return _frame(self._run(con, "indicator_periods",
                                    {"city": city, "indicator_id": indicator_id}))

    def indicator_values(self, city: str, indicator_id: str | None = None,
                         period: str | None = None,
                         district_codes: Sequence[str] | None = None) -> pd.DataFrame:
        codes = list(district_codes) if district_codes is not None else None
        with self._reading() as con:
            result = self._run(con, "indicator_values", {
                "city": city, "indicator_id": indicator_id, "period": period, "codes": codes})
            return _frame(result)
