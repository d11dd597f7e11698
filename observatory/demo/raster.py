"""A population raster in the local CRS whose per-district sums equal the census of the last year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.features import rasterize
from rasterio.transform import Affine

from observatory.demo.census import YEARS, Census
from observatory.demo.geography import Geography

PIXEL_M = 100.0
NODATA = -9999.0


@dataclass(frozen=True)
class PopulationGrid:
    crs: str
    transform: Affine
    persons: np.ndarray  # float32 persons per pixel, NODATA outside the city
    district: np.ndarray  # int, 1-based district index per pixel, 0 outside the city

    def pixel_centres(self) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.indices(self.persons.shape)
        x, y = self.transform @ (cols + 0.5, rows + 0.5)
        return x, y


def build_population_grid(
    geography: Geography, census: Census, rng: np.random.Generator
) -> PopulationGrid:
    minx, miny, maxx, maxy = geography.outline.bounds
    left, top = np.floor(minx / PIXEL_M) * PIXEL_M, np.ceil(maxy / PIXEL_M) * PIXEL_M
    width = int(np.ceil((maxx - left) / PIXEL_M))
    height = int(np.ceil((top - miny) / PIXEL_M))
    transform = Affine(PIXEL_M, 0.0, left, 0.0, -PIXEL_M, top)
    district = rasterize(
        zip(geography.districts.geometry, range(1, len(geography.districts) + 1)),
        out_shape=(height, width),
        transform=transform,
        fill=0,
        dtype="int32",
    )
    grid = PopulationGrid(geography.crs, transform, np.empty((height, width), "float32"), district)
    x, y = grid.pixel_centres()
    weight = np.exp(-np.hypot(x - geography.centre[0], y - geography.centre[1]) / 4_000.0)
    weight *= rng.lognormal(0.0, 0.35, weight.shape)
    weight_sum = np.bincount(district.ravel(), weights=weight.ravel())
    people = np.concatenate([[0.0], census.population(YEARS[-1]).astype(float)])
    persons = people[district] * weight / weight_sum[district]
    grid.persons[:] = np.where(district > 0, persons, NODATA)
    return grid


def write_population_tif(grid: PopulationGrid, path: Path) -> None:
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": 1,
        "height": grid.persons.shape[0],
        "width": grid.persons.shape[1],
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": NODATA,
        "compress": "deflate",
        "predictor": 3,
    }
    with rasterio.open(path, "w", **profile) as out:
        out.write(grid.persons, 1)
        out.update_tags(units="persons per pixel", source="observatory demo city (synthetic)")
