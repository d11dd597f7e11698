"""``observatory bundle export|import``: a city's published benchmark values as one file for
peer observatories, and a peer's file loaded here as a read-only external city."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from observatory.cli.context import CliContext, fail

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
    from observatory.cli.remote_store import answered
    from observatory.services.bundles import bundle_file_name
    from observatory.services.city_reports import BUNDLE, BundleOrder, city_bundle
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    order = BundleOrder(city=city, origin=origin, disclosure=settings_values(cli.disclosure))
    data = answered(cli, "/bundle/export", order, BUNDLE,
                    lambda store: city_bundle(store, order)).data
    path = out or Path(bundle_file_name(city))  # written here, where the command runs
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
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import IMPORTED, BundleImport, peer_import
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"Cannot read {file}: {exc.strerror}. Fix: pass the bundle's path.", 2) from exc
    # The bytes travel to a server owning the store: the file need not be readable by it.
    order = BundleImport(data=data, source=file.name, as_slug=as_slug,
                         disclosure=settings_values(cli.disclosure))
    outcome = answered(cli, "/bundle/import", order, IMPORTED,
                       lambda store: peer_import(store, order))
    what = {"imported": "imported", "replaced": "replaced its older bundle",
            "unchanged": "already imported: nothing changed"}[outcome.status]
    cli.out.print(f"{outcome.city} (external peer from {outcome.origin}): {what}; "
                  f"{outcome.values} published value(s), bundle {outcome.bundle_id[:12]}",
                  markup=False)
