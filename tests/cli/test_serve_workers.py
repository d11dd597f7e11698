"""`observatory serve --workers N`: several uvicorn workers on PostGIS, each with the settings
the command line resolved; refused, with the reason and the way out, on a DuckDB file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from test_serve import _free_port, _get_when_up

from observatory.settings import (
    ApiSettings,
    DisclosureSettings,
    StoreSettings,
    settings_environment,
)
from observatory.store import open_store


def test_settings_travel_to_a_new_process_unchanged(monkeypatch, tmp_path: Path):
    given = (StoreSettings(database_url="postgresql://u:p@db:5432/obs", data_dir=tmp_path,
                           pool_size=3),
             ApiSettings(port=9001, workers=3, response_cache_bytes=5),
             DisclosureSettings(min_count=10, protection_range=20.0))
    environment = settings_environment(*given)
    assert "OBSERVATORY_BASEMAP_URL" not in environment  # unset stays unset
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert (StoreSettings(), ApiSettings(), DisclosureSettings()) == given


def test_several_workers_on_duckdb_are_refused_with_the_way_out(invoke, duckdb_url):
    refused = invoke("--database-url", duckdb_url, "serve", "--workers", "2")
    assert refused.exit_code == 2
    assert "one process at a time" in refused.output and "--workers 1" in refused.output
    assert "postgresql://" in refused.output


def _workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children
            if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.postgis
@pytest.mark.slow
def test_two_workers_serve_one_postgis_store(postgis_url, tmp_path: Path):
    store = open_store(postgis_url)
    store.init_schema()
    store.close()
    port = _free_port()
    env = os.environ | {"OBSERVATORY_DATA_DIR": str(tmp_path)}
    env.pop("OBSERVATORY_DATABASE_URL", None)  # only the option leads the workers there
    server = subprocess.Popen(
        [sys.executable, "-c", "from observatory.cli import app; app()", "--database-url",
         postgis_url, "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = _get_when_up(f"http://127.0.0.1:{port}/health", server, timeout=240)
        assert health.json()["backend"] == "postgis" and health.json()["schema_ok"]
        assert len(_workers_of(server.pid)) == 2
        with httpx.Client(timeout=10) as client:
            assert all(client.get(f"http://127.0.0.1:{port}/cities").json() == []
                       for _ in range(8))
    finally:
        server.terminate()  # uvicorn's parent stops its workers first
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
