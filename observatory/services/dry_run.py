"""A dry run: what an ingest would load and reject, with nothing written.

It is the ingest runner's own plan (``ingest.runner.plan_feed``): the same reading, checks,
district matching and masking of personal data as a real run, stopped before the store's
write. The command line (``observatory ingest <feed> … --dry-run``) and the upload page show it
before the officer commits to the ingest.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic_settings import BaseSettings

from observatory.models import RejectedRow
from observatory.store.base import Store

SAMPLE_ROWS = 10


@dataclass(frozen=True)
class DryRunReport:
    """``counts``: (variable, period, n) of the observations that would load; for boundaries
    (``districts:<level>``, valid from, n), for events (``events:<layer>``, month, n).
    ``sample``: the first rows as text. ``rejected``: every row that would be rejected, masked
    as the runner masks personal data. ``unchanged``: the id of an earlier run of the same
    content (the ingest would then change nothing)."""

    feed: str
    rows_read: int
    counts: tuple[tuple[str, str, int], ...]
    sample: tuple[dict[str, str], ...]
    rejected: tuple[RejectedRow, ...]
    message: str
    unchanged: str | None = None


def dry_run(store: Store, city: str, feed: str, spec: dict | Path | None, path: Path, *,
            settings: Mapping[str, BaseSettings] | None = None, **options: Any) -> DryRunReport:
    """What ``observatory ingest <feed> path --spec spec`` would do; raises ``IngestError`` for
    input the ingest would refuse. ``spec``: a spec file, or its content (as the upload page's
    editor holds it); None for a feed without spec. ``settings``: the family's settings by name
    (default: from the environment); ``options``: the feed's own keywords (``level``…) and
    ``progress``."""
    from ingest.errors import IngestError
    from ingest.feeds import family
    from ingest.runner import plan_feed
    from observatory.services.ingest_jobs import JOB_SETTINGS

    found = family(feed)
    if not store.schema_version():
        raise IngestError("the store has no schema yet", file=str(path),
                          fix="run `observatory init` first (a dry run writes nothing, not even "
                          "the schema)")
    given = settings or {}
    keywords: dict[str, Any] = {name: given.get(name) or JOB_SETTINGS[name]()
                                for name in found.settings} | options
    with tempfile.TemporaryDirectory(prefix="observatory-dry-run-") as folder:
        spec_path = _spec_file(spec, Path(folder))
        planned = plan_feed(found, store, Path(path), city, spec_path=spec_path, **keywords)
    tables = planned.tables
    return DryRunReport(
        feed=feed, rows_read=planned.run.rows_read, counts=_counts(tables),
        sample=_sample(tables), rejected=tuple(planned.rejected), message=planned.run.message,
        unchanged=planned.unchanged.id if planned.unchanged else None,
    )


def _spec_file(spec: dict | Path | None, folder: Path) -> Path | None:
    if spec is None or isinstance(spec, Path):
        return spec
    written = folder / "spec.yaml"
    written.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), "utf-8")
    return written


def _counts(tables: dict[str, Any]) -> tuple[tuple[str, str, int], ...]:
    observations = tables.get("observations")
    if observations is not None and len(observations):
        sizes = observations.groupby(["variable", "period"], sort=True).size()
        return tuple((str(v), str(p), int(n)) for (v, p), n in sizes.items())
    districts = tables.get("districts")
    if districts is not None and len(districts):
        level = tables.get("level")
        name = f"districts:{level.name if level is not None else 'top level'}"
        return ((name, str(tables.get("valid_from") or ""), len(districts)),)
    events = tables.get("events")
    if events is not None and len(events):
        months = pd.to_datetime(events["occurred_at"], utc=True).dt.strftime("%Y-%m")
        sizes = pd.DataFrame({"layer": events["layer"], "month": months}).groupby(
            ["layer", "month"], sort=True).size()
        return tuple((f"events:{layer}", str(month), int(n)) for (layer, month), n in sizes.items())
    return ()


def _sample(tables: dict[str, Any]) -> tuple[dict[str, str], ...]:
    for name in ("observations", "districts", "events"):
        frame = tables.get(name)
        if frame is not None and len(frame):
            head = pd.DataFrame(frame.head(SAMPLE_ROWS).drop(columns="geometry", errors="ignore"))
            return tuple({str(k): _text(v) for k, v in row.items()}
                         for row in head.to_dict("records"))
    return ()


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
