"""docker-compose.yml wiring, checked without a Docker engine: the file is parsed and compared
with what the API and the database expect of each other."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from observatory.settings import ApiSettings, StoreSettings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def services() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose["services"] | {"_volumes": compose.get("volumes") or {}}


def _healthcheck_command(service: dict) -> str:
    test = service["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"}, f"healthcheck must start with CMD or CMD-SHELL: {test}"
    return " ".join(test[1:])


def test_db_is_postgis_with_a_persistent_volume_and_pg_isready(services):
    db = services["db"]
    assert db["image"] == "postgis/postgis:15-3.4"
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(db["environment"])
    volume, _, mount = db["volumes"][0].partition(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in services["_volumes"], "the data volume must be declared at the top level"
    check = _healthcheck_command(db)
    assert "pg_isready" in check
    assert f"-U {db['environment']['POSTGRES_USER']}" in check


def test_api_url_points_at_the_db_service_with_its_credentials(services):
    db_env = services["db"]["environment"]
    url = services["api"]["environment"]["OBSERVATORY_DATABASE_URL"]
    parts = urlsplit(url)
    assert parts.hostname == "db" and "db" in services
    assert parts.port == 5432
    assert parts.username == db_env["POSTGRES_USER"]
    assert parts.password == db_env["POSTGRES_PASSWORD"]
    assert parts.path.lstrip("/") == db_env["POSTGRES_DB"]
    # The API accepts the URL as it is written.
    assert StoreSettings(database_url=url).database_url == url


def test_api_waits_for_a_healthy_db_and_checks_its_own_health(services):
    api = services["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    container_port = ApiSettings().port
    assert f"{container_port}:{container_port}" in api["ports"]
    check = _healthcheck_command(api)
    assert f"127.0.0.1:{container_port}/health" in check


def test_api_is_built_from_the_repository_and_serves_on_all_interfaces(services):
    api = services["api"]
    context = api["build"] if isinstance(api["build"], str) else api["build"]["context"]
    assert (ROOT / context / "Dockerfile").is_file()
    dockerfile = (ROOT / context / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install" in dockerfile
    command = shlex.join(api["command"]) if "command" in api else dockerfile
    assert "observatory serve --host 0.0.0.0" in command
    assert "observatory init" in command, "the schema must exist before the API serves"


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "data/"} <= set(ignored)
