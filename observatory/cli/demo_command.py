"""``observatory demo``: the fictional demo city end to end, from files to served maps."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from observatory.cli.context import CliContext
from observatory.cli.demo_maps import INDICATOR, write_choropleth, write_city_map
from observatory.cli.ingest_commands import ingest_and_report
from observatory.cli.serve_command import run_server
from observatory.cli.store_commands import compute_and_report, framework_ids
from observatory.settings import PrivacySettings

if TYPE_CHECKING:
    from observatory.demo import DemoCity

DEMO_CITY = "demo"


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Serve the API when done (default). Example: --no-serve to stop after writing "
            "the maps.",
        ),
    ] = True,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed of the generated city. Example: --seed 7"),
    ] = 2026,
) -> None:
    """Build the fictional demo city end to end, write its maps and serve them.

    Generates the city's files into <data_dir>/demo, creates the schema, ingests every feed
    (boundaries, census tables, population raster, service records, mobile-phone towers,
    incidents, service points), computes every indicator framework, writes two maps that open
    offline into <data_dir>/demo/maps/ (the foreign-citizens choropleth and the layered city
    map) and serves the dashboard and API on http://127.0.0.1:8000.

    Without OBSERVATORY_HASH_KEY the service records are hashed with a random one-off key.

    Example: observatory demo

    Example: observatory demo --no-serve --seed 7
    """
    from observatory.demo import generate_demo_city

    cli: CliContext = ctx.obj
    out_dir = cli.store_settings.data_dir / DEMO_CITY
    with cli.out.status(f"Generating the demo city into {out_dir}…"):
        files = generate_demo_city(out_dir, seed=seed)
    cli.out.print(f"Generated the demo city {files.city.name_en} in {out_dir}", markup=False)
    if cli.privacy.hash_key is None:
        # A fresh key per run: a key written in the code would be known to everyone.
        key = PrivacySettings.model_validate({"hash_key": secrets.token_urlsafe(32)})
        cli = replace(cli, privacy=key)
        cli.out.print("OBSERVATORY_HASH_KEY is not set: the service records are hashed with a "
                      "random key made for this run only (set it to keep person hashes "
                      "comparable between runs).")

    with cli.store() as store:
        for feed, path, options in demo_feeds(files):
            ingest_and_report(cli, store, feed, path, DEMO_CITY, **options)
        written = compute_and_report(cli, store, DEMO_CITY, framework_ids())
        cli.out.print(f"Indicators: {written} value(s) written")
        maps_dir = out_dir / "maps"
        with cli.out.status("Drawing the maps…"):
            choropleth = write_choropleth(cli, store, DEMO_CITY, maps_dir / f"{INDICATOR}.html")
            city_map = write_city_map(cli, store, DEMO_CITY, maps_dir / "city_map.html")

    for label, path in (("Choropleth", choropleth), ("Layered city map", city_map)):
        cli.out.print(f"{label} written to {path.resolve()} (opens offline in a browser)",
                      markup=False)
    api = cli.api_settings
    base = f"http://{api.host}:{api.port}"
    cli.out.print("After `observatory serve`:" if not serve else "Served at:")
    for label, url in (
        ("dashboard", f"{base}/en/cities/{DEMO_CITY}"),
        ("Arabic dashboard", f"{base}/ar/cities/{DEMO_CITY}"),
        ("choropleth", f"{base}/maps/{DEMO_CITY}/{INDICATOR}"),
        ("layered city map", f"{base}/maps/{DEMO_CITY}/layers"),
        ("API docs", f"{base}/docs"),
    ):
        cli.out.print(f"  {label}: {url}", markup=False)
    if serve:
        run_server(cli, api)


def demo_feeds(files: DemoCity) -> list[tuple[str, Path, dict[str, Any]]]:
    """(feed, file, job options) of every demo file, in an order that works: boundaries first,
    then the population (census, raster), then the rest."""
    from observatory.demo.census import YEARS

    return [
        ("boundaries", files.boundaries, {"spec_path": files.boundaries_spec}),
        *(("census", table, {"spec_path": spec}) for table, spec in files.census_tables),
        # The raster shows the population of the latest census year; its name has no year.
        ("raster", files.population_raster, {"period": str(YEARS[-1])}),
        ("admin", files.service_records, {"spec_path": files.service_records_spec}),
        ("cdr", files.towers, {"spec_path": files.towers_spec}),
        ("events", files.incidents, {"spec_path": files.incidents_spec}),
        ("events", files.service_points, {"spec_path": files.service_points_spec}),
        ("points", files.service_requests, {"spec_path": files.service_requests_spec}),
    ]
