"""``observatory compare``: cities side by side among their peers, as a table on the terminal,
CSV or XLSX, or the printable city benchmark report (HTML or PDF, English or Arabic)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail
from observatory.services.peer_groups import PEER_GROUP_HELP


class Format(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"
    pdf = "pdf"


class Language(StrEnum):
    en = "en"
    ar = "ar"


def compare(
    ctx: typer.Context,
    cities: Annotated[str | None, typer.Option(
        "--cities", help="Cities to show, comma-separated slugs, e.g. --cities vienna,berlin; "
        "default: every member of the peer group. The report is the first city's.",
        show_default=False)] = None,
    peer_group: Annotated[str, typer.Option(
        "--peer-group", help=f"The cities ranked together: {PEER_GROUP_HELP}.")] = "all",
    indicators: Annotated[str | None, typer.Option(
        "--indicators", help="Indicator ids, comma-separated, e.g. --indicators "
        "cpi,icc,foreign_residents_share; default: every one a peer holds.",
        show_default=False)] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="e.g. --period 2024; default: per indicator, the latest period most "
        "peers hold.", show_default=False)] = None,
    output_format: Annotated[Format, typer.Option("--format", help="table (terminal), csv, "
                                                  "xlsx, or the report as html or pdf, e.g. "
                                                  "--format pdf.")]
    = Format.table,
    out: Annotated[Path | None, typer.Option(
        "--out", help="File to write, e.g. --out vienna.pdf; csv and html print to the "
        "terminal without it.", dir_okay=False, show_default=False)] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the report and the "
                                           "XLSX sheets, e.g. --lang ar (right to left).")]
    = Language.en,
    min_coverage: Annotated[float, typer.Option(
        "--min-coverage", min=0.0, max=1.0, help="Lower coverage is flagged, not ranked, "
        "e.g. --min-coverage 0.9.")] = 0.8,
) -> None:
    """Compare cities' published indicators: rank, percentile, distance from the peers'
    average and best; incomparable values are flagged (†), external peers marked ◇.

    Examples: observatory compare --cities vienna,berlin,chicago --peer-group over-200k
              observatory compare --cities vienna --format pdf --lang ar --out vienna-ar.pdf
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import COMPARED, CompareOrder, compared_cities
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    if output_format in (Format.xlsx, Format.pdf) and out is None:
        raise fail(f"--format {output_format.value} writes a file. Fix: add --out FILE, e.g. "
                   f"--out comparison.{output_format.value}", 2)
    order = CompareOrder(cities=cities, indicators=indicators, period=period,
                         peer_group=peer_group, min_coverage=min_coverage,
                         format=output_format.value, lang=lang.value,
                         disclosure=settings_values(cli.disclosure))
    answer = answered(cli, "/compare", order, COMPARED,
                      lambda store: compared_cities(store, order))
    if answer.result is None:
        raise fail("The store holds no city. Fix: load one, e.g. observatory demo", 1)
    result, payload = answer.result, answer.payload or b""
    if output_format == Format.table:
        _print_table(cli, result)
        return
    if out is None:
        typer.echo(payload.decode("utf-8-sig"), nl=False)
        return
    out.write_bytes(payload)
    cli.out.print(f"Wrote {out} ({len(payload):,} bytes, {output_format.value}).", markup=False)


def _print_table(cli: CliContext, result: dict) -> None:
    from rich.table import Table

    from observatory.services.comparison_charts import formatted

    shown = [c["slug"] for c in result["cities"]]
    group = result["peer_group"]
    size = group["size"]
    table = Table(title=f"{group['name_en']} ({size} {'city' if size == 1 else 'cities'})")
    table.add_column("indicator", justify="left")
    for slug in shown:
        external = next(c["external"] for c in result["cities"] if c["slug"] == slug)
        table.add_column(slug + (" ◇" if external else ""), justify="right")
    for heading in ("average", "best", "period"):
        table.add_column(heading, justify="right")
    for row in result["indicators"]:
        cells = []
        for slug in shown:
            e = next(v for v in row["values"] if v["city"] == slug)
            text = formatted(e["value"], row["unit"]) if e["value"] is not None else "—"
            if e["rank"] is not None:
                text += f" ({e['rank']}/{row['sample_size']})"
            elif not e["comparable"] and e["value"] is not None:
                text += " † " + ", ".join(f for f in e["flags"] if f != "outside_group")
            elif not e["in_peer_group"] and e["value"] is not None:
                text += " (outside group)"
            cells.append(text)
        table.add_row(row["indicator_id"], *cells,
                      *(formatted(row[k], row["unit"]) if row[k] is not None else "—"
                        for k in ("average", "best")), row["period"] or "—")
    cli.out.print(table)
    cli.out.print("(rank/peers ranked); † not ranked: " + "; ".join(
        f"{key}: {words['en']}" for key, words in result["flags"].items()), markup=False)
