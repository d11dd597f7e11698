"""The audit of what a city's store publishes now: its stored indicator values against the
count table of its observations."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_frameworks
from indicators.disclosure.audit import intervals, published_bounds
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations
from indicators.level_inputs import observations_at_level
from observatory.settings import DisclosureSettings
from observatory.store import Store


def audit_city(store: Store, city: str, settings: DisclosureSettings) -> pd.DataFrame:
    """One row per suppressed cell of ``city``'s stored release, level by level (column
    ``level``): the interval of its count that the published values of that level allow, the
    protection range, and whether it is protected. The count table of a level is the one its
    values were computed from (``indicators.level_inputs``)."""
    every = load_frameworks()
    variables = sorted(set().union(*(f.variables() for f in every.values())))
    reports = []
    for level in store.levels(city):
        inputs = observations_at_level(store, city, level.name, variables)
        prepared = PreparedObservations(inputs.observations)
        table = build_table([d for f in every.values() for d in f.indicators], prepared,
                            settings.min_count)
        published = store.indicator_values(city, level=level.name)
        bounds = published_bounds(table, published, settings.published_digits)
        reports.append(intervals(table, bounds, settings.protection).assign(level=level.name))
    return pd.concat(reports, ignore_index=True)
