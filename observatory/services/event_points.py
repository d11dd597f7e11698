"""The events a map page carries: every event while the city has few, and for a layer too
large to draw one by one (a million geotagged posts), its exact count per grid cell and day,
so the page stays a few megabytes whatever the number of events and its time filter still
counts exactly."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import shapely

from observatory.store import Store

# Points (events or cells) one page carries over all its layers: about 60–100 bytes each in
# the page, so ~3 MB at most beside the choropleth.
PAGE_POINTS = 30_000


def page_events(store: Store, city: str, statuses: tuple[str, ...] = ("published",),
                budget: int = PAGE_POINTS) -> gpd.GeoDataFrame:
    """The city's events as :func:`maps.city_map.event_layers` takes them; a layer past its
    share of ``budget`` comes as cells with an ``events`` column (its count)."""
    sizes = store.event_layer_sizes(city, statuses)
    if sizes.empty or int(sizes["events"].sum()) <= budget:
        return store.events(city, statuses=statuses)
    share = max(1, budget // len(sizes))
    parts = [store.events(city, layer=row.layer, statuses=statuses)
             if row.events <= share else _cells(store, city, row, share, statuses)
             for row in sizes.itertuples()]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs="EPSG:4326")


def _cells(store: Store, city: str, size, share: int,
           statuses: tuple[str, ...]) -> gpd.GeoDataFrame:
    # cells across × cells up × days ≤ share: the grid coarsens with the days a layer spans.
    across = max(1, math.isqrt(share // max(1, int(size.days))))
    span = max(size.east - size.west, size.north - size.south, 1e-9)
    cell = span / across * (1 + 1e-9)  # the layer's east and north edges fall inside
    found = store.event_day_cells(city, size.layer, cell=cell, west=size.west,
                                  south=size.south, statuses=statuses)
    occurred = pd.to_datetime(found["day"]).dt.tz_localize("UTC")
    return gpd.GeoDataFrame(
        {"id": None, "layer": size.layer, "occurred_at": occurred, "attributes": None,
         "status": "published", "events": found["events"].astype("int64")},
        geometry=shapely.points(found["lon"].to_numpy(float), found["lat"].to_numpy(float)),
        crs="EPSG:4326")
