"""Web-mercator tile arithmetic for the tile queries: a tile's lon/lat box, and the grid that
counts the events of a crowded tile."""

from __future__ import annotations

import math

HALF_WORLD_M = 20037508.342789244  # half the web-mercator world's width, metres
# A tile carries its events one by one up to MAX_POINTS (a few hundred KB with their
# properties); past that, one point per cell of a GRID × GRID grid (64 px of a 4096 extent)
# with the exact count, at most 4,096 features of one integer each.
MAX_POINTS = 2_000
GRID = 64


def lonlat_bounds(z: int, x: int, y: int) -> dict[str, float]:
    """The tile's ``west``, ``south``, ``east``, ``north`` in degrees."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return {"west": x / n * 360 - 180, "east": (x + 1) / n * 360 - 180,
            "south": lat(y + 1), "north": lat(y)}


def grid(z: int, x: int, y: int) -> dict[str, float]:
    """The tile's south-west corner in web-mercator metres and the side of a grid cell."""
    size = 2 * HALF_WORLD_M / 2**z
    return {"tile_minx": -HALF_WORLD_M + x * size, "tile_miny": HALF_WORLD_M - (y + 1) * size,
            "cell": size / GRID}
