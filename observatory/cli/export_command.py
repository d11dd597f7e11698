"""``observatory export``: a district layer (the areas of a level with one indicator's values
of one period) as GeoPackage, GeoParquet, GeoJSON, CSV or XLSX, or a heat surface as a
Cloud-Optimised GeoTIFF, written where QGIS, R or Excel open it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail


class ExportFormat(StrEnum):
    gpkg = "gpkg"
    parquet = "parquet"
    geojson = "geojson"
    csv = "csv"
    xlsx = "xlsx"
    cog = "cog"


class ExportRole(StrEnum):
    public = "public"
    planner = "planner"
    officer = "officer"


def export(
    ctx: typer.Context,
    city: Annotated[str, typer.Option("--city", help="City slug, e.g. --city vienna.",
                                      show_default=False)],
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="gpkg, parquet (GeoParquet), geojson, csv or xlsx for a district "
        "layer; cog (Cloud-Optimised GeoTIFF) for a heat surface, e.g. --format gpkg.",
        show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="The file to write, e.g. --out "
                                      "vienna.gpkg.", show_default=False)],
    indicator: Annotated[str | None, typer.Option(
        help="The indicator whose values the layer carries, e.g. --indicator "
        "foreign_citizens_share; without it, the areas alone.")] = None,
    level: Annotated[str | None, typer.Option(
        help="A geographic level, e.g. --level planning_area; default: the top.")] = None,
    period: Annotated[str | None, typer.Option(
        help="A period, e.g. --period 2024; default: the indicator's latest.")] = None,
    heat: Annotated[str | None, typer.Option(
        help="With --format cog: the event layer of the heat surface, e.g. --heat fire; "
        "'all' for every incident layer.")] = None,
    role: Annotated[ExportRole, typer.Option(
        help="Whose view to export, e.g. --role officer; the default public view withholds "
        "suppressed values (their rows keep the suppressed flag).")] = ExportRole.public,
) -> None:
    """Write a city's district layer or heat surface as a file.

    Example: observatory export --city vienna --indicator foreign_citizens_share
    --format gpkg --out vienna.gpkg
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import EXPORTED, ExportOrder, exported_file

    if (fmt == ExportFormat.cog) != (heat is not None):
        raise fail("A heat surface is a GeoTIFF and a GeoTIFF is a heat surface: give "
                   "--format cog with --heat LAYER, or another --format with --indicator.", 2)
    cli: CliContext = ctx.obj
    order = ExportOrder(city=city, format=fmt.value, role=role.value, indicator=indicator,
                        level=level, period=period, heat=heat)
    exported = answered(cli, "/export", order, EXPORTED,
                        lambda store: exported_file(store, order))
    out.write_bytes(exported.data)  # the server answers the bytes: the file is written here
    if heat is not None:
        cli.out.print(f"Wrote the heat surface of {heat} of {city} to {out}")
        return
    cli.out.print(f"Wrote {exported.areas} areas of {exported.name} to {out}"
                  + (f" ({exported.withheld} suppressed, withheld)"
                     if exported.withheld and role != "officer" else ""))
