"""The projected CRS a city's metric work happens in (areas, kernels, simplification).

In the core, beside the models, so that ingest (which cannot import the services) can use the
same rule as the maps."""

from __future__ import annotations

import geopandas as gpd

from observatory.models import City


def local_crs(city: City | None, *frames: gpd.GeoDataFrame) -> str:
    """The city's own local CRS; else the UTM zone of the first of ``frames`` with rows."""
    return metric_crs(city.local_crs if city is not None else None, *frames,
                      name=city.slug if city is not None else "the city")


def metric_crs(declared: str | None, *frames: gpd.GeoDataFrame, name: str = "the city") -> str:
    """``declared`` (a city's or a spec's local CRS) when given; else the UTM zone of the first
    of ``frames`` with rows."""
    if declared:
        return declared
    for frame in frames:
        if not frame.empty:
            return frame.estimate_utm_crs().to_string()
    raise ValueError(
        f"{name} has no local CRS and nothing to guess one from; set local_crs in the city "
        "block of its boundaries spec (e.g. local_crs: EPSG:32636) and ingest it again"
    )
