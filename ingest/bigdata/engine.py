"""The in-process DuckDB that big feeds stream through, and the city's districts in it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import geopandas as gpd
import shapely

from observatory.store.duckdb_store import spatial_extension_path

SQL_DIR = Path(__file__).parent / "sql"


@contextmanager
def feed_engine() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the spatial extension, loaded by path (never downloaded)."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        con.execute(f"LOAD '{spatial_extension_path().as_posix()}'")
        con.execute("SET enable_progress_bar = false")  # the CLI draws its own
        yield con
    finally:
        con.close()


def register_districts(con: duckdb.DuckDBPyConnection, districts: gpd.GeoDataFrame) -> None:
    """Table ``district(code, geom)`` in EPSG:4326, the CRS the store keeps them in."""
    con.execute("CREATE TEMP TABLE district (code VARCHAR, geom GEOMETRY)")
    rows = [(str(code), shapely.to_wkb(geom)) for code, geom in
            zip(districts["code"], districts.geometry, strict=True)]
    con.executemany("INSERT INTO district VALUES (?, ST_GeomFromWKB(?))", rows)


@cache
def sql(name: str) -> str:
    """A query of ``ingest/bigdata/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
