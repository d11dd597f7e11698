"""``observatory serve`` and the CLI as real processes, on loopback, and a stream of concurrent
requests to the server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    # Absolute, so that a process started in another folder imports the code under test.
    path = os.pathsep.join(str(Path(p).resolve())
                           for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)
    return env | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"} | (
        {"PYTHONPATH": path} if path else {}) | more


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


@dataclass(frozen=True)
class Answer:
    sent: float  # time.monotonic() when the request was sent
    seconds: float
    status: int  # 0: not answered


class Load:
    """Threads sending GETs to a server one after another, each its own stream, until stopped
    or ``longest`` seconds have passed; ``answers`` holds each thread's answers. ``pause``:
    seconds a thread waits after each answer (0: as fast as the server answers)."""

    def __init__(self, base: str, key: str, paths: list[str], threads: int,
                 longest: float, pause: float = 0.0) -> None:
        self.base = base
        self.pause = pause
        self.answers: list[list[Answer]] = [[] for _ in range(threads)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, args=(key, paths, longest, mine))
                         for mine in self.answers]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=70)

    def count(self) -> int:
        return sum(map(len, self.answers))

    def every(self) -> list[Answer]:
        return [answer for mine in self.answers for answer in mine]

    def _send(self, key: str, paths: list[str], longest: float, answers: list[Answer]) -> None:
        deadline = time.monotonic() + longest
        with httpx.Client(base_url=self.base, headers={"X-API-Key": key}, timeout=60) as client:
            turn = 0
            while not self._stop.is_set() and time.monotonic() < deadline:
                sent = time.monotonic()
                try:
                    status = client.get(paths[turn % len(paths)]).status_code
                except httpx.TransportError:
                    status = 0
                answers.append(Answer(sent, time.monotonic() - sent, status))
                turn += 1
                if self.pause:
                    self._stop.wait(self.pause)


@contextmanager
def serving_under_load(database_url: str, log: Path, key: str, paths: list[str],
                       threads: int, longest: float, pause: float = 0.0) -> Iterator[Load]:
    """``observatory serve`` on ``database_url`` answering ``threads`` streams of requests
    for ``paths`` sent with ``key`` (each waiting ``pause`` seconds after an answer), while
    the block runs; stopped, both, at its end."""
    port = free_port()
    server = start_server(database_url, port, log)
    load = Load(f"http://127.0.0.1:{port}", key, paths, threads, longest, pause)
    try:
        load.start()
        yield load
    finally:
        load.stop()
        stop(server)
