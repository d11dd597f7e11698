"""Tiny GeoTIFFs on a 10 m UTM 33N grid, and shapes given in that grid's pixel coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import Affine
from shapely.geometry import Polygon, box

# Top-left corner of the grid, in UTM 33N metres; pixels are CELL metres square.
ORIGIN_X, ORIGIN_Y, CELL = 500_000.0, 5_000_000.0, 10.0
UTM = "EPSG:32633"


def write_raster(path: Path, values: np.ndarray, *, crs: str | None = UTM, nodata=None) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
        dtype=values.dtype, crs=crs, transform=Affine(CELL, 0.0, ORIGIN_X, 0.0, -CELL, ORIGIN_Y),
        nodata=nodata,
    ) as dst:
        dst.write(values, 1)
    return path


def grid_xy(col: float, row: float) -> tuple[float, float]:
    """UTM coordinates of a point given in pixel coordinates (columns right, rows down)."""
    return ORIGIN_X + col * CELL, ORIGIN_Y - row * CELL


def pixel_box(col0: float, row0: float, col1: float, row1: float):
    (left, top), (right, bottom) = grid_xy(col0, row0), grid_xy(col1, row1)
    return box(left, bottom, right, top)


def pixel_polygon(*corners):
    return Polygon([grid_xy(col, row) for col, row in corners])
