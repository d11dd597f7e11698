"""The audit of what a city's store publishes now: its stored indicator values against the
count table of its observations."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_frameworks
from indicators.disclosure.audit import intervals, published_bounds
from indicators.disclosure.levels import LevelCodes, joint_table
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations
from indicators.level_inputs import observations_at_level, parent_map
from observatory.settings import DisclosureSettings
from observatory.store import Store


def audit_city(store: Store, city: str, settings: DisclosureSettings) -> pd.DataFrame:
    """One row per suppressed cell of ``city``'s stored release: the interval of its count
    that the published values of every level allow (a level's areas below the top are named
    ``level/code``, as in the release's joint table), the protection range, and whether it is
    protected. Each level's count table is the one its values were computed from."""
    every = load_frameworks()
    variables = sorted(set().union(*(f.variables() for f in every.values())))
    definitions = [d for f in every.values() for d in f.indicators]
    levels = store.levels(city)
    top = levels[0].name
    tables, published, parents = {}, [], {}
    for level in levels:
        inputs = observations_at_level(store, city, level.name, variables).observations
        tables[level.name] = build_table(definitions, PreparedObservations(inputs),
                                         settings.min_count)
        if level.parent is not None:
            parents[level.name] = parent_map(store, city, level, inputs)
        published.append(LevelCodes(level.name, top).rows(
            store.indicator_values(city, level=level.name)))
    table = joint_table(tables, levels, parents)
    bounds = published_bounds(table, pd.concat(published, ignore_index=True),
                              settings.published_digits)
    return intervals(table, bounds, settings.protection, settings.threads)
