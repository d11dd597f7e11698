"""The city outline and its districts: a Voronoi tessellation of seeded points, in the local CRS."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from observatory.demo.names import DISTRICT_NAMES
from observatory.demo.sampling import points_in_polygon

OUTLINE_RADIUS_M = 6_000.0
# Seeds denser and closer together in the centre give small inner districts, large outer ones.
SEED_SPACING_CENTRE_M = 600.0
SEED_SPACING_PER_KM = 150.0
SEED_DENSITY_SCALE_KM = 4.0


@dataclass(frozen=True)
class Geography:
    crs: str
    centre: tuple[float, float]  # x, y in ``crs``
    outline: shapely.Polygon
    districts: gpd.GeoDataFrame  # code, name_en, name_ar, geometry in ``crs``, ordered by code
    radius_m: float = OUTLINE_RADIUS_M  # of the outline before its wobble


def local_centre(centre_lon_lat: tuple[float, float], crs: str) -> tuple[float, float]:
    to_local = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_local.transform(*centre_lon_lat)
    return float(x), float(y)


def city_outline(centre: tuple[float, float], rng: np.random.Generator,
                 radius_m: float = OUTLINE_RADIUS_M) -> shapely.Polygon:
    """A smooth star-shaped blob: a circle whose radius wobbles with a few seeded harmonics."""
    theta = np.linspace(0.0, 2.0 * np.pi, 240, endpoint=False)
    phases = rng.uniform(0.0, 2.0 * np.pi, 3)
    wobble = (
        0.12 * np.sin(2 * theta + phases[0])
        + 0.06 * np.sin(3 * theta + phases[1])
        + 0.03 * np.sin(5 * theta + phases[2])
    )
    radius = radius_m * (1.0 + wobble)
    return shapely.Polygon(
        np.column_stack([centre[0] + radius * np.cos(theta), centre[1] + radius * np.sin(theta)])
    )


def district_seeds(
    outline: shapely.Polygon, centre: tuple[float, float], n: int, rng: np.random.Generator,
    scale: float = 1.0,
) -> np.ndarray:
    """``n`` points in the outline, thinned and spaced more widely away from the centre;
    ``scale``: of the city's radius to the default's, so that a larger city has the same
    pattern, larger."""
    accepted = np.empty((0, 2))
    while len(accepted) < n:
        candidates = points_in_polygon(outline, 200, rng)
        radius_km = (np.hypot(candidates[:, 0] - centre[0], candidates[:, 1] - centre[1])
                     / 1000.0 / scale)
        keep = rng.random(len(candidates)) < np.exp(-radius_km / SEED_DENSITY_SCALE_KM)
        spacing_m = (SEED_SPACING_CENTRE_M + SEED_SPACING_PER_KM * radius_km) * scale
        for point, spacing in zip(candidates[keep], spacing_m[keep]):
            if np.all(np.hypot(*(accepted - point).T) >= spacing):
                accepted = np.vstack([accepted, point])
                if len(accepted) == n:
                    break
    return accepted


def build_geography(
    centre_lon_lat: tuple[float, float], crs: str, rng: np.random.Generator,
    radius_m: float = OUTLINE_RADIUS_M, n_districts: int = len(DISTRICT_NAMES),
) -> Geography:
    """The outline of radius ``radius_m`` and its ``n_districts`` (at most one per name)."""
    centre = local_centre(centre_lon_lat, crs)
    outline = city_outline(centre, rng, radius_m)
    names = DISTRICT_NAMES[:n_districts]
    seeds = district_seeds(outline, centre, len(names), rng, radius_m / OUTLINE_RADIUS_M)
    seeds = seeds[np.argsort(np.hypot(seeds[:, 0] - centre[0], seeds[:, 1] - centre[1]))]
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=outline.buffer(1_000.0), ordered=True
    )
    districts = gpd.GeoDataFrame(
        {
            "code": [f"D{i:02d}" for i in range(1, len(seeds) + 1)],
            "name_en": [en for _, en in names],
            "name_ar": [ar for ar, _ in names],
        },
        geometry=shapely.intersection(shapely.get_parts(cells), outline),
        crs=crs,
    )
    return Geography(crs=crs, centre=centre, outline=outline, districts=districts,
                     radius_m=radius_m)
