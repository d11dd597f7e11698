"""``observatory levels``: a city's geographic levels, boundary versions, crosswalks and roll-up
checks, as a city statistician reviews them after a load."""

from __future__ import annotations

from typing import Annotated

import typer

from observatory.cli.context import CliContext


def levels(
    ctx: typer.Context,
    city: Annotated[str, typer.Option("--city", help="City slug, e.g. --city berlin.",
                                      show_default=False)],
) -> None:
    """Show a city's levels and boundary versions, what the crosswalk carries from each ended
    version (areas split, totals before and after), and whether counts loaded at a level
    equal the sums of a finer level's. Exits 1 if any such sum differs.

    Example: observatory levels --city berlin
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import LEVELS, CityOrder, level_summary

    cli: CliContext = ctx.obj
    report = answered(cli, "/levels", CityOrder(city=city), LEVELS,
                      lambda store: level_summary(store, city))
    out = cli.out
    for level in report.levels:
        rule = (f", parent code = first {level.parent_prefix} characters"
                if level.parent_prefix else
                f", parent code = {level.parent_expression}" if level.parent_expression else "")
        out.print(f"level {level.name} ({level.name_en}) parent "
                  f"{level.parent or '-'}{rule}")
    for version in report.versions:
        out.print(f"  boundaries {version.level} {version.valid_from} to "
                  f"{version.valid_to or 'now'}: {version.areas} areas")
    for line in report.nesting:
        out.print(f"nesting: {line}")
    for carried in report.carried:
        out.print(f"crosswalk {carried.from_level} {carried.from_version} -> {carried.to_level} "
                  f"{carried.to_version} ({carried.method}): {carried.sources} areas onto "
                  f"{carried.targets}, {len(carried.split)} split: {', '.join(carried.split)}")
        for period, variable, before, after in carried.totals:
            out.print(f"  {period} {variable}: {before:,.3f} before, {after:,.3f} after "
                      f"(difference {after - before:.3g})")
    failing = 0
    for row in report.roll_up:
        failing += row.cells - row.equal
        out.print(f"roll-up {row.source_level} -> {row.level} {row.period}: {row.equal} of "
                  f"{row.cells} cells equal the loaded counts (largest difference "
                  f"{row.max_difference:g})")
    for note in report.notes:
        out.print(f"note: {note}")
    if failing:
        raise typer.Exit(1)
