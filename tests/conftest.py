"""Shared fixtures: a real DuckDB file and a real PostGIS server for the one store suite.

PostGIS: a throwaway cluster (``observatory.store.testing``: initdb in a temp dir, a free port;
as root the server runs as the ``postgres`` user) unless OBSERVATORY_TEST_POSTGIS_URL names a
server whose user may create databases. With CI=true a PostGIS test that cannot run fails; it
never skips.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa

from observatory.store import Store, open_store
from observatory.store.testing import Cluster, pg_bin

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_TEMPLATE = "observatory_template"
_SCHEMA_TEMPLATE = "observatory_schema_template"


def _unavailable(reason: str) -> NoReturn:
    message = (f"PostGIS is not available: {reason}. Run `make test` (it installs "
               "postgresql-15-postgis-3) or set OBSERVATORY_TEST_POSTGIS_URL.")
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[str]:
    """Admin URL of a PostGIS server with a template database that has the extension."""
    url = os.environ.get("OBSERVATORY_TEST_POSTGIS_URL")
    cluster = None
    if not url:
        bindir = pg_bin()
        if bindir is None:
            _unavailable("no PostgreSQL server binaries (pg_ctl) found")
        cluster = Cluster(bindir)
        try:
            url = cluster.start()
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            cluster.stop()
            _unavailable(f"could not start a throwaway cluster: {detail.strip()}")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            con.execute(sa.text(f"DROP DATABASE IF EXISTS {_TEMPLATE}"))
            con.execute(sa.text(f"CREATE DATABASE {_TEMPLATE}"))
        template = sa.create_engine(engine.url.set(database=_TEMPLATE))
        with template.begin() as con:
            con.execute(sa.text("CREATE EXTENSION postgis"))
        template.dispose()
    except sa.exc.SQLAlchemyError as exc:
        if cluster:
            cluster.stop()
        _unavailable(f"cannot prepare a PostGIS database: {exc}")
    yield url
    engine.dispose()
    if cluster:
        cluster.stop()


_counter = itertools.count()


def _admin_engine(postgis_server: str) -> sa.Engine:
    return sa.create_engine(postgis_server.replace("postgresql://", "postgresql+psycopg://", 1),
                            isolation_level="AUTOCOMMIT")


def _wants_schema(request: pytest.FixtureRequest) -> bool:
    """The test uses the ``store`` fixture, which applies the schema anyway: its database starts
    as a copy of one that has it (applying it takes ~0.2 s, a copy a few ms; ~900 tests)."""
    return "store" in request.fixturenames


@pytest.fixture(scope="session")
def postgis_schema_template(postgis_server: str) -> str:
    """A PostGIS database holding the store's schema, the template of the ``store`` fixture's."""
    admin = _admin_engine(postgis_server)
    with admin.connect() as con:
        con.execute(sa.text(f"DROP DATABASE IF EXISTS {_SCHEMA_TEMPLATE}"))
        con.execute(sa.text(f"CREATE DATABASE {_SCHEMA_TEMPLATE} TEMPLATE {_TEMPLATE}"))
    url = admin.url.set(database=_SCHEMA_TEMPLATE).render_as_string(hide_password=False)
    _apply_schema(url.replace("postgresql+psycopg://", "postgresql://", 1))
    admin.dispose()
    return _SCHEMA_TEMPLATE


@pytest.fixture(scope="session")
def duckdb_schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the store's schema, copied for the ``store`` fixture's."""
    path = tmp_path_factory.mktemp("schema_template") / "observatory.duckdb"
    _apply_schema(f"duckdb:///{path.as_posix()}")
    assert not path.with_suffix(".duckdb.wal").exists()  # closed: the file is the whole store
    return path


def _apply_schema(url: str) -> None:
    opened = open_store(url)
    try:
        opened.init_schema()
    finally:
        opened.close()


@pytest.fixture
def postgis_url(postgis_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostGIS database for one test, dropped afterwards: empty, or with the schema
    when the test uses the ``store`` fixture."""
    template = (request.getfixturevalue("postgis_schema_template") if _wants_schema(request)
                else _TEMPLATE)
    name = f"observatory_test_{os.getpid()}_{next(_counter)}"
    admin = _admin_engine(postgis_server)
    with admin.connect() as con:
        con.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url.replace("postgresql+psycopg://", "postgresql://", 1)
    with admin.connect() as con:
        con.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def duckdb_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A DuckDB file for one test: absent, or a copy of one with the schema when the test uses
    the ``store`` fixture."""
    path = tmp_path / "observatory.duckdb"
    if _wants_schema(request):
        shutil.copyfile(request.getfixturevalue("duckdb_schema_template"), path)
    return f"duckdb:///{path.as_posix()}"


@pytest.fixture(params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest) -> str:
    """URL of a fresh, empty store on each backend."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh store with the schema applied, on each backend."""
    opened = open_store(store_url)
    opened.init_schema()
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the repository; realdata tests skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the repository "
                    "in CI and on developers' machines)")
    return SHARED_DATA


# Folders whose session fixtures are costly (the demo cities, the browser and its site): with
# `pytest -n` (make test), each such folder runs on one worker, so those fixtures are built once,
# not once per worker. The CLI's shared demo run groups only the tests that use it: the rest of
# that folder is the suite's longest and spreads over both workers.
_GROUPED_FOLDERS = {"browser", "demo", "indicators"}
_GROUPED_FIXTURES = {"demo_run": "cli-demo"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):  # `-p no:xdist`: the mark is unknown
        return
    for item in items:
        folder = Path(item.path).relative_to(REPO / "tests").parts[0]
        fixtures = getattr(item, "fixturenames", ())
        group = next((g for f, g in _GROUPED_FIXTURES.items() if f in fixtures), None)
        if group is None and folder in _GROUPED_FOLDERS:
            group = folder
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
