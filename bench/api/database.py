"""The stores both servers read: a PostGIS database on a throwaway cluster (started as
``tests/conftest.py`` starts one) or on the server ``OBSERVATORY_TEST_POSTGIS_URL`` names, and
optionally a DuckDB file, each loaded with the synthetic city through the observatory's own store.
tipg reads the same PostGIS tables (``district``, ``indicator_value``) plus one view."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from bench.api.case import CITY, ApiCase, districts, indicator_values
from observatory.models import IngestRun
from observatory.store import open_store

TIPG_VIEW_SQL = Path(__file__).with_name("tipg_view.sql").read_text(encoding="utf-8")
DATABASE = "bench_api"


class NoPostGIS(RuntimeError):
    """No PostgreSQL server binaries and no OBSERVATORY_TEST_POSTGIS_URL."""


@contextmanager
def postgis_database() -> Iterator[str]:
    """A fresh ``bench_api`` database with PostGIS; yields its ``postgresql://`` URL."""
    from tests.conftest import _Cluster, _pg_bin

    url, cluster = os.environ.get("OBSERVATORY_TEST_POSTGIS_URL"), None
    if not url:
        bindir = _pg_bin()
        if bindir is None:
            raise NoPostGIS("no PostgreSQL server binaries (pg_ctl) found: install "
                            "postgresql-15-postgis-3 or set OBSERVATORY_TEST_POSTGIS_URL")
        cluster = _Cluster(bindir)
        url = cluster.start()
    try:
        admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            con.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE}"))
            con.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
        db_url = admin.url.set(database=DATABASE)
        admin.dispose()
        yield (db_url.render_as_string(hide_password=False)
               .replace("postgresql+psycopg://", "postgresql://", 1))
    finally:
        if cluster:
            cluster.stop()


def load_city(store_url: str, case: ApiCase) -> dict:
    """The synthetic city through the store protocol; on PostGIS also tipg's view. Returns
    what was loaded."""
    store = open_store(store_url)
    try:
        store.init_schema()
        store.upsert_city(CITY)
        shapes = districts(case)
        store.load(IngestRun(CITY.slug, "boundaries", "bench-districts.gpkg", f"bench-{case.seed}"),
                   districts=shapes)
        values = store.put_indicator_values(CITY.slug, indicator_values(case))
    finally:
        store.close()
    if store.backend == "postgis":
        engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as con:
            con.execute(sa.text(TIPG_VIEW_SQL))
            con.execute(sa.text("ANALYZE"))  # fresh tables: give the planner statistics
        engine.dispose()
    return {"districts": len(shapes), "indicator_values": values}
