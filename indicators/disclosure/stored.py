"""The audit of what a city's store publishes now: its stored indicator values against the
count table of its observations (and of its events, for the rates of events)."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_frameworks
from indicators.disclosure.carried import CarriedSources
from indicators.disclosure.gate import audit_release
from indicators.disclosure.ruled import ruled_table
from indicators.disclosure.tables import build_table, merged
from indicators.evaluate import PreparedObservations, SpatialContext
from indicators.level_inputs import observations_at_level, parent_map
from observatory.settings import DisclosureSettings
from observatory.store import Store


def audit_city(store: Store, city: str, settings: DisclosureSettings) -> pd.DataFrame:
    """One row per suppressed cell of ``city``'s stored release: the interval of its count
    that the published values of every level allow (a level's areas below the top are named
    ``level/code``, as in the release's joint table), the protection range, whether it is
    protected and its family (``disclosure.ruled``: counts, rates of events, phone
    estimates). Each level's count table is the one its values were computed from."""
    every = load_frameworks()
    variables = sorted(set().union(*(f.variables() for f in every.values())))
    definitions = [d for f in every.values() for d in f.indicators]
    levels = store.levels(city)
    known = store.city(city)
    tables, published, parents = {}, {}, {}
    for level in levels:
        level_inputs = observations_at_level(store, city, level.name, variables)
        inputs = level_inputs.observations
        prepared = PreparedObservations(inputs)
        spatial = SpatialContext(districts=store.districts(city, level=level.name),
                                 local_crs=known.local_crs if known else "",
                                 events=lambda layer: store.events(city, layer=layer))
        tables[level.name] = merged(build_table(definitions, prepared, settings.min_count,
                                                CarriedSources.of(level_inputs)),
                                    ruled_table(definitions, prepared, spatial,
                                                settings.min_count))
        if level.parent is not None:
            parents[level.name] = parent_map(store, city, level, inputs)
        published[level.name] = store.indicator_values(city, level=level.name)
    return audit_release(tables, levels, parents, published, settings)
