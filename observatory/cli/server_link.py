"""The link between ``observatory serve`` and the CLI on one embedded DuckDB file.

DuckDB lets one process write a file, and a busy server never lets go of it. So the server
publishes a link file beside the database (``observatory.duckdb.server.json``: pid, address,
port and a token made for this process; mode 0600, removed when it stops) and a CLI ingest or
compute that finds a live server for its file hands the job to it (``remote_ingest``), as do
``init``, ``runs``, ``keys create``, ``audit``, ``levels``, ``segregation``, ``export``,
``bundle``, ``compare``, ``icc``, ``spec infer`` and ``ingest --dry-run``
(``remote_store``). The link
sits beside the file rather than in the data directory because the database URL may name a file
elsewhere: every process using the file finds it there, whatever its settings.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from observatory.services.ingest_jobs import TOKEN_HEADER

STARTING_SECONDS = 60.0  # a link this young whose server does not answer yet may be starting
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


class LinkError(Exception):
    """The server of the link answered, but not as the server of this file would; ``status``
    is its HTTP status when it answered with one, ``detail`` its message."""

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail or message


@dataclass(frozen=True)
class ServerLink:
    pid: int
    host: str  # the address it binds; a wildcard is reached on loopback
    port: int
    token: str
    database: str  # the DuckDB file, resolved

    @property
    def base_url(self) -> str:
        host = _WILDCARDS.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             timeout: float | None = 30.0) -> Any:
        """The JSON answer of ``method path``; ``LinkError`` with the server's message for an
        answer other than 2xx; ``OSError`` when it cannot be reached."""
        request = urllib.request.Request(
            self.base_url + path, method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={TOKEN_HEADER: self.token, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as exc:
            try:
                detail = json.load(exc).get("detail", exc.reason)
            except ValueError:
                detail = exc.reason
            raise LinkError(f"{detail} (HTTP {exc.code})", exc.code, str(detail)) from None


def database_file(database_url: str) -> Path | None:
    """The DuckDB file a URL names, resolved; None for PostGIS (its server takes concurrent
    writers) and for an in-memory DuckDB."""
    if not database_url.startswith("duckdb:///"):
        return None
    path = database_url.removeprefix("duckdb:///")
    return None if path in ("", ":memory:") else Path(path).resolve()


def link_file(database: Path) -> Path:
    return database.with_name(database.name + ".server.json")


@contextmanager
def published(database_url: str, host: str, port: int) -> Iterator[ServerLink | None]:
    """Publish this process as the server of the URL's DuckDB file while the block runs; yields
    its link, whose token the ingest endpoint must be sent, or None (no DuckDB file, or another
    live server already published for it: that one keeps the CLIs' ingests)."""
    database = database_file(database_url)
    if database is None or _live(_read(link_file(database))):
        yield None
        return
    link = ServerLink(os.getpid(), host, port, secrets.token_urlsafe(32), str(database))
    path = link_file(database)
    _write_private(path, json.dumps(asdict(link)))
    # uvicorn stops on SIGTERM, then raises it again once it has restored the handler it found:
    # that handler must unwind to the `finally` below, not end the process on the spot.
    before = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield link
    finally:
        signal.signal(signal.SIGTERM, before)
        found = _read(path)
        if found is not None and found.token == link.token:  # never another server's link
            path.unlink(missing_ok=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def find_server(database_url: str) -> ServerLink | None:
    """The live server publishing the URL's DuckDB file, once it answers; None when there is
    none (PostGIS, no link, a stale link of a server that died)."""
    database = database_file(database_url)
    if database is None:
        return None
    path = link_file(database)
    link = _read(path)
    if link is None or link.database != str(database) or not _live(link):
        return None
    while True:
        try:
            link.call("GET", "/internal/ingest", timeout=10)
            return link
        except LinkError:
            return None  # another program on that port, or pid reused: not our server
        except OSError:
            # Not listening (yet): a server that has just started is given time to.
            if not _live(link) or _age(path) > STARTING_SECONDS:
                return None
            time.sleep(0.3)


def serving_pid(database_url: str) -> int | None:
    """The pid of a live server published for the URL's DuckDB file, without asking it."""
    database = database_file(database_url)
    link = None if database is None else _read(link_file(database))
    return link.pid if link is not None and _live(link) else None


def _read(path: Path) -> ServerLink | None:
    try:
        return ServerLink(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _live(link: ServerLink | None) -> bool:
    if link is None:
        return False
    try:
        os.kill(link.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (it holds the token), atomically."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with suppress(FileNotFoundError):
        partial.unlink()
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(partial, path)
