"""The store and city commands (``init``, ``runs``, ``keys create``, ``audit``, ``levels``…)
answered by the server that owns the DuckDB file (``server_link``, ``/internal/store``): the CLI
prints what it answers exactly as it prints a local answer, and a refusal ends the command with
the exit code of a local one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from observatory.cli.context import CliContext, fail
from observatory.cli.server_link import LinkError, ServerLink, find_server
from observatory.services.errors import ServiceError
from observatory.store.base import Store

T = TypeVar("T")

BAD_INPUT = (404, 422)  # the services' NotFound and InvalidRequest: exit 2, as locally


def serving(cli: CliContext) -> ServerLink | None:
    """The live server holding the CLI's DuckDB file, which must run the command; None when
    the command opens the store itself (no server, PostGIS)."""
    return find_server(cli.database_url)


def ask(link: ServerLink, method: str, path: str, body: dict[str, Any] | None = None,
        timeout: float | None = 30.0) -> Any:
    """The server's JSON answer to ``method /internal/store<path>``; ``timeout`` None waits as
    long as the command takes (an audit or an export of a large city takes minutes)."""
    try:
        return link.call(method, "/internal/store" + path, body, timeout=timeout)
    except LinkError as exc:
        if exc.status in BAD_INPUT:
            raise fail(exc.detail, 2) from exc
        raise fail(f"The server of {link.database} refused: {exc}", 1) from exc
    except OSError as exc:
        raise fail(f"The server of {link.database} (pid {link.pid}) did not answer ({exc}); "
                   "run the command again.", 1) from exc


def answered(cli: CliContext, path: str, order: BaseModel, adapter: TypeAdapter[T],
             direct: Callable[[Store], T]) -> T:
    """``direct`` on the store, or the answer of the server owning the DuckDB file to
    ``POST /internal/store<path>`` with ``order`` (which runs the same service); a service's
    refusal ends the command with exit 2 both ways."""
    server = serving(cli)
    if server is not None:
        return adapter.validate_python(ask(server, "POST", path, order.model_dump(mode="json"),
                                           timeout=None))
    with cli.store() as store:
        try:
            return direct(store)
        except ServiceError as exc:
            raise fail(str(exc), 2) from exc
