"""``observatory ingest <feed>``: one file, one ingest run, a report of what landed.

Every feed goes through one dispatch, ``ingest_and_report``: the ``FEEDS`` table says which job
runs and which of the CLI's settings it receives.
"""

# No ``from __future__ import annotations``: the commands made by ``_spec_command`` carry their
# help texts in their annotations, which Typer must see as objects, not as strings.

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from observatory.cli.context import CliContext, fail
from observatory.cli.progress import progress_bar
from observatory.models import IngestRun, RejectedRow
from observatory.store.base import Store

SHOWN_REJECTS = 10


@dataclass(frozen=True)
class Feed:
    """One ``observatory ingest`` subcommand: the job it runs and how it explains itself."""

    job: str  # "module:function", imported only when the feed runs, so --help stays fast
    summary: str
    file_help: str
    spec_help: str = ""
    example: str = ""
    settings: tuple[str, ...] = ()  # CliContext attributes handed to the job as keywords

    def load(self) -> Any:
        module, function = self.job.split(":")
        return getattr(import_module(module), function)


FEEDS: dict[str, Feed] = {
    "boundaries": Feed(
        "ingest.jobs:ingest_boundaries",
        "Load district boundaries as a new boundary version of the city (created if new).",
        "District boundaries: GeoJSON, GeoPackage, Shapefile or zipped Shapefile, "
        "e.g. districts.geojson",
        "Boundaries feed spec (YAML) naming the code and name columns, e.g. "
        "--spec specs/vienna/boundaries.yaml. Default: the spec shipped for the city, else "
        "columns code, name_en, name_ar.",
        "observatory ingest boundaries districts.geojson --city vienna --spec boundaries.yaml",
    ),
    "census": Feed(
        "ingest.jobs:ingest_census",
        "Load a census table as observations per district, period, variable and dimensions.",
        "Census table: CSV (any delimiter, UTF-8, Windows-1256 or Latin-1) or XLSX, "
        "e.g. population_2025.csv",
        "Census feed spec (YAML) mapping the district key, period, dimensions and value "
        "columns, e.g. --spec specs/vienna/census.yaml",
        "observatory ingest census population.csv --city vienna --spec census.yaml",
    ),
    "admin": Feed(
        "ingest.jobs:ingest_admin",
        "Load administrative records with personal data (service records) as counts per "
        "district, month, service area and nationality group. Person identifiers are replaced "
        "by a keyed hash (OBSERVATORY_HASH_KEY must be set), names and document numbers are "
        "dropped.",
        "Administrative records: CSV or XLSX, one row per record, e.g. service_records.csv",
        "Admin feed spec (YAML) naming the identifier, personal, district, nationality and date "
        "columns, e.g. --spec service_records_spec.yaml",
        "OBSERVATORY_HASH_KEY=… observatory ingest admin service_records.csv --city demo "
        "--spec service_records_spec.yaml",
        settings=("privacy", "disclosure"),
    ),
    "cdr": Feed(
        "ingest.jobs:ingest_towers",
        "Load mobile-phone tower aggregates (call detail records summed per site and day) as "
        "observations per district and period; small counts are redacted.",
        "Tower aggregates: CSV or Parquet with site, lon, lat, date, metric and count columns, "
        "e.g. towers.csv",
        "Towers feed spec (YAML) naming the columns, metrics and dimensions, e.g. "
        "--spec towers_spec.yaml",
        "observatory ingest cdr towers.csv --city demo --spec towers_spec.yaml",
        settings=("disclosure",),
    ),
    "points": Feed(
        "ingest.jobs:ingest_points",
        "Load geotagged points (posts, sensor hits, service requests) as counts per district, "
        "period and category; small counts are redacted unless the spec says redact: false.",
        "Points: CSV or Parquet with lon, lat and time columns, e.g. requests.csv",
        "Points feed spec (YAML) naming the columns, the variable and the dimensions, e.g. "
        "--spec requests_spec.yaml",
        "observatory ingest points requests.csv --city demo --spec requests_spec.yaml",
        settings=("disclosure",),
    ),
    "events": Feed(
        "ingest.jobs:ingest_events",
        "Load point events (fire, waste, carjacking, service points…) into the event layers "
        "the heat maps and the layered city map show.",
        "Events: GeoJSON, GeoPackage, Shapefile, CSV or XLSX, e.g. incidents.geojson",
        "Events feed spec (YAML) naming the layer, time, point and attribute columns, e.g. "
        "--spec incidents_spec.yaml",
        "observatory ingest events incidents.geojson --city demo --spec incidents_spec.yaml",
    ),
    "raster": Feed(
        "ingest.raster_job:ingest_raster",
        "Load a population raster (GeoTIFF) as per-district sums and population-weighted "
        "centres.",
        "Population raster: GeoTIFF of persons per pixel, e.g. population_2025.tif",
        example="observatory ingest raster population.tif --city demo --period 2025",
    ),
}

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


