"""Commands that work on the store as a whole: ``init`` and ``compute``."""

from __future__ import annotations

from typing import Annotated

import typer

from indicators.framework_files import framework_names
from observatory.cli.context import CliContext, fail, redact
from observatory.cli.server_link import ServerLink, find_server
from observatory.services.compute_runs import (
    Computed,
    ComputeOrder,
    ComputeProblem,
    compute_cities,
)
from observatory.store.base import Store


def init(ctx: typer.Context) -> None:
    """Create the store schema, or upgrade it by applying the SQL files not yet applied.

    Safe to repeat: a second run applies nothing.

    Example: observatory init

    Example: observatory --database-url postgresql://obs:secret@localhost:5432/observatory init
    """
    from observatory.cli.remote_store import ask, serving
    from observatory.services.store_admin import INITIALISED, initialise

    cli: CliContext = ctx.obj
    server = serving(cli)  # a server owning the DuckDB file applies them
    if server is not None:
        done = INITIALISED.validate_python(ask(server, "POST", "/init"))
    else:
        with cli.store() as store:
            done = initialise(store)
    cli.out.print(f"Store: {redact(cli.database_url)} ({done.backend})")
    if done.applied:
        cli.out.print(f"Applied {len(done.applied)} schema file(s): {', '.join(done.applied)}")
    else:
        cli.out.print("Schema is up to date: nothing to apply.")


def framework_ids() -> list[str]:
    """Every framework id. Parsing the definitions is left to the commands that need them: done
    at import it slowed every ``--help``, which lists the frameworks by file name instead."""
    from indicators.definitions import load_frameworks

    return list(load_frameworks())


def compute(
    ctx: typer.Context,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            help="Slug of the city to compute, e.g. --city vienna. "
            "Default: every city in the store.",
            show_default=False,
        ),
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help=f"Only this framework, one of: {', '.join(framework_names())}; "
            "e.g. --framework cpi. "
            "Default: all of them.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compute the indicators (e.g. foreign_citizens_share) per district and for the city.

    Prints the values written per framework. Small counts are suppressed following
    OBSERVATORY_MIN_COUNT.

    Example: observatory compute --city vienna

    Example: observatory compute --framework cpi
    """
    cli: CliContext = ctx.obj
    frameworks = framework_ids()
    if framework is not None and framework not in frameworks:
        raise fail(f"Unknown framework {framework!r}. Fix: use one of {', '.join(frameworks)}.",
                   2)
    chosen = [framework] if framework else frameworks
    server = find_server(cli.database_url)  # a server owning the DuckDB file computes
    if server is not None:
        compute_through_server(cli, server, city, chosen)
        return
    with cli.store() as store:
        compute_and_report(cli, store, city, chosen)


def compute_and_report(cli: CliContext, store: Store, city: str | None,
                       frameworks: list[str]) -> Computed:
    """Compute the frameworks for the city (every city when None), printing the values written
    per city and framework. A release the disclosure audit refuses stores nothing for its city
    and fails (exit 1)."""
    def starting(slug: str) -> None:
        progress.update(f"Computing {', '.join(frameworks)} for {slug}…")

    with cli.out.status("Computing…") as progress:
        try:
            computed = compute_cities(store, city, frameworks, cli.disclosure, starting)
        except ComputeProblem as exc:
            _print_computed(cli, exc.computed, frameworks)
            raise fail(str(exc), 1) from exc
    _print_computed(cli, computed, frameworks)
    return computed


def compute_through_server(cli: CliContext, server: ServerLink, city: str | None,
                           frameworks: list[str]) -> None:
    """``compute_and_report`` run by the server that owns the DuckDB file: the same report and
    exit codes."""
    from observatory.cli.progress import progress_bar
    from observatory.cli.remote_ingest import compute_through
    from observatory.services.ingest_jobs import settings_values

    order = ComputeOrder(city=city, frameworks=frameworks,
                         disclosure=settings_values(cli.disclosure))
    cli.out.print(f"The server on {server.base_url} (pid {server.pid}) holds {server.database}: "
                  "it computes.", markup=False)
    with progress_bar(cli.out, "Computing") as progress:
        status = compute_through(server, order, progress)
    _print_computed(cli, status.computed or {}, frameworks)
    if status.exit_code:
        raise fail(status.message, status.exit_code)


def _print_computed(cli: CliContext, computed: Computed, frameworks: list[str]) -> None:
    for slug, written in computed.items():
        for framework in frameworks:
            cli.out.print(f"{slug}: {framework}: {written.get(framework, 0)} indicator value(s) "
                          "written")
