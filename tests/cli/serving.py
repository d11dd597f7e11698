"""``observatory serve`` and ``observatory ingest`` as real processes, on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CLI = [sys.executable, "-c", "from observatory.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli_env(**more: str) -> dict[str, str]:
    """The environment of a CLI process: no store or hash key of the caller's, output unbuffered
    (the tests read it as it comes)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OBSERVATORY_DATABASE_URL", "OBSERVATORY_HASH_KEY")}
    return env | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"} | more


def start_server(database_url: str, port: int, log: Path,
                 timeout: float = 90.0) -> subprocess.Popen:
    """``observatory serve`` on ``database_url``, once it answers /health; its output goes to
    ``log`` (a pipe nobody reads would fill up with the access log and stall it)."""
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [*CLI, "--database-url", database_url, "serve", "--port", str(port)],
            env=cli_env(), stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"observatory serve exited early:\n{log.read_text('utf-8')}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.3)
    stop(server)
    pytest.fail(f"observatory serve did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> int:
    """Stop ``process`` (SIGTERM, then SIGKILL after 20 s); its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.returncode
