"""How segregated one group is across a city's districts, from its stored census counts."""

from __future__ import annotations

import pandas as pd

from indicators.disclosure.summaries import PERSONAL_DATA_FEEDS, release_summary
from indicators.segregation_report import group_counts, group_members, segregation_summary
from indicators.spatial import hotspots
from observatory.models import City
from observatory.services.callers import PUBLIC, Caller
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.jsonable import plain
from observatory.services.visibility import sees_suppressed
from observatory.settings import DisclosureSettings
from observatory.store import Store


def city_segregation(
    store: Store, city: City, group: str, *, total: str = "population", period: str | None = None,
    caller: Caller = PUBLIC, disclosure: DisclosureSettings | None = None,
    level: str | None = None,
) -> dict:
    """Dissimilarity, isolation, entropy and the other measures of ``group`` counted in
    ``total`` in ``period`` (default: the latest), the multigroup measures, and the global
    Moran's I of the group's share, across the areas of ``level`` (None: the top level).

    Below officer the answer passes the disclosure gate: no counts, measures rounded and
    withheld for a small group, and nothing at all from personal-data feeds (admin records)."""
    disclosure = disclosure or DisclosureSettings()
    observations = store.observations(city.slug, variables=[total], level=level)
    if not sees_suppressed(caller) and not observations.empty:
        feeds = {run.id: run.feed for run in store.runs(city.slug)}
        if observations["ingest_run"].map(feeds).isin(PERSONAL_DATA_FEEDS).any():
            raise NotFound(
                f"{total!r} counts persons in personal-data records and is not published. "
                "Fix: ask for a census variable such as total=population, or use an officer "
                "key.")
    if observations.empty:
        raise NotFound(
            f"{city.slug} has no observations of {total!r}. Ingest a "
            f"census: observatory ingest census FILE --city {city.slug}"
        )
    periods = sorted(observations["period"].astype(str).unique())
    period = period or periods[-1]
    if period not in periods:
        raise NotFound(
            f"No {total!r} observations in period {period!r}; periods: {', '.join(periods)}."
        )
    counts = group_counts(observations, period=period, variable=total)
    if counts.empty:
        raise InvalidRequest(
            f"The {total!r} observations of {period} have no "
            "'citizenship' dimension; map one in the census feed spec."
        )
    try:
        summary = segregation_summary(counts, group)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc
    summary["moran"] = _share_moran(store, city, counts, group, level)
    if not sees_suppressed(caller):
        summary = release_summary(summary, min_count=disclosure.min_count,
                                  digits=disclosure.published_digits)
    return plain({"city": city.slug, "period": period, "total": total, **summary})


def _share_moran(store: Store, city: City, counts: pd.DataFrame, group: str,
                 level: str | None) -> dict:
    totals = counts.sum(axis=1)
    share = (group_members(counts, group) / totals.where(totals > 0)).rename("value")
    values = share.rename_axis("district_code").reset_index()
    _, summary = hotspots(store.districts(city.slug, level=level), values)
    return {
        k.removeprefix("moran_"): v
        for k, v in summary.items()
        if k.startswith("moran_") or k in ("n", "message")
    }
