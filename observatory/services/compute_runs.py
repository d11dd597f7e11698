"""``observatory compute`` as one job, run the same way by the command line on the store it
opened and by the serving process that owns the DuckDB file (``ingest_jobs.IngestJobs``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from observatory.settings import DisclosureSettings
from observatory.store.base import Store

Computed = dict[str, dict[str, int]]  # city → framework → values written


class ComputeProblem(Exception):
    """The compute cannot run or a city's release was refused; the message says why and the
    fix, ``computed`` holds the cities done before it."""

    def __init__(self, message: str, computed: Computed | None = None) -> None:
        super().__init__(message)
        self.computed: Computed = computed or {}


class ComputeOrder(BaseModel):
    """``observatory compute [--city C] [--framework F]`` with the CLI's disclosure settings, for
    the serving process to run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    city: str | None = None  # None: every city of the store but the external peers
    frameworks: list[str]
    disclosure: dict[str, Any] = {}


def cities_to_compute(store: Store, city: str | None) -> list[str]:
    """The city named, or every city but the read-only external peers (imported bundles)."""
    known = [c.slug for c in store.cities()]
    if not known:
        raise ComputeProblem(
            "The store has no cities yet. Fix: observatory ingest boundaries FILE --city SLUG")
    if city is not None:
        if city not in known:
            raise ComputeProblem(
                f"Unknown city {city!r}; the store has: {', '.join(known)}. Fix: ingest its "
                f"boundaries first: observatory ingest boundaries FILE --city {city}")
        return [city]
    peers = {peer.city for peer in store.external_peers()}
    return [slug for slug in known if slug not in peers]


def compute_cities(store: Store, city: str | None, frameworks: list[str],
                   disclosure: DisclosureSettings,
                   starting: Callable[[str], None] | None = None) -> Computed:
    """Compute the frameworks for the city (or every city), in order; ``starting(city)`` is
    told before each. A release the disclosure audit refuses stores nothing for that city and
    raises ComputeProblem; the cities before it stay computed."""
    from indicators.compute import compute_frameworks
    from indicators.disclosure.gate import DisclosureRefused

    computed: Computed = {}
    for slug in cities_to_compute(store, city):
        if starting is not None:
            starting(slug)
        try:
            computed[slug] = compute_frameworks(store, slug, disclosure, frameworks)
        except DisclosureRefused as exc:
            raise ComputeProblem(str(exc), computed) from exc
    return computed
