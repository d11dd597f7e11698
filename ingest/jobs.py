"""Ingest jobs: one typed entry point per feed family, for the API, the demo and the tests.

Each is ``ingest.runner.run_feed`` with its family (``ingest.feeds``) and returns the
``IngestRun``; a file already loaded with the same spec comes back as its earlier run, status
``unchanged``. Every feed but ``boundaries`` needs the city's districts in the store first.
"""

from __future__ import annotations

from pathlib import Path

from ingest.feeds import family
from ingest.job_steps import Progress
from ingest.runner import run_feed
from observatory.models import IngestRun
from observatory.settings import BoundarySettings, DisclosureSettings, PrivacySettings
from observatory.store.base import Store


def ingest_boundaries(store: Store, path: Path, city_slug: str, spec_path: Path | None = None,
                      *, replace_boundaries: bool = False,
                      boundary: BoundarySettings | None = None,
                      progress: Progress | None = None) -> IngestRun:
    """Load district boundaries as a new boundary version and create or update the city.

    Without ``spec_path`` the spec shipped for the city is used (``ingest/specs/<city>/``), or
    else the columns ``code``, ``name_en`` and ``name_ar``. A file that lies elsewhere than the
    city's data or would remove more than ``boundary.max_boundary_loss`` of its districts is
    refused unless ``replace_boundaries``.
    """
    return run_feed(family("boundaries"), store, path, city_slug, spec_path=spec_path,
                    progress=progress, replace_boundaries=replace_boundaries,
                    boundary=boundary)


def ingest_census(store: Store, path: Path, city_slug: str, spec_path: Path, *,
                  level: str | None = None, progress: Progress | None = None) -> IngestRun:
    """Load a census table as observations of ``level`` (default: the spec's, else the city's
    top level)."""
    return run_feed(family("census"), store, path, city_slug, spec_path=spec_path,
                    progress=progress, level=level)


def ingest_admin(store: Store, path: Path, city_slug: str, spec_path: Path, *,
                 privacy: PrivacySettings | None = None,
                 disclosure: DisclosureSettings | None = None,
                 progress: Progress | None = None) -> IngestRun:
    """Load administrative records with personal data as counts; refuses to run without a hash
    key (``privacy.hash_key``, ``OBSERVATORY_HASH_KEY``)."""
    return run_feed(family("admin"), store, path, city_slug, spec_path=spec_path,
                    progress=progress, privacy=privacy, disclosure=disclosure)


def ingest_events(store: Store, path: Path, city_slug: str, spec_path: Path, *,
                  progress: Progress | None = None) -> IngestRun:
    """Load point events into the event table."""
    return run_feed(family("events"), store, path, city_slug, spec_path=spec_path,
                    progress=progress)


def ingest_cdr(store: Store, path: Path, city_slug: str, spec_path: Path, *,
               disclosure: DisclosureSettings | None = None,
               progress: Progress | None = None) -> IngestRun:
    """Load mobile-phone tower aggregates as district observations, redacted for publication
    (counts ≤ ``disclosure.min_count`` are withheld with their whole district breakdown)."""
    return run_feed(family("cdr"), store, path, city_slug, spec_path=spec_path,
                    progress=progress, disclosure=disclosure)


def ingest_points(store: Store, path: Path, city_slug: str, spec_path: Path, *,
                  disclosure: DisclosureSettings | None = None,
                  progress: Progress | None = None) -> IngestRun:
    """Load geotagged points as counts per district, period and group (redacted unless the
    spec says ``redact: false``)."""
    return run_feed(family("points"), store, path, city_slug, spec_path=spec_path,
                    progress=progress, disclosure=disclosure)


def ingest_raster(store: Store, path: Path, city_slug: str, *, variable: str = "population",
                  period: str | None = None, progress: Progress | None = None) -> IngestRun:
    """Load a population raster as per-district sums and centres; ``period`` defaults to the
    4-digit year in the file name."""
    return run_feed(family("raster"), store, path, city_slug, progress=progress,
                    variable=variable, period=period)