def _file_argument(feed: Feed) -> Any:
    return typer.Argument(exists=True, dir_okay=False, help=feed.file_help, show_default=False)


def _spec_option(feed: Feed) -> Any:
    return typer.Option("--spec", exists=True, dir_okay=False, help=feed.spec_help,
                        show_default=False)


def _help(feed: Feed) -> str:
    needs = "" if feed is FEEDS["boundaries"] else (
        "\n\nThe city's boundaries must be ingested first.")
    return f"{feed.summary}{needs}\n\nExample: {feed.example}"


def _spec_command(name: str) -> None:
    """Register ``observatory ingest <name> FILE --city SLUG --spec SPEC``."""
    feed = FEEDS[name]

    def command(
        ctx: typer.Context,
        file: Annotated[Path, _file_argument(feed)],
        city: CityOption,
        spec: Annotated[Path, _spec_option(feed)],
    ) -> None:
        cli: CliContext = ctx.obj
        with cli.store() as store:
            ingest_and_report(cli, store, name, file, city, spec_path=spec)

    ingest_app.command(name, help=_help(feed))(command)


@ingest_app.command("boundaries", help=_help(FEEDS["boundaries"]))
def boundaries(
    ctx: typer.Context,
    file: Annotated[Path, _file_argument(FEEDS["boundaries"])],
    city: CityOption,
    spec: Annotated[Path | None, _spec_option(FEEDS["boundaries"])] = None,
) -> None:
    cli: CliContext = ctx.obj
    with cli.store() as store:
        ingest_and_report(cli, store, "boundaries", file, city, spec_path=spec)


for _name in ("census", "admin", "cdr", "points", "events"):
    _spec_command(_name)


@ingest_app.command("raster", help=_help(FEEDS["raster"]))
def raster(
    ctx: typer.Context,
    file: Annotated[Path, _file_argument(FEEDS["raster"])],
    city: CityOption,
    variable: Annotated[
        str,
        typer.Option("--variable", help="Observation variable the pixel values sum to, e.g. "
                     "--variable population"),
    ] = "population",
    period: Annotated[
        str | None,
        typer.Option("--period", help="Period of the raster, e.g. --period 2025. Default: the "
                     "4-digit year in the file name.", show_default=False),
    ] = None,
) -> None:
    cli: CliContext = ctx.obj
    with cli.store() as store:
        ingest_and_report(cli, store, "raster", file, city, variable=variable, period=period)


def ingest_and_report(
    cli: CliContext, store: Store, feed: str, path: Path, city: str, **options: Any
) -> IngestRun:
    """Run the job of ``feed`` (a key of ``FEEDS``) with a progress bar and print its report.

    ``options`` go to the job as keywords (``spec_path``, or the raster's ``variable`` and
    ``period``). An ``IngestError`` (bad input) ends the command with exit code 2 and the
    error's message, which names the file, row, column and fix; a failed run ends it with
    exit code 1.
    """
    from ingest.errors import IngestError

    spec = FEEDS[feed]
    job = spec.load()
    settings = {name: getattr(cli, name) for name in spec.settings}
    # A first ingest into a new store must not fail for want of `observatory init`.
    applied = store.init_schema()
    if applied:
        cli.out.print(f"Created the schema: {', '.join(applied)}")
    try:
        with progress_bar(cli.out, f"Ingesting {feed} {path.name}") as progress:
            run = job(store, path, city, progress=progress, **settings, **options)
    except IngestError as exc:
        raise fail(str(exc), 2) from exc
    print_run(cli, run)
    if run.rows_rejected and run.status != "unchanged":
        print_rejects(cli, store.rejected_rows(run.id), SHOWN_REJECTS)
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
