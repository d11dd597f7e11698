"""``observatory bundle export|import``: a city's published benchmark values as one file for
peer observatories, and a peer's file loaded here as a read-only external city."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail, require_city

bundle_app = typer.Typer(
    help="Benchmark bundles: exchange a city's published city-level values with peer "
    "observatories as one zipped Frictionless Data Package.\n\n"
    "Example: observatory bundle export --city vienna --out vienna.zip",
    no_args_is_help=True,
)


@bundle_app.command("export")
def export(
    ctx: typer.Context,
    city: Annotated[str, typer.Option("--city", help="City slug, e.g. --city vienna.",
                                      show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", help="File to write; default: <city>-benchmark-bundle.zip in the current "
        "folder. Example: --out /tmp/vienna.zip", show_default=False)] = None,
    origin: Annotated[str | None, typer.Option(
        "--origin", help="How peers will name this observatory, e.g. --origin \"Vienna MA 17\"; "
        "default: \"<city name> observatory\".", show_default=False)] = None,
) -> None:
    """Write the city's published city-level indicator values (after the disclosure rule:
    suppressed values never leave), their definitions and hashes, periods, coverage and
    provenance (observatory version, the ingest runs' source hashes), with a sha256 per file.

    Example: observatory bundle export --city vienna --out vienna.zip
    """
    from observatory.services.bundles import bundle_file_name, export_bundle
    from observatory.services.errors import ServiceError

    cli: CliContext = ctx.obj
    with cli.store() as store:
        require_city(store, city)
        try:
            data = export_bundle(store, city, cli.disclosure.min_count,
                                 cli.disclosure.published_digits, origin)
        except ServiceError as exc:
            raise fail(str(exc), 2) from exc
    path = out or Path(bundle_file_name(city))
    path.write_bytes(data)
    cli.out.print(f"Bundle of {city} written to {path.resolve()} ({len(data):,} bytes)",
                  markup=False)


@bundle_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A bundle written by `observatory bundle "
                                         "export`, e.g. vienna.zip.", show_default=False)],
    as_slug: Annotated[str | None, typer.Option(
        "--as", help="Slug to hold the city under here, e.g. --as vienna_peer; default: its "
        "slug at the origin.", show_default=False)] = None,
) -> None:
    """Add the bundle's city as a read-only external peer (marked as such on every view).

    Refused, with nothing loaded, when a file's checksum is wrong, the format version is
    unknown, a definition is missing, or a value is suppressed or a count at or below
    OBSERVATORY_MIN_COUNT. The same bundle again changes nothing; a newer bundle of the city
    replaces the older.

    Example: observatory bundle import vienna.zip
    """
    from observatory.services.bundles import import_bundle
    from observatory.services.errors import ServiceError

    cli: CliContext = ctx.obj
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"Cannot read {file}: {exc.strerror}. Fix: pass the bundle's path.", 2) from exc
    with cli.store() as store:
        try:
            outcome = import_bundle(store, data, file.name, cli.disclosure.min_count, as_slug)
        except ServiceError as exc:
            raise fail(str(exc), 2) from exc
    what = {"imported": "imported", "replaced": "replaced its older bundle",
            "unchanged": "already imported: nothing changed"}[outcome.status]
    cli.out.print(f"{outcome.city} (external peer from {outcome.origin}): {what}; "
                  f"{outcome.values} published value(s), bundle {outcome.bundle_id[:12]}",
                  markup=False)
