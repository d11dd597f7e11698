"""The heat surface binned in the store (``heat_surface.binned_events``: events counted per
lon/lat square, each square at its events' mean) against the exact KDE of every event on the
same grid, on the demo's incidents, on both stores.

Tolerance, stated: the binned surface is within 0.5 % of the exact surface's peak in every
cell, and the rule's bandwidth within 0.5 % of the exact rule's; the events counted and the
surface's mass are exact. (A square is at most 1/2048 of the extent, under half a heat cell:
the error is of the second order in square / bandwidth.)"""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from ingest.jobs import ingest_boundaries, ingest_events
from maps.heat import bandwidth_rule, kde_grid
from observatory.services.heat_surface import NOT_INCIDENTS, HeatRequest, city_heat

TOLERANCE = 5e-3  # of the exact surface's peak, and of the exact bandwidth


@pytest.fixture
def loaded(store, demo):
    ingest_boundaries(store, demo.boundaries, demo.city.slug, demo.boundaries_spec)
    ingest_events(store, demo.incidents, demo.city.slug, demo.incidents_spec)
    return store


def _exact(store, city, overlay, start=None, end=None):
    """Every incident projected one by one, and its KDE on the overlay's grid."""
    events = store.events(city.slug, start=start, end=end)
    events = events[~events["layer"].isin(NOT_INCIDENTS)]
    x, y = Transformer.from_crs("EPSG:4326", overlay.crs, always_xy=True).transform(
        events.geometry.x.to_numpy(), events.geometry.y.to_numpy())
    xy = np.column_stack([x, y])
    height, width = overlay.grid.shape
    cell, west, north = overlay.cell_size_m, overlay.transform.c, overlay.transform.f
    grid, _ = kde_grid(xy, bounds=(west, north - height * cell, west + width * cell, north),
                       cell_size=cell, bandwidth=overlay.bandwidth_m, unit="km2")
    return xy, grid


@pytest.mark.parametrize("request_", [HeatRequest(), HeatRequest("2025-03-01", "2025-06-30",
                                                                 bandwidth="250")],
                         ids=["silverman", "window-250m"])
def test_the_binned_surface_is_the_exact_kde_within_its_tolerance(loaded, demo, request_):
    city = loaded.city(demo.city.slug)
    overlay = city_heat(loaded, city, None, request_)
    xy, exact = _exact(loaded, city, overlay, *request_.window())

    assert overlay.events == len(xy) > 100
    if request_.bandwidth == "silverman":
        assert overlay.bandwidth_m == pytest.approx(bandwidth_rule(xy, "silverman"),
                                                    rel=TOLERANCE)
    assert overlay.grid.shape == exact.shape
    assert np.abs(overlay.grid - exact).max() <= TOLERANCE * exact.max()
    assert overlay.grid.sum() == pytest.approx(exact.sum(), rel=TOLERANCE)
