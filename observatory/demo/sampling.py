"""Seeded random points inside polygons, drawn in batches (vectorised, no per-point loop)."""

from __future__ import annotations

import numpy as np
import shapely


def points_in_polygon(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniformly distributed in ``polygon``, as an (n, 2) array of x, y."""
    minx, miny, maxx, maxy = polygon.bounds
    fill = polygon.area / ((maxx - minx) * (maxy - miny))
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        batch = int((n - have) / fill * 1.3) + 8
        xy = np.column_stack(
            [rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)]
        )
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(xy)
        have += len(xy)
    return np.concatenate(found)[:n]
