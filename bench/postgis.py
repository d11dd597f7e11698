"""A fresh PostGIS database for a benchmark: on a throwaway cluster (the one the store tests
start, ``observatory.store.testing``) or on the server ``OBSERVATORY_TEST_POSTGIS_URL`` names."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from observatory.store.testing import Cluster, pg_bin


class NoPostGIS(RuntimeError):
    """No PostgreSQL server binaries and no OBSERVATORY_TEST_POSTGIS_URL."""


@contextmanager
def postgis_database(name: str) -> Iterator[str]:
    """A fresh database ``name`` with the PostGIS extension; yields its ``postgresql://`` URL."""
    url, cluster = os.environ.get("OBSERVATORY_TEST_POSTGIS_URL"), None
    if not url:
        bindir = pg_bin()
        if bindir is None:
            raise NoPostGIS("no PostgreSQL server binaries (pg_ctl) found: install "
                            "postgresql-15-postgis-3 or set OBSERVATORY_TEST_POSTGIS_URL")
        cluster = Cluster(bindir)
        url = cluster.start()
    try:
        admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            con.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            con.execute(sa.text(f"CREATE DATABASE {name}"))
        db_url = admin.url.set(database=name)
        admin.dispose()
        engine = sa.create_engine(db_url)
        with engine.begin() as con:
            con.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        yield (db_url.render_as_string(hide_password=False)
               .replace("postgresql+psycopg://", "postgresql://", 1))
    finally:
        if cluster:
            cluster.stop()
