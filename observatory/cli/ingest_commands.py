"""``observatory ingest boundaries|census``: one file, one ingest run, a report of what landed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from observatory.cli.context import CliContext, fail
from observatory.cli.progress import progress_bar
from observatory.models import IngestRun
from observatory.store.base import Store

SHOWN_REJECTS = 10

ingest_app = typer.Typer(
    help=(
        "Load a source file into the store as one ingest run: all of it lands or none of it, "
        "rejected rows are kept with reasons, and re-running the same file changes nothing.\n\n"
        "Example: observatory ingest boundaries districts.geojson --city vienna --spec "
        "boundaries.yaml"
    ),
    no_args_is_help=True,
)

CityOption = Annotated[
    str,
    typer.Option("--city", help="Slug of the city the file belongs to, e.g. --city vienna."),
]


@ingest_app.command("boundaries")
def boundaries(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="District boundaries: GeoJSON, GeoPackage, Shapefile or zipped Shapefile, "
            "e.g. districts.geojson",
            show_default=False,
        ),
    ],
    city: CityOption,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            exists=True,
            dir_okay=False,
            help="Boundaries feed spec (YAML) naming the code and name columns, e.g. "
            "--spec specs/vienna/boundaries.yaml. Default: columns code, name_en, name_ar.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load district boundaries as a new boundary version of the city (created if new).

    Example: observatory ingest boundaries districts.geojson --city vienna --spec boundaries.yaml
    """
    cli: CliContext = ctx.obj
    with cli.store() as store:
        ingest_and_report(cli, store, "boundaries", file, city, spec)


@ingest_app.command("census")
def census(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Census table: CSV (any delimiter, UTF-8, Windows-1256 or Latin-1) or XLSX, "
            "e.g. population_2025.csv",
            show_default=False,
        ),
    ],
    city: CityOption,
    spec: Annotated[
        Path,
        typer.Option(
            "--spec",
            exists=True,
            dir_okay=False,
            help="Census feed spec (YAML) mapping the district key, period, dimensions and "
            "value columns, e.g. --spec specs/vienna/census.yaml",
            show_default=False,
        ),
    ],
) -> None:
    """Load a census table as observations per district, period, variable and dimensions.

    The city's boundaries must be ingested first.

    Example: observatory ingest census population.csv --city vienna --spec census.yaml
    """
    cli: CliContext = ctx.obj
    with cli.store() as store:
        ingest_and_report(cli, store, "census", file, city, spec)


def ingest_and_report(
    cli: CliContext, store: Store, feed: str, path: Path, city: str, spec: Path | None
) -> IngestRun:
    """Run one ingest job with a progress bar and print its run report.

    An ``IngestError`` (bad input) ends the command with exit code 2 and the error's message,
    which names the file, row, column and fix; a failed run ends it with exit code 1.
    """
    from ingest import jobs
    from ingest.errors import IngestError

    job = jobs.ingest_boundaries if feed == "boundaries" else jobs.ingest_census
    # A first ingest into a new store must not fail for want of `observatory init`.
    applied = store.init_schema()
    if applied:
        cli.out.print(f"Created the schema: {', '.join(applied)}")
    try:
        with progress_bar(cli.out, f"Ingesting {feed}") as progress:
            run = job(store, path, city, spec, progress=progress)
    except IngestError as exc:
        raise fail(str(exc), 2) from exc
    _print_run(cli, store, run)
    if run.status == "failed":
        raise typer.Exit(1)
    return run


def _print_run(cli: CliContext, store: Store, run: IngestRun) -> None:
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
    if run.rows_rejected and run.status != "unchanged":
        _print_rejects(cli, store, run)


def _print_rejects(cli: CliContext, store: Store, run: IngestRun) -> None:
    rejects = store.rejected_rows(run.id)
    shown = rejects[:SHOWN_REJECTS]
    table = Table(title=f"Rejected rows (first {len(shown)} of {len(rejects)})")
    for heading in ("row", "column", "reason"):
        table.add_column(heading)
    for reject in shown:
        # Text(), not markup: reasons quote raw input, which may contain brackets.
        row = str(reject.row_number or "—")
        table.add_row(row, Text(reject.column or "—"), Text(reject.reason))
    cli.out.print(table)
