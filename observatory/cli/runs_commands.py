"""``observatory runs`` (the latest ingest runs) and ``observatory runs show ID`` (one run)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote, urlencode

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from observatory.cli.context import CliContext, fail
from observatory.cli.ingest_commands import print_rejects, print_run
from observatory.cli.remote_store import ask, serving
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.store_admin import RUN_RECORD, RUNS, ingest_runs, run_record

SHORT_ID = 12  # 48 random bits: unique among any realistic number of runs

runs_app = typer.Typer(
    help=(
        "List the latest ingest runs, newest first, or show one run with its rejected rows.\n\n"
        "Example: observatory runs --city vienna --limit 5\n\n"
        "Example: observatory runs show 5390b02a"
    ),
    invoke_without_command=True,
)


@runs_app.callback()
def runs(
    ctx: typer.Context,
    city: Annotated[
        str | None,
        typer.Option("--city", help="Only the runs of this city, e.g. --city vienna. "
                     "Default: every city.", show_default=False),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=1, help="How many runs to list, e.g. --limit 50"),
    ] = 20,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    cli: CliContext = ctx.obj
    server = serving(cli)  # a server owning the DuckDB file answers
    if server is not None:
        query = "" if city is None else "?" + urlencode({"city": city})
        found = RUNS.validate_python(ask(server, "GET", f"/runs{query}"))
    else:
        with cli.store() as store:
            found = ingest_runs(store, city)
    if not found:
        cli.out.print(f"No ingest runs{f' for {city}' if city else ''} yet. "
                      "Load a file with: observatory ingest <feed> FILE --city SLUG",
                      markup=False)
        return
    table = Table(title=f"Ingest runs (latest {min(limit, len(found))} of {len(found)})",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    # The id's first characters are enough for `runs show`; never wrapped, so they can be copied.
    table.add_column("id", no_wrap=True)
    table.add_column("city", overflow="fold")
    table.add_column("feed", no_wrap=True)
    table.add_column("source", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("read/\nloaded/\nrejected", justify="right", no_wrap=True)
    table.add_column("started (UTC)", no_wrap=True)
    for run in found[:limit]:
        table.add_row(run.id[:SHORT_ID], run.city, run.feed, Text(run.source_name), run.status,
                      f"{run.rows_read}/{run.rows_loaded}/{run.rows_rejected}",
                      _when(run.started_at))
    cli.out.print(table)


@runs_app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[
        str,
        typer.Argument(help="Id of the run, or its first characters as long as they are "
                       "unique, e.g. 5390b02a", show_default=False),
    ],
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, help="How many rejected rows to show, 0 for all, "
                     "e.g. --limit 0"),
    ] = 50,
) -> None:
    """Show one ingest run: counts, message and its rejected rows (row, column, reason).

    Example: observatory runs show 5390b02a97444c52b013240f1fc94fa9
    """
    cli: CliContext = ctx.obj
    server = serving(cli)
    if server is not None:
        record = RUN_RECORD.validate_python(
            ask(server, "GET", f"/runs/{quote(run_id, safe='')}"))
    else:
        with cli.store() as store:
            try:
                record = run_record(store, run_id)
            except (NotFound, InvalidRequest) as exc:
                raise fail(str(exc), 2) from exc
    run, rejects = record.run, record.rejects
    print_run(cli, run)
    finished = f", finished {_when(run.finished_at)}" if run.finished_at else ""
    cli.out.print(f"  started {_when(run.started_at)}{finished} (UTC)")
    cli.out.print(f"  content hash {run.content_hash}")
    if rejects:
        print_rejects(cli, rejects, limit or None)
    else:
        cli.out.print("  No rejected rows.")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is not None:  # PostGIS answers in the session's zone; DuckDB in UTC
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M")
