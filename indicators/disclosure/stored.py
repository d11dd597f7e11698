"""The audit of what a city's store publishes now: its stored indicator values against the
count table of its observations."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_frameworks
from indicators.disclosure.audit import intervals, published_bounds
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations
from observatory.settings import DisclosureSettings
from observatory.store import Store


def audit_city(store: Store, city: str, settings: DisclosureSettings) -> pd.DataFrame:
    """One row per suppressed cell of ``city``'s stored release: the interval of its count
    that the published values allow, the protection range, and whether it is protected."""
    every = load_frameworks()
    variables = sorted(set().union(*(f.variables() for f in every.values())))
    prepared = PreparedObservations(store.observations(city, variables=variables))
    table = build_table([d for f in every.values() for d in f.indicators], prepared,
                        settings.min_count)
    published = store.indicator_values(city)
    bounds = published_bounds(table, published, settings.published_digits)
    return intervals(table, bounds, settings.protection)
