"""``observatory ingest <feed>``: one file, one ingest run, a report of what landed.

The sub-commands are made from the feed registry (``ingest.feeds``): one per family, with its
help texts and its options (a spec, or the raster's ``--variable`` and ``--period``). Every feed
runs one job (``services.ingest_jobs.run_ingest``): here, through ``ingest_and_report``, or in the
server that holds the DuckDB file (``ingest_through_server``), with one report.
"""

# No ``from __future__ import annotations``: the commands carry their help texts in their
# annotations, which Typer must see as objects, not as strings.

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ingest.feeds import FAMILIES, family
from ingest.feeds.family import FeedFamily
from observatory.cli.context import CliContext, fail
from observatory.cli.progress import progress_bar
from observatory.cli.server_link import ServerLink, find_server
from observatory.models import IngestRun, RejectedRow
from observatory.services.ingest_jobs import IngestOutcome, run_ingest
from observatory.store.base import Store

SHOWN_REJECTS = 10

ingest_app = typer.Typer(
    help=(
        "Load a source file into the store as one ingest run: all of it lands or none of it, "
        "rejected rows are kept with reasons, and re-running the same file changes nothing. "
        "Feed specs are described in docs/ingest.md.\n\n"
        "Example: observatory ingest boundaries districts.geojson --city vienna --spec "
        "boundaries.yaml"
    ),
    no_args_is_help=True,
)

CityOption = Annotated[
    str,
    typer.Option("--city", help="Slug of the city the file belongs to, e.g. --city vienna."),
]


def _help(feed: FeedFamily) -> str:
    needs = "\n\nThe city's boundaries must be ingested first." if feed.needs_districts else ""
    return f"{feed.help.summary}{needs}\n\nExample: {feed.help.example}"


def _parameters(feed: FeedFamily) -> list[inspect.Parameter]:
    """``ctx``, ``FILE`` and ``--city``, then ``--spec`` and the feed's own options."""
    def keyword(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                 default=default)

    # A partitioned input (a folder, a glob) is checked by the feed, which names what it found.
    file = typer.Argument(exists=not feed.partitioned_input,
                          dir_okay=feed.partitioned_input, help=feed.help.file_help,
                          show_default=False)
    parameters = [keyword("ctx", typer.Context), keyword("file", Annotated[Path, file]),
                  keyword("city", CityOption)]
    if feed.takes_spec != "none":
        spec = typer.Option("--spec", exists=True, dir_okay=False, help=feed.help.spec_help,
                            show_default=False)
        if feed.takes_spec == "optional":
            parameters.append(keyword("spec_path", Annotated[Path | None, spec], None))
        else:
            parameters.append(keyword("spec_path", Annotated[Path, spec]))
    for option in feed.cli_options:
        if option.switch:
            parameters.append(keyword(option.name, Annotated[bool, typer.Option(
                option.flag, help=option.help, show_default=False)], False))
            continue
        typed = Annotated[str | None, typer.Option(option.flag, help=option.help,
                                                   show_default=option.default is not None)]
        parameters.append(keyword(option.name, typed, option.default))
    dry = typer.Option("--dry-run", show_default=False,
                       help="Show what would load and every row that would be rejected; write "
                       "nothing. Example: --dry-run")
    parameters.append(keyword("dry_run", Annotated[bool, dry], False))
    return parameters


def _add_command(feed: FeedFamily) -> None:
    """Register ``observatory ingest <feed> FILE --city SLUG [--spec SPEC | options]``."""
    def command(ctx: typer.Context, file: Path, city: str, dry_run: bool = False,
                **options: Any) -> None:
        cli: CliContext = ctx.obj
        if dry_run:
            from observatory.cli.dry_run_report import dry_run_and_report

            dry_run_and_report(cli, feed.name, file, city, **options)
            return
        server = find_server(cli.database_url)  # a server owning the DuckDB file takes it
        if server is not None:
            ingest_through_server(cli, server, feed.name, file, city, **options)
            return
        with cli.store() as store:
            ingest_and_report(cli, store, feed.name, file, city, **options)

    command.__signature__ = inspect.Signature(_parameters(feed))  # type: ignore[attr-defined]
    ingest_app.command(feed.name, help=_help(feed))(command)


for _feed in FAMILIES:
    _add_command(_feed)


def ingest_and_report(
    cli: CliContext, store: Store, feed: str, path: Path, city: str, **options: Any
) -> IngestRun:
    """Run ``feed`` (a name in ``ingest.feeds``) with a progress bar and print its report.

    ``options`` go to the job as keywords (``spec_path``, or the raster's ``variable`` and
    ``period``). An ``IngestError`` (bad input) ends the command with exit code 2 and the
    error's message, which names the file, row, column and fix; a failed run ends it with
    exit code 1.
    """
    from ingest.errors import IngestError

    settings = {name: getattr(cli, name) for name in family(feed).settings}
    try:
        with progress_bar(cli.out, f"Ingesting {feed} {path.name}") as progress:
            outcome = run_ingest(store, feed, path, city, settings=settings, progress=progress,
                                 **options)
    except IngestError as exc:
        raise fail(str(exc), 2) from exc
    return report(cli, outcome)


def ingest_through_server(
    cli: CliContext, server: ServerLink, feed: str, path: Path, city: str, **options: Any
) -> IngestRun:
    """``ingest_and_report`` run by the server that owns the DuckDB file: the same job, the
    same report and exit codes."""
    from observatory.cli.remote_ingest import ingest_through, order_for

    order = order_for(cli, feed, path, city, **options)
    cli.out.print(f"The server on {server.base_url} (pid {server.pid}) holds {server.database}: "
                  "it runs this ingest.", markup=False)
    with progress_bar(cli.out, f"Ingesting {feed} {path.name}") as progress:
        outcome = ingest_through(server, order, progress)
    return report(cli, outcome)


def report(cli: CliContext, outcome: IngestOutcome) -> IngestRun:
    """Print what an ingest did; a failed run ends the command with exit code 1."""
    if outcome.schema_applied:
        cli.out.print(f"Created the schema: {', '.join(outcome.schema_applied)}")
    run = outcome.run
    print_run(cli, run)
    if outcome.rejected:
        print_rejects(cli, outcome.rejected, SHOWN_REJECTS)
    if run.status == "failed":
        raise typer.Exit(1)
    return run


def print_run(cli: CliContext, run: IngestRun) -> None:
    colour = {"succeeded": "green", "unchanged": "cyan", "failed": "red"}.get(run.status, "yellow")
    cli.out.print(
        f"Ingest run {run.id}: {run.feed} of {run.source_name} for {run.city}", markup=False
    )
    cli.out.print(
        f"  status [{colour}]{run.status}[/{colour}], rows read {run.rows_read}, "
        f"loaded {run.rows_loaded}, rejected {run.rows_rejected}"
    )
    if run.message:
        cli.out.print(f"  {run.message}", markup=False)


def print_rejects(cli: CliContext, rejects: list[RejectedRow], limit: int | None) -> None:
    """The first ``limit`` rejected rows (all when ``limit`` is None) as a table."""
    shown = rejects if limit is None else rejects[:limit]
    table = Table(title=f"Rejected rows (first {len(shown)} of {len(rejects)})")
    for heading in ("row", "column", "reason"):
        table.add_column(heading)
    for reject in shown:
        # Text(), not markup: reasons quote raw input, which may contain brackets.
        row = str(reject.row_number or "—")
        table.add_row(row, Text(reject.column or "—"), Text(reject.reason))
    cli.out.print(table)
