"""The indicator bench models every formula kind of the shipped frameworks (no timing): group
shares over any dimension, rates of events and of counted points, access to services."""

from __future__ import annotations

import pytest

from bench.indicators.synthetic import (
    event_layers,
    observation_plan,
    place_centres,
    synthetic_city,
    synthetic_observations,
    unmodelled,
)
from indicators.compute import framework_values
from indicators.definitions import load_frameworks
from indicators.evaluate import PreparedObservations, SpatialContext
from observatory.settings import DisclosureSettings

pytestmark = pytest.mark.slow


def test_every_kind_is_modelled_and_every_indicator_gets_values():
    frameworks = load_frameworks()
    definitions = [d for f in frameworks.values() for d in f.indicators]
    assert unmodelled(frameworks.values()) == []
    plan = observation_plan(frameworks.values())
    assert {"birthplace", "migration_background"} <= {
        dim for table in plan["population_by_birthplace"]
        + plan["population_by_migration_background"] for dim in table}
    assert plan["service_requests"] == [{"category": ["category_1", "category_2",
                                                      "category_3"]}]
    layers = event_layers(d.formula for d in definitions)
    assert {"fire", "waste", "carjacking", "service"} <= set(layers)

    districts, events = synthetic_city(16, 2, layers)
    assert len(districts) == 16 and all(len(e) == 32 for e in events.values())
    observations = place_centres(synthetic_observations(plan, 16, 2), districts)
    spatial = SpatialContext(districts=districts, local_crs="EPSG:32633",
                             events=lambda layer: events[layer])
    prepared = PreparedObservations(observations)
    produced = set().union(*(set(framework_values(f, prepared, DisclosureSettings().min_count,
                                                  spatial)["indicator_id"].str.split(".").str[0])
                             for f in frameworks.values()))
    assert {d.id for d in definitions} <= produced
