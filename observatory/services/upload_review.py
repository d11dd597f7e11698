"""What the upload page shows before an ingest: the spec proposed for the file and what a dry
run of it would load and reject.

INTEGRATION POINTS (issue 14 points 1 and 2): :func:`proposed_spec` calls
``observatory.services.spec_inference.infer_spec`` and :func:`dry_run_report` calls
``observatory.services.dry_run.dry_run``. Until those modules are merged each answers None and
the page says the step is not available; nothing else changes when they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatory.store import Store


@dataclass(frozen=True)
class ProposedSpec:
    feed: str
    yaml: str  # with a comment per choice
    notes: tuple[str, ...]


def proposed_spec(store: Store, city: str, path: Path, feed: str | None) -> ProposedSpec | None:
    """INTEGRATION POINT (issue 14 point 1): the spec inferred for ``path``; None while spec
    inference is not part of this build."""
    try:
        from observatory.services.spec_inference import infer_spec  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:
        return None
    inferred = infer_spec(store, city, path, feed=feed)
    return ProposedSpec(inferred.feed, inferred.yaml, tuple(inferred.notes))


def dry_run_report(store: Store, city: str, feed: str, spec: Path, path: Path) -> Any | None:
    """INTEGRATION POINT (issue 14 point 2): the dry run of ``spec`` on ``path`` (a
    ``DryRunReport``: counts, sample, rejected, rows_read), writing nothing; None while the
    dry run is not part of this build."""
    try:
        from observatory.services.dry_run import dry_run  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:
        return None
    return dry_run(store, city, feed, spec, path)
