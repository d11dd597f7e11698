"""``observatory serve``: the web API and map pages, with the settings the CLI was given."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, redact
from observatory.settings import ApiSettings


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Address to bind, overriding OBSERVATORY_HOST (default 127.0.0.1). "
            "Example: --host 0.0.0.0 to accept connections from other machines.",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help="Port to listen on, overriding OBSERVATORY_PORT (default 8000). "
            "Example: --port 8080",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the API and the map pages until Ctrl+C.

    Example: observatory serve --host 0.0.0.0 --port 8000
    """
    cli: CliContext = ctx.obj
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    run_server(cli, cli.api_settings.model_copy(update=overrides))


def run_server(cli: CliContext, api_settings: ApiSettings) -> None:
    """Run uvicorn on the app factory, handing it the settings built at start-up. On an
    embedded DuckDB file the server publishes its link (``server_link``): CLI ingests on the
    same file then run in this process, the file's one writer, while it keeps serving."""
    import uvicorn

    from observatory.app import create_app
    from observatory.cli.server_link import link_file, published

    cli.out.print(
        f"Serving {redact(cli.database_url)} on http://{api_settings.host}:{api_settings.port} "
        "(Ctrl+C stops)",
        markup=False,
    )
    with published(cli.database_url, api_settings.host, api_settings.port) as link:
        if link is not None:
            cli.out.print("`observatory ingest` on this file runs in this server while it "
                          f"serves (link: {link_file(Path(link.database))})", markup=False)
        uvicorn.run(
            partial(create_app, cli.store_settings, api_settings, disclosure=cli.disclosure,
                    boundary=cli.boundary, ingest_token=None if link is None else link.token),
            factory=True,
            host=api_settings.host,
            port=api_settings.port,
        )
