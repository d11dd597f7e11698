"""Compute a city's indicators from its observations and store them."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_definitions
from indicators.shares import share_values
from observatory.settings import DisclosureSettings
from observatory.store import Store


def compute_city(store: Store, city_slug: str, disclosure: DisclosureSettings,
                 framework: str | None = None) -> int:
    """Evaluate every definition (of ``framework``, if given) for the city; return rows written."""
    definitions = [d for d in load_definitions().values()
                   if framework is None or d.framework == framework]
    variables = sorted({d.formula.variable for d in definitions})
    observations = store.observations(city_slug, variables=variables)
    written = 0
    for definition in definitions:
        shares = share_values(observations, definition.formula, min_count=disclosure.min_count)
        if shares.empty:
            continue
        values = pd.DataFrame({
            "district_code": shares["district_code"],
            "period": shares["period"],
            "indicator_id": definition.id,
            "value": shares["value"],
            "score": None,  # standardised scores come with benchmarked frameworks
            "coverage": 1.0,
            "suppressed": shares["suppressed"],
            "definition_hash": definition.hash,
            "source_runs": shares["runs"],
        })
        written += store.put_indicator_values(city_slug, values)
    return written
