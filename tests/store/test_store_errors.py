"""Driver errors never cross the Store protocol: each becomes a StoreError kind whose message
says what to do. Runs on DuckDB and PostGIS like the rest of the store suite."""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlalchemy as sa

from observatory.models import Attachment, City
from observatory.store import (
    ConflictError,
    ConstraintError,
    SchemaMissingError,
    StoreError,
    UnavailableError,
    open_store,
)

CITY = City("gaziantep", "Gaziantep", "غازي عنتاب", "TR", "EPSG:32637", 2_100_000)
DRIVER_ERRORS = (duckdb.Error, psycopg.Error, sa.exc.SQLAlchemyError)


def _no_driver_error_behind(error: BaseException) -> None:
    # The driver's error stays readable as the cause, but the raised one is the store's own.
    assert isinstance(error, StoreError) and not isinstance(error, DRIVER_ERRORS)


def test_a_repeated_key_is_a_conflict(store):
    store.add_api_key("f" * 64, "officer", "ingest team")
    with pytest.raises(ConflictError, match="already holds a row with this key") as caught:
        store.add_api_key("f" * 64, "admin", "the same key again")
    _no_driver_error_behind(caught.value)
    assert store.api_key_role("f" * 64) == "officer"


def test_a_repeated_attachment_id_is_a_conflict(store):
    photo = Attachment("att-1", "rep-1", "ab" * 32, "image/jpeg", 1234, "photos/abab.jpg")
    store.add_attachment(photo)
    with pytest.raises(ConflictError, match="att-1"):
        store.add_attachment(photo)


def test_a_value_the_schema_refuses_is_a_constraint_error(store):
    with pytest.raises(ConstraintError, match="Fix the value") as caught:
        store.add_api_key("1" * 64, "emperor", "no such role")
    _no_driver_error_behind(caught.value)
    assert store.api_key_role("1" * 64) is None


def test_a_store_without_its_schema_says_run_init(store_url):
    store = open_store(store_url)
    try:
        assert store.schema_version() == []
        with pytest.raises(SchemaMissingError, match="run `observatory init`") as caught:
            store.upsert_city(CITY)
        _no_driver_error_behind(caught.value)
        with pytest.raises(SchemaMissingError):
            store.cities()
    finally:
        store.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_postgis_is_unavailable():
    store = open_store(f"postgresql://observatory@127.0.0.1:{_closed_port()}/observatory")
    try:
        with pytest.raises(UnavailableError, match="not reachable.*OBSERVATORY_DATABASE_URL"):
            store.cities()
        with pytest.raises(UnavailableError):
            store.upsert_city(CITY)
    finally:
        store.close()


def test_a_file_that_is_no_duckdb_database_is_unavailable(tmp_path: Path):
    path = tmp_path / "not-a-database.duckdb"
    path.write_text("not a database", encoding="utf-8")
    store = open_store(f"duckdb:///{path.as_posix()}")
    try:
        with pytest.raises(UnavailableError, match="OBSERVATORY_DATABASE_URL") as caught:
            store.cities()
        _no_driver_error_behind(caught.value)
    finally:
        store.close()
