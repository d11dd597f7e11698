"""``observatory audit``: prove that no suppressed value of a city can be derived."""

from __future__ import annotations

from typing import Annotated

import typer

from observatory.cli.context import CliContext, require_city


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
    OBSERVATORY_MIN_COUNT persons). Exits 1 if any is not.

    Example: observatory audit --city demo
    """
    from indicators.disclosure.stored import audit_city

    cli: CliContext = ctx.obj
    with cli.store() as store:
        require_city(store, city)
        report = audit_city(store, city, cli.disclosure)
    for row in report.sort_values(["period", "indicators", "district_code"],
                                  na_position="first").itertuples(index=False):
        verdict = ("complement" if not row.primary
                   else f"needs {row.required:g}: " + ("ok" if row.protected else "TOO NARROW"))
        cli.out.print(f"{row.period} {row.district_code or 'city'} {row.indicators}: "
                      f"[{row.lower:.1f}, {row.upper:.1f}] width {row.width:.1f} {verdict}")
    failing = int((~report["protected"].astype(bool)).sum()) if len(report) else 0
    sensitive = report[report["primary"].astype(bool)] if len(report) else report
    narrowest = f"{sensitive['width'].min():.1f}" if len(sensitive) else "none"
    cli.out.print(f"{city}: {len(report)} suppressed cell(s) ({len(sensitive)} small counts, "
                  f"{len(report) - len(sensitive)} complements), narrowest interval of a small "
                  f"count {narrowest} persons, protection range {cli.disclosure.protection:g}: "
                  + ("passed" if failing == 0 else f"FAILED ({failing} too narrow)"))
    if failing:
        raise typer.Exit(1)
