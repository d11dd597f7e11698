"""The servers, each ``uvicorn`` (one worker unless asked for more) on a free loopback port in a subprocess:
the observatory's app factory and tipg, configured to serve the same rows with the same
properties and tile buffer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 300.0  # a shared machine: several workers import the app at once
# The properties the observatory's district features and tiles carry, so tipg does the same work.
DISTRICT_PROPERTIES = ["code", "name_en", "name_ar", "area_m2"]
OUR_TILE_BUFFER = 64  # sql/postgis/queries.sql: ST_AsMVTGeom(…, 4096, 64, true)


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    pid: int

    def peak_rss_mb(self) -> float:
        """The server process's peak resident set (VmHWM) so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uvicorn(app: str, port: int, *, factory: bool = False, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, *(["--factory"] if factory else []),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning"]


@contextmanager
def _serve(name: str, command: list[str], env: dict, cwd: Path,
           ready_path: str) -> Iterator[Server]:
    port = int(command[command.index("--port") + 1])
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(name, process, base + ready_path, log)
        yield Server(name, base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(name: str, process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} while starting:\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {url} within {STARTUP_SECONDS:.0f} s; "
                       f"its log: {log}")


@contextmanager
def observatory_server(store_url: str, workdir: Path, name: str = "observatory", *,
                       workers: int = 1, env: dict | None = None) -> Iterator[Server]:
    """``workers`` uvicorn worker processes (PostGIS only: a DuckDB file has one writer);
    ``env``: more settings, e.g. the response cache turned off."""
    data_dir = workdir / f"{name}-data"
    data_dir.mkdir(exist_ok=True)
    env = {"OBSERVATORY_DATABASE_URL": store_url, "OBSERVATORY_DATA_DIR": str(data_dir),
           **(env or {})}
    command = _uvicorn("observatory.app:create_app", _free_port(), factory=True,
                       workers=workers)
    with _serve(name, command, env, workdir, "/health") as server:
        yield server


@contextmanager
def tipg_server(postgis_url: str, workdir: Path, view: str) -> Iterator[Server]:
    table_config = {
        "public_district": {"pk": "code", "properties": DISTRICT_PROPERTIES},
        f"public_{view}": {"pk": "code"},
    }
    env = {
        "DATABASE_URL": postgis_url,
        "TIPG_DB_SCHEMAS": json.dumps(["public"]),
        "TIPG_DB_TABLES": json.dumps(["public.district", f"public.{view}"]),
        "TIPG_DB_FUNCTIONS": "[]",  # none of PostGIS's set-returning functions
        "TIPG_TABLE_CONFIG": json.dumps(table_config),
        "TIPG_TILE_BUFFER": str(OUR_TILE_BUFFER),
    }
    # Its own working directory: tipg's settings also read a .env file from there.
    with _serve("tipg", _uvicorn("tipg.main:app", _free_port()), env, workdir,
                "/healthz") as server:
        yield server
