"""``observatory levels``: a city's geographic levels, boundary versions, crosswalks and roll-up
checks, as a city statistician reviews them after a load."""

from __future__ import annotations

from typing import Annotated

import typer

from observatory.cli.context import CliContext, require_city


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
    from observatory.services.level_checks import level_report

    cli: CliContext = ctx.obj
    with cli.store() as store:
        require_city(store, city)
        report = level_report(store, city)
    out = cli.out
    for level in report.levels:
        rule = (f", parent code = first {level.parent_prefix} characters"
                if level.parent_prefix else
                f", parent code = {level.parent_expression}" if level.parent_expression else "")
        out.print(f"level {level.name} ({level.name_en}) parent "
                  f"{level.parent or '-'}{rule}")
    for row in report.versions.itertuples(index=False):
        end = "now" if pd_missing(row.valid_to) else str(row.valid_to)[:10]
        out.print(f"  boundaries {row.level} {str(row.valid_from)[:10]} to {end}: "
                  f"{row.areas} areas")
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
    for row in report.roll_up.itertuples(index=False):
        failing += int(row.cells) - int(row.equal)
        out.print(f"roll-up {row.source_level} -> {row.level} {row.period}: {row.equal} of "
                  f"{row.cells} cells equal the loaded counts (largest difference "
                  f"{row.max_difference:g})")
    for note in report.notes:
        out.print(f"note: {note}")
    if failing:
        raise typer.Exit(1)


def pd_missing(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))
