"""``observatory ingest <feed> … --dry-run``: what the ingest would load and reject, printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from observatory.cli.context import CliContext, fail
from observatory.cli.progress import progress_bar
from observatory.services.dry_run import DryRunReport

SHOWN_COUNTS = 40


def dry_run_and_report(cli: CliContext, feed: str, path: Path, city: str,
                       spec_path: Path | None = None, **options: Any) -> DryRunReport:
    """Run ``services.dry_run.dry_run`` on the configured store, or in the server owning the
    DuckDB file, and print its report; bad input ends the command with exit code 2, as the
    ingest would."""
    from observatory.cli.remote_ingest import order_for
    from observatory.cli.remote_store import ask, serving
    from observatory.services.city_reports import DRY_RUN, ordered_dry_run
    from observatory.services.errors import ServiceError

    order = order_for(cli, feed, path, city, spec_path=spec_path, **options)
    server = serving(cli)
    if server is not None:  # it does not report progress: a bar would stand still
        result = DRY_RUN.validate_python(
            ask(server, "POST", "/dry-run", order.model_dump(mode="json"), timeout=None))
    else:
        with cli.store() as store:
            try:
                with progress_bar(cli.out, f"Dry run of {feed} {path.name}") as progress:
                    result = ordered_dry_run(store, order, progress)
            except ServiceError as exc:
                raise fail(str(exc), 2) from exc
    print_dry_run(cli, result, path.name)
    return result


def print_dry_run(cli: CliContext, result: DryRunReport, source: str) -> None:
    from observatory.cli.ingest_commands import print_rejects

    loaded = sum(n for _, _, n in result.counts)
    cli.out.print(f"Dry run of {result.feed} {source}: nothing was written.", markup=False)
    cli.out.print(f"  rows read {result.rows_read}, would load {loaded}, "
                  f"would reject {len(result.rejected)}", markup=False)
    if result.message:
        cli.out.print(f"  {result.message}", markup=False)
    if result.unchanged:
        cli.out.print(f"  The same content was loaded by run {result.unchanged}: the ingest "
                      "would change nothing.", markup=False)
    counts = Table(title=f"Would load (first {min(len(result.counts), SHOWN_COUNTS)} of "
                         f"{len(result.counts)} variable × period)")
    for heading in ("variable", "period", "rows"):
        counts.add_column(heading, justify="right" if heading == "rows" else "left")
    for variable, period, n in result.counts[:SHOWN_COUNTS]:
        counts.add_row(Text(variable), Text(period), f"{n:,}")
    cli.out.print(counts)
    if result.sample:
        sample = Table(title=f"Sample ({len(result.sample)} rows)")
        columns = list(result.sample[0])
        for column in columns:
            sample.add_column(column)
        for row in result.sample:
            sample.add_row(*(Text(row.get(column, "")) for column in columns))
        cli.out.print(sample)
    if result.rejected:
        print_rejects(cli, list(result.rejected), None)
