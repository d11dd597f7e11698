"""``observatory demo``: the fictional demo city end to end, from files to served maps."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from observatory.cli.context import CliContext, fail
from observatory.cli.ingest_commands import ingest_and_report
from observatory.cli.serve_command import run_server
from observatory.cli.store_commands import compute_and_report, framework_ids
from observatory.settings import PrivacySettings

if TYPE_CHECKING:
    from observatory.demo import DemoCity
    from observatory.store import Store



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
    city: Annotated[
        list[str] | None,
        typer.Option("--city", help="Only this demo city (repeat for several), one of "
                     "demo, demo_town, demo_metro. Example: --city demo. Default: all three.",
                     show_default=False),
    ] = None,
) -> None:
    """Build the fictional demo cities end to end, write their maps and serve them.

    Three cities of clearly different size and diversity: demo (about 600,000 residents),
    demo_town (about 110,000) and demo_metro (about 2.3 million). For each, generates its
    files into <data_dir>/<city>, ingests every feed (boundaries, census tables, population
    raster, service records, mobile-phone towers, incidents, service points), computes every
    indicator framework and writes two maps that open offline into <data_dir>/<city>/maps/
    (the foreign-citizens choropleth and the layered city map); then serves the dashboard and
    API on http://127.0.0.1:8000.

    Without OBSERVATORY_HASH_KEY the service records are hashed with a random one-off key.

    Example: observatory demo

    Example: observatory demo --no-serve --seed 7
    """
    from observatory.cli.demo_maps import INDICATOR
    from observatory.demo import DEMO_CITIES, generate_demo_city

    cli: CliContext = ctx.obj
    plans = {plan.identity().slug: plan for plan in DEMO_CITIES}
    if unknown := sorted(set(city or ()) - plans.keys()):
        raise fail(f"Unknown demo city {', '.join(unknown)}. Fix: use --city with one of "
                   f"{', '.join(plans)}.", 2)
    chosen = [plans[slug] for slug in city] if city else list(DEMO_CITIES)
    if cli.privacy.hash_key is None:
        # A fresh key per run: a key written in the code would be known to everyone.
        key = PrivacySettings.model_validate({"hash_key": secrets.token_urlsafe(32)})
        cli = replace(cli, privacy=key)
        cli.out.print("OBSERVATORY_HASH_KEY is not set: the service records are hashed with a "
                      "random key made for this run only (set it to keep person hashes "
                      "comparable between runs).")
    slugs = []
    with cli.store() as store:
        for plan in chosen:
            slug = plan.identity().slug
            out_dir = cli.store_settings.data_dir / slug
            with cli.out.status(f"Generating the demo city {slug} into {out_dir}…"):
                files = generate_demo_city(out_dir, seed=seed, plan=plan)
            cli.out.print(f"Generated the demo city {files.city.name_en} "
                          f"({files.city.population:,} residents) in {out_dir}", markup=False)
            load_demo_city(cli, store, files, out_dir / "maps")
            slugs.append(slug)

    api = cli.api_settings
    base = f"http://{api.host}:{api.port}"
    cli.out.print("After `observatory serve`:" if not serve else "Served at:")
    for slug in slugs:
        for label, url in (
            ("dashboard", f"{base}/en/cities/{slug}"),
            ("Arabic dashboard", f"{base}/ar/cities/{slug}"),
            ("choropleth", f"{base}/maps/{slug}/{INDICATOR}"),
            ("layered city map", f"{base}/maps/{slug}/layers"),
        ):
            cli.out.print(f"  {slug} {label}: {url}", markup=False)
    cli.out.print(f"  API docs: {base}/docs", markup=False)
    if serve:
        run_server(cli, api)


def load_demo_city(cli: CliContext, store: Store, files: DemoCity, maps_dir: Path) -> None:
    """Ingest every file of one demo city, compute its indicators, score its ICC questionnaire
    and write its two maps."""
    from observatory.cli.demo_maps import INDICATOR, write_choropleth, write_city_map
    from observatory.cli.icc_commands import AREAS
    from observatory.demo.icc import YEARS
    from observatory.services.icc_scores import score_icc

    slug = files.city.slug
    for feed, path, options in demo_feeds(files):
        ingest_and_report(cli, store, feed, path, slug, **options)
    # The spec's city block has no population: the generator knows its census total, which
    # peer groups (over 200,000 inhabitants …) and bundles read.
    store.upsert_city(files.city)
    written = sum(compute_and_report(cli, store, slug, framework_ids())[slug].values())
    cli.out.print(f"Indicators of {slug}: {written} value(s) written", markup=False)
    for year in YEARS:  # the city's ICC questionnaire, answered by its officers
        _, stored = score_icc(store, slug, year, files.icc_answers(year),
                              files.icc_questionnaire, AREAS, cli.disclosure.published_digits)
        cli.out.print(f"ICC scores of {slug}, {year}: {stored} value(s) stored", markup=False)
    with cli.out.status(f"Drawing the maps of {slug}…"):
        choropleth = write_choropleth(cli, store, slug, maps_dir / f"{INDICATOR}.html")
        city_map = write_city_map(cli, store, slug, maps_dir / "city_map.html")
    for label, path in (("Choropleth", choropleth), ("Layered city map", city_map)):
        cli.out.print(f"{label} of {slug} written to {path.resolve()} (opens offline in a "
                      "browser)", markup=False)


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
