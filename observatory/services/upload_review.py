"""What the upload page shows before an ingest: the spec proposed for the file
(:mod:`observatory.services.spec_inference`) and what a dry run of it would load and reject
(:mod:`observatory.services.dry_run`). A file or spec the ingest would refuse gives its message
instead, so the officer can fix it in the editor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from observatory.services.dry_run import DryRunReport, dry_run
from observatory.services.spec_inference import infer_spec
from observatory.store import Store


@dataclass(frozen=True)
class ProposedSpec:
    feed: str
    yaml: str  # with a comment per choice
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DryRunView:
    """The dry run as the page lists it: tables as (columns, rows), or the refusal."""

    rows_read: int = 0
    counts: tuple[list[str], list[list[str]]] = ([], [])
    sample: tuple[list[str], list[list[str]]] = ([], [])
    rejected: tuple[list[str], list[list[str]]] = ([], [])
    message: str = ""
    refused: str = ""  # the ingest's message when it would refuse the file or spec


MAX_ROWS = 100  # rows of each table on the page; the run report lists every rejected row


def proposed_spec(store: Store, city: str, path: Path, feed: str | None) -> ProposedSpec:
    """The spec inferred for ``path``; a file no reader knows gives an empty spec whose note
    says why."""
    try:
        inferred = infer_spec(store, city, path, feed=feed)
    except IngestError as exc:
        return ProposedSpec(feed or "", "", (str(exc),))
    return ProposedSpec(inferred.feed, inferred.yaml, tuple(inferred.notes))


def dry_run_view(store: Store, city: str, feed: str, spec: Path, path: Path) -> DryRunView:
    """The dry run of ``spec`` on ``path``, writing nothing."""
    try:
        report = dry_run(store, city, feed, spec, path)
    except IngestError as exc:
        return DryRunView(refused=str(exc))
    return _view(report)


def _view(report: DryRunReport) -> DryRunView:
    counts = (["variable", "period", "n"],
              [[variable, period, f"{n:,}"] for variable, period, n in report.counts[:MAX_ROWS]])
    columns = list(dict.fromkeys(name for row in report.sample for name in row))
    sample = (columns, [[row.get(name, "") for name in columns]
                        for row in report.sample[:MAX_ROWS]])
    rejected = (["row", "column", "reason", "raw"],
                [["" if r.row_number is None else str(r.row_number), r.column or "", r.reason,
                  r.raw] for r in report.rejected[:MAX_ROWS]])
    return DryRunView(report.rows_read, counts, sample, rejected, report.message)
