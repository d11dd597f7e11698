"""``observatory serve``: the web API and map pages, with the settings the CLI was given."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail, redact
from observatory.settings import ApiSettings, settings_environment


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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes, overriding OBSERVATORY_WORKERS (default 1); more than one "
            "needs PostGIS. Example: --workers 2",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the API and the map pages until Ctrl+C.

    Example: observatory serve --host 0.0.0.0 --port 8000 --workers 2
    """
    cli: CliContext = ctx.obj
    overrides = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items()
                 if v is not None}
    api_settings = cli.api_settings.model_copy(update=overrides)
    if api_settings.workers > 1:
        if not cli.database_url.startswith("postgresql"):
            raise fail(
                f"Cannot serve {redact(cli.database_url)} with {api_settings.workers} workers: "
                "an embedded DuckDB file is opened by one process at a time (the one that "
                "writes it too). Serve it with --workers 1, or move the data to PostGIS "
                "(OBSERVATORY_DATABASE_URL=postgresql://user:pass@host:port/db) for several "
                "workers.", 2)
        run_workers(cli, api_settings)
        return
    run_server(cli, api_settings)


def run_workers(cli: CliContext, api_settings: ApiSettings) -> None:
    """uvicorn's worker processes each build the app from the environment (a process cannot
    be handed objects), so the settings this CLI resolved go there first."""
    import uvicorn

    os.environ.update(settings_environment(cli.store_settings, api_settings, cli.disclosure,
                                           cli.boundary))
    cli.out.print(
        f"Serving {redact(cli.database_url)} on http://{api_settings.host}:{api_settings.port} "
        f"with {api_settings.workers} workers (Ctrl+C stops)",
        markup=False,
    )
    uvicorn.run("observatory.app:create_app", factory=True, host=api_settings.host,
                port=api_settings.port, workers=api_settings.workers)


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
