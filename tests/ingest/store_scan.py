"""What a store holds as text, read with its own SQL (and, for DuckDB, the file's bytes): for
tests that prove a value is nowhere in it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import sqlalchemy as sa

from observatory.store import Store


def text_values(store: Store) -> list[str]:
    """Every value of every text column of every table of the store, via its own SQL."""
    if store.backend == "duckdb":
        store.close()  # the store keeps its database open a moment after use: release it now
        with duckdb.connect(store.path, read_only=True) as con:
            columns = con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE data_type IN ('VARCHAR', 'JSON') AND table_schema = 'main'").fetchall()
            return [str(value) for table, column in columns for (value,) in con.execute(
                f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()]
    engine = sa.create_engine(store.url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as con:
            columns = con.execute(sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND data_type IN "
                "('text', 'character varying', 'jsonb', 'json')")).fetchall()
            return [str(value) for table, column in columns for (value,) in con.execute(
                sa.text(f'SELECT "{column}"::text FROM "{table}" '
                        f'WHERE "{column}" IS NOT NULL')).fetchall()]
    finally:
        engine.dispose()


def file_bytes(store: Store) -> bytes:
    """The DuckDB file and its write-ahead log as they lie on disk (nothing for PostGIS),
    after the store let them go."""
    if store.backend != "duckdb":
        return b""
    store.close()
    files = (Path(store.path), Path(f"{store.path}.wal"))
    return b"".join(path.read_bytes() for path in files if path.exists())
