"""``observatory serve``: the web API and map pages, with the settings the CLI was given."""

from __future__ import annotations

from functools import partial
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
    """Run uvicorn on the app factory, handing it the settings built at start-up."""
    import uvicorn

    from observatory.app import create_app

    cli.out.print(
        f"Serving {redact(cli.database_url)} on http://{api_settings.host}:{api_settings.port} "
        "(Ctrl+C stops)",
        markup=False,
    )
    uvicorn.run(
        partial(create_app, cli.store_settings, api_settings),
        factory=True,
        host=api_settings.host,
        port=api_settings.port,
    )
