"""``observatory segregation``: how segregated one group is across a city's areas, over any
dimension that defines population groups (citizenship, birthplace, migration background…)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from observatory.cli.context import CliContext


def segregation(
    ctx: typer.Context,
    city: Annotated[str, typer.Option("--city", help="City slug, e.g. --city chicago.",
                                      show_default=False)],
    dimension: Annotated[str | None, typer.Option(
        help="The dimension that defines the groups, e.g. birthplace, migration_background; "
        "default: the first the data carries (indicators/vocabulary/groups.yaml).")] = None,
    group: Annotated[str | None, typer.Option(
        help="A group of the dimension, or 'foreign': every group but the reference group "
        "(own nationals, native-born, no migration background); e.g. --group "
        "foreign_born.")] = None,
    total: Annotated[str | None, typer.Option(
        help="The variable counted, e.g. --total population; default: the one carrying "
        "the dimension.")] = None,
    level: Annotated[str | None, typer.Option(
        help="A geographic level, e.g. --level forecast_area; default: the top.")] = None,
    period: Annotated[str | None, typer.Option(
        help="A period, e.g. --period 2020; default: the latest.")] = None,
) -> None:
    """Print the single-group and multigroup segregation measures of one group and the
    global Moran's I of its share, with counts (the officer's view).

    Example: observatory segregation --city chicago --dimension birthplace --group foreign_born
    """
    from pydantic import TypeAdapter

    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import SegregationOrder, officer_segregation
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    order = SegregationOrder(city=city, dimension=dimension, group=group, total=total,
                             level=level, period=period,
                             disclosure=settings_values(cli.disclosure))
    summary = answered(cli, "/segregation", order, TypeAdapter(dict[str, Any]),
                       lambda store: officer_segregation(store, order))
    out = cli.out
    out.print(f"{summary['city']} {summary['period']}: {summary['group_name_en']} "
              f"({summary['group']}) of {summary['dimension_name_en']} ({summary['dimension']}),"
              f" counted in {summary['total']}, {summary['districts']} areas")
    for key, value in summary.items():
        if isinstance(value, float):
            out.print(f"  {key}: {value:.6g}")
    moran = summary.get("moran") or {}
    if moran.get("I") is not None:
        out.print(f"  moran_I of the share: {moran['I']:.6g} (p_sim {moran.get('p_sim')})")
