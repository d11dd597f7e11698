"""Welcome and service locations: more where foreign residents live, but not only there."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from observatory.demo.census import YEARS, Census
from observatory.demo.geography import Geography
from observatory.demo.names import SERVICE_TYPES
from observatory.demo.sampling import points_in_polygon

N_SERVICE_POINTS = 25


def build_service_points(
    geography: Geography, census: Census, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    districts = geography.districts
    # Square root of demand: services follow need, but some districts with need have none.
    weight = np.sqrt(census.by_group(YEARS[-1])[:, 1:].sum(axis=1).astype(float))
    chosen = rng.choice(len(districts), N_SERVICE_POINTS, p=weight / weight.sum())
    kinds = rng.integers(0, len(SERVICE_TYPES), N_SERVICE_POINTS)
    points = [points_in_polygon(districts.geometry.iloc[d], 1, rng)[0] for d in chosen]
    rows = [
        {
            "id": f"SP{i:02d}",
            "type": SERVICE_TYPES[k][0],
            "name_en": f"{SERVICE_TYPES[k][1]} {districts['name_en'].iloc[d]}",
            "name_ar": f"{SERVICE_TYPES[k][2]} في {districts['name_ar'].iloc[d]}",
        }
        for i, (d, k) in enumerate(zip(chosen, kinds), start=1)
    ]
    return gpd.GeoDataFrame(rows, geometry=shapely.points(points), crs=geography.crs)
