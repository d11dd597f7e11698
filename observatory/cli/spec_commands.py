"""``observatory spec infer``: a feed spec proposed for a file, each choice with its reason."""

# No ``from __future__ import annotations``: Typer reads the help texts from the annotations.

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from observatory.cli.context import CliContext

spec_app = typer.Typer(
    help=("Feed specs: propose one for a file (format, header, district column, period, "
          "values), to check and correct before `observatory ingest`.\n\n"
          "Example: observatory spec infer population.csv --city vienna --out census.yaml"),
    no_args_is_help=True,
)


@spec_app.command("infer")
def infer(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, show_default=False,
        help="The file to read, e.g. population.csv, districts.geojson or records.xlsx.")],
    city: Annotated[str, typer.Option(
        "--city", help="The city whose districts the file is matched against, e.g. --city "
        "vienna.")],
    feed: Annotated[str | None, typer.Option(
        "--feed", show_default=False, help="The feed to propose a spec for (census, admin, "
        "boundaries, events, cdr); default: the one the file looks like. Example: --feed admin")
    ] = None,
    period: Annotated[str | None, typer.Option(
        "--period", show_default=False, help="The period of a file that states none, e.g. "
        "--period 2023 (a date for a list of places).")] = None,
    codes_from: Annotated[Path | None, typer.Option(
        "--codes-from", exists=True, dir_okay=False, show_default=False,
        help="A table of the city whose district codes a boundary layer's areas must carry "
        "(found as a column or arithmetic over one), e.g. --codes-from population.csv.")
    ] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", dir_okay=False, show_default=False,
        help="Write the spec to this file as well, e.g. --out census.yaml.")] = None,
) -> None:
    """Propose a feed spec for FILE: print it as YAML with a comment per choice saying why.

    Example: observatory spec infer t1-districts.csv --city berlin --period 2023
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import INFERRED, SpecOrder, proposed_spec

    cli: CliContext = ctx.obj
    order = SpecOrder(city=city, file=file.resolve(), feed=feed, period=period,
                      codes_from=None if codes_from is None else codes_from.resolve())
    found = answered(cli, "/spec/infer", order, INFERRED,
                     lambda store: proposed_spec(store, order))
    cli.out.print(Text(found.yaml), end="")
    for note in found.notes:
        cli.out.print(Text(f"Note: {note}", style="yellow"))
    if out is not None:
        out.write_text(found.yaml, encoding="utf-8")
        cli.out.print(Text(f"Wrote {out}"))
