"""Commands that work on the store as a whole: ``init`` and ``compute``."""

from __future__ import annotations

from typing import Annotated

import typer

from indicators.framework_files import framework_names
from observatory.cli.context import CliContext, fail, redact
from observatory.store.base import Store


def init(ctx: typer.Context) -> None:
    """Create the store schema, or upgrade it by applying the SQL files not yet applied.

    Safe to repeat: a second run applies nothing.

    Example: observatory init

    Example: observatory --database-url postgresql://obs:secret@localhost:5432/observatory init
    """
    cli: CliContext = ctx.obj
    with cli.store() as store:
        applied = store.init_schema()
    cli.out.print(f"Store: {redact(cli.database_url)} ({store.backend})")
    if applied:
        cli.out.print(f"Applied {len(applied)} schema file(s): {', '.join(applied)}")
    else:
        cli.out.print("Schema is up to date: nothing to apply.")


def framework_ids() -> list[str]:
    """Every framework id. Parsing the definitions is left to the commands that need them: done
    at import it slowed every ``--help``, which lists the frameworks by file name instead."""
    from indicators.definitions import load_frameworks

    return list(load_frameworks())


def compute(
    ctx: typer.Context,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            help="Slug of the city to compute, e.g. --city vienna. "
            "Default: every city in the store.",
            show_default=False,
        ),
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help=f"Only this framework, one of: {', '.join(framework_names())}; "
            "e.g. --framework cpi. "
            "Default: all of them.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compute the indicators (e.g. foreign_citizens_share) per district and for the city.

    Prints the values written per framework. Small counts are suppressed following
    OBSERVATORY_MIN_COUNT.

    Example: observatory compute --city vienna

    Example: observatory compute --framework cpi
    """
    cli: CliContext = ctx.obj
    frameworks = framework_ids()
    if framework is not None and framework not in frameworks:
        raise fail(f"Unknown framework {framework!r}. Fix: use one of {', '.join(frameworks)}.",
                   2)
    with cli.store() as store:
        known = [c.slug for c in store.cities()]
        if city is not None and city not in known:
            raise fail(
                f"Unknown city {city!r}; the store has: {', '.join(known) or 'no cities yet'}. "
                "Fix: ingest its boundaries first: observatory ingest boundaries FILE --city "
                f"{city}",
                1,
            )
        if not known:
            raise fail(
                "The store has no cities yet. Fix: observatory ingest boundaries FILE --city SLUG",
                1,
            )
        # External peers (imported bundles) are read-only: computing every city skips them.
        peers = {peer.city for peer in store.external_peers()}
        for slug in [city] if city else [c for c in known if c not in peers]:
            compute_and_report(cli, store, slug, [framework] if framework else frameworks)


def compute_and_report(cli: CliContext, store: Store, city: str, frameworks: list[str]) -> int:
    """Compute the frameworks for the city, printing the values written per framework; return
    their sum. A release the disclosure audit refuses stores nothing and fails (exit 1)."""
    from indicators.compute import compute_frameworks
    from indicators.disclosure.gate import DisclosureRefused

    with cli.out.status(f"Computing {', '.join(frameworks)} for {city}…"):
        try:
            written = compute_frameworks(store, city, cli.disclosure, frameworks)
        except DisclosureRefused as exc:
            raise fail(str(exc), 1) from exc
    for framework in frameworks:
        cli.out.print(f"{city}: {framework}: {written.get(framework, 0)} indicator value(s) "
                      "written")
    return sum(written.values())
