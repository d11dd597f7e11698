"""The store commands (``init``, ``runs``, ``keys create``) answered by the server that owns the
DuckDB file (``server_link``, ``/internal/store``): the CLI prints what it answers exactly as
it prints a local answer, and a refusal ends the command with the exit code of a local one."""

from __future__ import annotations

from typing import Any

from observatory.cli.context import CliContext, fail
from observatory.cli.server_link import LinkError, ServerLink, find_server

BAD_INPUT = (404, 422)  # the services' NotFound and InvalidRequest: exit 2, as locally


def serving(cli: CliContext) -> ServerLink | None:
    """The live server holding the CLI's DuckDB file, which must run the command; None when
    the command opens the store itself (no server, PostGIS)."""
    return find_server(cli.database_url)


def ask(link: ServerLink, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The server's JSON answer to ``method /internal/store<path>``."""
    try:
        return link.call(method, "/internal/store" + path, body)
    except LinkError as exc:
        if exc.status in BAD_INPUT:
            raise fail(exc.detail, 2) from exc
        raise fail(f"The server of {link.database} refused: {exc}", 1) from exc
    except OSError as exc:
        raise fail(f"The server of {link.database} (pid {link.pid}) did not answer ({exc}); "
                   "run the command again.", 1) from exc
