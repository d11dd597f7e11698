"""The ``observatory`` command: settings are built here once and handed to every command.

Commands import the heavy layers (database drivers, geopandas, FastAPI) only when they run, so
that ``--help`` answers at once.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from observatory.cli.audit_command import audit
from observatory.cli.bundle_commands import bundle_app
from observatory.cli.compare_command import compare
from observatory.cli.context import CliContext, fail
from observatory.cli.demo_command import demo
from observatory.cli.export_command import export
from observatory.cli.icc_commands import icc_app
from observatory.cli.ingest_commands import ingest_app
from observatory.cli.keys_commands import keys_app
from observatory.cli.levels_command import levels
from observatory.cli.runs_commands import runs_app
from observatory.cli.segregation_command import segregation
from observatory.cli.serve_command import serve
from observatory.cli.spec_commands import spec_app
from observatory.cli.store_commands import compute, init
from observatory.settings import ApiSettings, DisclosureSettings, PrivacySettings, StoreSettings

app = typer.Typer(
    name="observatory",
    help=(
        "Municipal migration-data observatory: load census tables, boundaries, administrative "
        "records, mobile-phone aggregates, events and rasters, compute indicators, draw maps "
        "and serve them.\n\n"
        "Quick start: [bold]observatory demo[/bold] builds a fictional city end to end and "
        "serves it on http://127.0.0.1:8000.\n\n"
        "Settings come from OBSERVATORY_* environment variables (see the README).\n\n"
        "Example: OBSERVATORY_DATA_DIR=/srv/observatory observatory init"
    ),
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def configure(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help=(
                "Store to use, overriding OBSERVATORY_DATABASE_URL. "
                "Example: --database-url duckdb:///data/observatory.duckdb or "
                "--database-url postgresql://observatory:observatory@localhost:5432/observatory"
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    try:
        store_settings = (StoreSettings(database_url=database_url) if database_url
                          else StoreSettings())
        ctx.obj = CliContext(
            store_settings=store_settings,
            api_settings=ApiSettings(),
            disclosure=DisclosureSettings(),
            privacy=PrivacySettings(),
        )
    except ValidationError as exc:
        problems = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        raise fail(f"Bad setting: {problems}", 2) from exc


app.command()(init)
app.add_typer(ingest_app, name="ingest",
              short_help="Load a file into the store as one ingest run (all or nothing).")
app.add_typer(runs_app, name="runs")
app.command()(compute)
app.command()(audit)
app.command(short_help="Show a city's levels, boundary versions and crosswalk checks.")(levels)
app.command(short_help="Print a group's segregation measures and Moran's I of its share.")(
    segregation)
app.command(short_help="Compare cities side by side: ranks, peer groups, report.")(compare)
app.add_typer(icc_app, name="icc",
              short_help="Intercultural Cities (ICC) index: score a questionnaire, compare peers.")
app.add_typer(keys_app, name="keys", short_help="API keys for the web API and their roles.")
app.add_typer(bundle_app, name="bundle",
              short_help="Benchmark bundles: export a city's published values, import a peer's.")
app.command()(demo)
app.command()(serve)
app.command(short_help="Export a district layer (GeoPackage, GeoParquet, GeoJSON, CSV, XLSX).")(
    export)
app.add_typer(spec_app, name="spec",
              short_help="Propose a feed spec for a file: observatory spec infer FILE --city SLUG.")
