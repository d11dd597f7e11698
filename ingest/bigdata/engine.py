"""The in-process DuckDB that big feeds stream through, and the grid that places points in it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from ingest.bigdata.grid import DistrictGrid
from observatory.settings import ResourceSettings

SQL_DIR = Path(__file__).parent / "sql"


@contextmanager
def feed_engine(resources: ResourceSettings | None = None
                ) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB held to ``resources.memory_limit`` (spilling to disk beyond it). No
    spatial extension: the grid and shapely place the points, and loading the extension alone
    takes longer (0.2 s) than placing 5 M points' stragglers."""
    limits = (resources or ResourceSettings()).duckdb_config()
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False, **limits})
    try:
        con.execute("SET enable_progress_bar = false")  # the CLI draws its own
        yield con
    finally:
        con.close()


def register_grid(con: duckdb.DuckDBPyConnection, grid: DistrictGrid) -> None:
    """Table ``grid_lookup(kinds)``: one row, the grid's cell kinds as one list, which a query
    indexes per point (cheaper than a hash join on the cell number)."""
    frame = pd.DataFrame({"kinds": [grid.kinds]})  # an array in an object column: a LIST
    con.register("grid_frame", frame)
    con.execute("CREATE TEMP TABLE grid_lookup AS SELECT kinds FROM grid_frame")
    con.unregister("grid_frame")


@cache
def sql(name: str) -> str:
    """A query of ``ingest/bigdata/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
