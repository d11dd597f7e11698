"""`observatory serve` runs the API on the store the command line was given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_when_up(url: str, server: subprocess.Popen, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"observatory serve exited early:\n{server.stdout.read()}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"observatory serve did not answer {url} within {timeout} s")


def test_serve_uses_the_database_url_option(invoke, duckdb_url, boundaries, tmp_path):
    districts, spec = boundaries
    loaded = invoke("--database-url", duckdb_url, "ingest", "boundaries", str(districts),
                    "--city", "testville", "--spec", str(spec))
    assert loaded.exit_code == 0, loaded.output

    port = _free_port()
    # The environment points elsewhere: only the option can lead the server to testville.
    env = os.environ | {"OBSERVATORY_DATA_DIR": str(tmp_path / "elsewhere")}
    env.pop("OBSERVATORY_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from observatory.cli import app; app()", "--database-url",
         duckdb_url, "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = _get_when_up(f"http://127.0.0.1:{port}/health", server)
        assert health.status_code == 200
        cities = httpx.get(f"http://127.0.0.1:{port}/cities", timeout=10).json()
        assert [(c["slug"], c["name_ar"]) for c in cities] == [("testville", "مدينة الاختبار")]
    finally:
        server.terminate()
        server.wait(timeout=20)
