"""``observatory demo``: the fictional demo city end to end, from files to a served map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail
from observatory.cli.ingest_commands import ingest_and_report
from observatory.cli.serve_command import run_server
from observatory.store.base import Store

DEMO_CITY = "demo"
DEMO_INDICATOR = "foreign_citizens_share"


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Serve the API when done (default). Example: --no-serve to stop after writing "
            "the map.",
        ),
    ] = True,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed of the generated city. Example: --seed 7"),
    ] = 2026,
) -> None:
    """Build the fictional demo city end to end, write its map and serve it.

    Generates the city's files into <data_dir>/demo, creates the schema, ingests boundaries and
    census, computes the indicators, writes <data_dir>/demo/maps/foreign_citizens_share.html
    (opens offline) and serves the API on http://127.0.0.1:8000.

    Example: observatory demo

    Example: observatory demo --no-serve --seed 7
    """
    from observatory.demo import generate_demo_city

    cli: CliContext = ctx.obj
    out_dir = cli.store_settings.data_dir / DEMO_CITY
    with cli.out.status(f"Generating the demo city into {out_dir}…"):
        files = generate_demo_city(out_dir, seed=seed)
    cli.out.print(f"Generated the demo city {files.city.name_en} in {out_dir}", markup=False)

    with cli.store() as store:
        ingest_and_report(
            cli, store, "boundaries", files.boundaries, DEMO_CITY, files.boundaries_spec
        )
        ingest_and_report(cli, store, "census", files.census, DEMO_CITY, files.census_spec)
        with cli.out.status("Computing indicators…"):
            from indicators.compute import compute_city

            written = compute_city(store, DEMO_CITY, cli.disclosure)
        cli.out.print(f"Indicators: {written} value(s) written")
        map_path = write_demo_map(cli, store, out_dir / "maps" / f"{DEMO_INDICATOR}.html")

    api = cli.api_settings
    cli.out.print(
        f"Map written to {map_path.resolve()} (open it in a browser, works offline)", markup=False
    )
    url = f"http://{api.host}:{api.port}/maps/{DEMO_CITY}/{DEMO_INDICATOR}"
    if not serve:
        cli.out.print(f"After `observatory serve`, the map is at {url}", markup=False)
        return
    cli.out.print(f"The map is served at {url}", markup=False)
    run_server(cli, api)


def write_demo_map(cli: CliContext, store: Store, path: Path) -> Path:
    """The latest period's choropleth, with its scripts inlined so the file opens offline."""
    from maps.choropleth import choropleth_html
    from observatory.api.indicator_display import indicator_display

    display = indicator_display(DEMO_INDICATOR, "en")  # the same label and format as served
    values = store.indicator_values(DEMO_CITY, DEMO_INDICATOR)
    if values.empty:
        raise fail(f"No {DEMO_INDICATOR} values were computed for the demo city: no map.", 1)
    period = values["period"].max()
    html = choropleth_html(
        store.districts(DEMO_CITY),
        values[values["period"] == period],
        title=f"{display.label}, {period}",
        indicator_label=display.label,
        value_format=display.value_format,
        basemap_url=cli.api_settings.basemap_url,
        basemap_attribution=cli.api_settings.basemap_attribution,
        inline=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
