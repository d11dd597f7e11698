"""``observatory audit``: prove that no suppressed value of a city can be derived."""

from __future__ import annotations

from typing import Annotated

import typer

from observatory.cli.context import CliContext


def audit(
    ctx: typer.Context,
    city: Annotated[str, typer.Option("--city", help="City slug, e.g. --city demo.",
                                      show_default=False)],
) -> None:
    """Audit a city's published indicator values for disclosure (methodology §7).

    For every suppressed count, prints the interval that the published values and the
    table's relations (districts sum to the city, groups to their district, a share of several
    groups to its groups) still allow an attacker who knows every denominator, and whether it
    is at least the protection range wide (OBSERVATORY_PROTECTION_RANGE, default
    OBSERVATORY_MIN_COUNT persons). Exits 1 if any is not. The counts of rates of events and of
    phone estimates (subscribers) are counted on lines of their own, then all together.

    Example: observatory audit --city demo
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import AUDIT, CityOrder, disclosure_audit
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    order = CityOrder(city=city, disclosure=settings_values(cli.disclosure))
    cells = answered(cli, "/audit", order, AUDIT,
                     lambda store: disclosure_audit(store, city, cli.disclosure))
    for cell in cells:
        verdict = ("complement" if not cell.primary
                   else f"needs {cell.required:g}: " + ("ok" if cell.protected else "TOO NARROW"))
        cli.out.print(f"{cell.period} {cell.district_code or 'city'} {cell.indicators}: "
                      f"[{cell.lower:.1f}, {cell.upper:.1f}] width {cell.width:.1f} {verdict}")
    for family in sorted({cell.family for cell in cells} - {"counts"}):
        mine = [cell for cell in cells if cell.family == family]
        small = [cell.width for cell in mine if cell.primary]
        cli.out.print(f"{city}, {family}: {len(mine)} suppressed cell(s) ({len(small)} small "
                      f"counts, {len(mine) - len(small)} complements), narrowest interval of a "
                      f"small count " + (f"{min(small):.1f}" if small else "none"))
    failing = sum(not cell.protected for cell in cells)
    sensitive = [cell.width for cell in cells if cell.primary]
    narrowest = f"{min(sensitive):.1f}" if sensitive else "none"
    cli.out.print(f"{city}: {len(cells)} suppressed cell(s) ({len(sensitive)} small counts, "
                  f"{len(cells) - len(sensitive)} complements), narrowest interval of a small "
                  f"count {narrowest} persons, protection range {cli.disclosure.protection:g}: "
                  + ("passed" if failing == 0 else f"FAILED ({failing} too narrow)"))
    if failing:
        raise typer.Exit(1)
