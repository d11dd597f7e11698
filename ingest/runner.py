"""The one ingest runner: hash -> re-run check -> districts -> read -> normalise -> load -> report.

Every feed family (``ingest.feeds``) runs through ``run_feed``; ``plan_feed`` is the same
without the write (a dry run). ``run_feed`` returns the ``IngestRun``; a file already loaded
with the same spec comes back as its earlier run, status ``unchanged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import IngestError
from ingest.feeds.family import FeedFamily, Job
from ingest.job_steps import (
    Progress,
    begin_run,
    refuse_if_nothing_left,
    replaced_runs,
    reporter,
)
from ingest.masking import mask_rejected
from ingest.rejections import capped_rows
from observatory.models import City, IngestRun, RejectedRow
from observatory.settings import RejectedRowSettings
from observatory.store.base import ReadOnlyCityError, Store


@dataclass(frozen=True)
class PlannedLoad:
    """Everything an ingest run would write, computed without writing: the run record, its
    rejected rows (masked and capped as stored), the earlier runs it retires and the tables
    for ``Store.load``. ``unchanged`` is the earlier run of the same content, when there is
    one (loading would then change nothing)."""

    run: IngestRun
    rejected: list[RejectedRow]
    kept_rejected: list[RejectedRow]
    replaces: list[str]
    tables: dict[str, Any]
    city: City | None
    kept: int = 0  # records that would load
    unchanged: IngestRun | None = None


def run_feed(
    family: FeedFamily,
    store: Store,
    path: Path,
    city_slug: str,
    *,
    spec_path: Path | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> IngestRun:
    """Load ``path`` as one ingest run of ``family``; ``options`` are the family's keywords
    (``privacy``, ``disclosure``, ``rejected_rows``, the raster's ``variable`` and
    ``period``).

    Rejected rows of a personal-data family are masked (``ingest.masking``) before anything
    sees them, the refusal message included; every family's are capped in number and length.
    """
    planned = plan_feed(family, store, path, city_slug, spec_path=spec_path,
                        progress=progress, stop_if_unchanged=True, **options)
    if planned.unchanged is not None:
        return planned.unchanged
    report = reporter(progress)
    run = planned.run
    report(4, f"loading {planned.kept:,} records ({run.rows_read:,} read, "
              f"{run.rows_rejected:,} rejected)")
    if planned.city is not None:
        store.upsert_city(planned.city)
    return store.load(planned.run, rejected=planned.kept_rejected, replaces=planned.replaces,
                      **planned.tables)


def plan_feed(
    family: FeedFamily,
    store: Store,
    path: Path,
    city_slug: str,
    *,
    spec_path: Path | None = None,
    progress: Progress | None = None,
    stop_if_unchanged: bool = False,
    **options: Any,
) -> PlannedLoad:
    """Every step of ``run_feed`` but the write: what the run would load and reject. The store
    is only read. With ``stop_if_unchanged``, an earlier run of the same content ends the
    plan there (its ``run`` is that earlier run and its tables are empty)."""
    path = Path(path)
    if any(peer.city == city_slug for peer in store.external_peers()):
        raise ReadOnlyCityError.for_city(city_slug)
    spec_path = family.spec_file(spec_path, city_slug)
    job = Job(store, path, city_slug, spec_path, options, spec=family.load_spec(spec_path))
    family.prepare(job)
    _check_city_block(job, city_slug)
    report, content_hash, earlier = begin_run(store, path, city_slug, family.name,
                                              family.content(job), progress)
    if earlier and stop_if_unchanged:
        return PlannedLoad(earlier, [], [], [], {}, None, unchanged=earlier)

    replaces = replaced_runs(store, city_slug, family.name, getattr(job.spec, "replaces", []),
                             spec_path)
    if family.needs_districts:
        job.districts = family.districts(job)
    report(2, family.reading.format(file=path.name) + f" ({_size(path)})")
    source = family.read(job)
    rows = _records(source)
    report(3, f"{family.normalising} {rows:,} records" if rows else family.normalising)
    result = family.normalise(job, source)
    rejected = (mask_rejected(result.rejected, family.vocabulary(job))
                if family.personal_data else result.rejected)
    refuse_if_nothing_left(result.kept, result.rows_read, rejected, path.name)

    limits = options.get("rejected_rows") or RejectedRowSettings()
    kept = capped_rows(rejected, kept=limits.rejected_rows_kept,
                       chars=limits.rejected_text_chars,
                       reason_chars=limits.rejected_reason_chars)
    message = result.message
    if len(kept) < len(rejected):
        message += (f"; {len(rejected) - len(kept)} more rejected rows are counted but not "
                    f"kept (the first {len(kept)} are: OBSERVATORY_REJECTED_ROWS_KEPT)")
    # The spec's identity, with the periods x variables (or layers x times) loaded, is what
    # the run replaces: never the data file's name (docs/ingest.md, "Replacement").
    run = IngestRun(city=city_slug, feed=family.name, source_name=path.name,
                    content_hash=content_hash, rows_read=result.rows_read,
                    rows_rejected=len(rejected), message=message,
                    spec_name=spec_path.name if spec_path else "")
    return PlannedLoad(run, rejected, kept, replaces, result.tables, result.city,
                       kept=result.kept, unchanged=earlier)


def _records(source: Any) -> int:
    """How many records were read (a table's rows, a vector file's features); 0 when the
    family streams them (the count comes with its result)."""
    frame = getattr(source, "frame", source)
    return len(frame) if isinstance(frame, pd.DataFrame) else 0


def _size(path: Path) -> str:
    size = path.stat().st_size if path.is_file() else 0
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def _check_city_block(job: Job, city_slug: str) -> None:
    city = getattr(job.spec, "city", None)
    if city is not None and city.slug != city_slug:
        raise IngestError(
            f"the spec is for the city '{city.slug}', not '{city_slug}'",
            file=str(job.spec_path),
            key="city.slug",
            fix=f"use --city {city.slug}, or the spec written for {city_slug}",
        )
