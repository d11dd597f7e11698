"""Lighter district geometry for web maps, simplified as one coverage so borders stay shared.

Simplifying each district on its own moves a shared border differently on either side and opens
slivers and overlaps between neighbours. ``shapely.coverage_simplify`` simplifies every shared
edge once, for both districts. The tolerance is metres, so the work happens in the city's local
projected CRS; the result goes back to EPSG:4326, where every shared vertex lands on the same
coordinates on both sides because it is the same input vertex transformed the same way.
The coordinates are then rounded to the fewest decimals that move no vertex more than a tenth of
the tolerance: a shared vertex rounds the same way on both sides, and the map's text halves.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import shapely

# Invisible at street-level zoom on a screen, yet drops most vertices of surveyed boundaries.
DEFAULT_TOLERANCE_M = 10.0
# Metres in a degree of latitude, and at most in a degree of longitude.
METRES_PER_DEGREE = 111_320.0


class CoverageWarning(UserWarning):
    """The districts overlap or leave gaps, so simplification may not keep every border shared."""


def simplify_districts(
    districts: gpd.GeoDataFrame, local_crs: str, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """``districts`` with their geometry simplified as a coverage, returned in EPSG:4326.

    ``tolerance_m`` is, roughly, the largest distance a border may move, in metres; rounding
    the coordinates adds at most a tenth of it (see :func:`decimals_for`). Districts
    that overlap or do not meet exactly are still simplified, with a :class:`CoverageWarning`,
    since the boundaries file is what needs fixing.
    """
    if not tolerance_m > 0:
        raise ValueError(f"tolerance_m must be a positive number of metres, not {tolerance_m}")
    if districts.crs is None:
        raise ValueError("districts have no CRS; set it (EPSG:4326 as stored) before simplifying")
    if districts.empty:
        return districts.to_crs(4326)
    local = districts.to_crs(local_crs)
    if not shapely.coverage_is_valid(local.geometry.values):
        warnings.warn(
            "the districts overlap or leave gaps between them, so simplified borders may not "
            "match exactly; repair the boundaries file (e.g. snap it in a GIS) and ingest it again",
            CoverageWarning,
            stacklevel=2,
        )
    simplified = shapely.coverage_simplify(local.geometry.values, tolerance_m)
    lonlat = local.set_geometry(simplified, crs=local.crs).to_crs(4326)
    decimals = decimals_for(tolerance_m)
    return lonlat.set_geometry(
        shapely.transform(lonlat.geometry.values, lambda xy: np.round(xy, decimals)), crs=4326
    )


def decimals_for(tolerance_m: float) -> int:
    """Decimals of a degree whose rounding (half a unit) moves a point ≤ tolerance_m / 10."""
    return max(0, math.ceil(-math.log10(2 * (tolerance_m / 10) / METRES_PER_DEGREE)))
