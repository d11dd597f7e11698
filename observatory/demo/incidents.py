"""Point incidents (fire, waste, carjacking) with real hot spots plus uniform background noise.

Hot spots sit at fixed offsets from the centre (not at the migrant cluster: the demo must not
suggest that migrants cause incidents), so tests and heat maps know where to look.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from observatory.demo.geography import Geography
from observatory.demo.sampling import points_in_polygon

# layer: (number of incidents, hot-spot offset from the centre in metres, hot-spot spread in m)
LAYERS = {
    "fire": (600, (-2_000.0, 2_500.0), 350.0),
    "waste": (1_500, (-600.0, 500.0), 300.0),
    "carjacking": (900, (-2_800.0, -1_800.0), 400.0),
}
CLUSTERED_SHARE = 0.7
DETAILS = {
    "fire": ("building", "vehicle", "rubbish_bin", "grass"),
    "waste": ("overflowing_container", "illegal_dumping", "missed_collection"),
    "carjacking": ("armed", "unarmed", "attempted"),
}
YEAR_START = datetime(2025, 1, 1)
UTC_OFFSET = "+03:00"


def hotspot_centres(centre: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """Planted hot-spot centre of each layer, given the city centre in the local CRS."""
    cx, cy = centre
    return {layer: (cx + dx, cy + dy) for layer, (_, (dx, dy), _) in LAYERS.items()}


def build_incidents(geography: Geography, rng: np.random.Generator) -> gpd.GeoDataFrame:
    outline = geography.outline
    shapely.prepare(outline)
    parts = []
    for layer, (n, _, spread) in LAYERS.items():
        n_clustered = int(n * CLUSTERED_SHARE)
        centre = np.array(hotspot_centres(geography.centre)[layer])
        near = centre + rng.normal(0.0, spread, (2 * n_clustered, 2))
        near = near[shapely.contains_xy(outline, near[:, 0], near[:, 1])][:n_clustered]
        xy = np.vstack([near, points_in_polygon(outline, n - len(near), rng)])
        night = layer == "carjacking"
        hours = (rng.integers(18, 28, n) % 24) if night else rng.integers(6, 23, n)
        times = [
            YEAR_START + timedelta(days=int(d), hours=int(h), minutes=int(m))
            for d, h, m in zip(rng.integers(0, 365, n), hours, rng.integers(0, 60, n))
        ]
        parts.append(
            gpd.GeoDataFrame(
                {
                    "layer": layer,
                    "time": [t.isoformat() + UTC_OFFSET for t in times],
                    "severity": rng.choice([1, 2, 3], n, p=[0.6, 0.3, 0.1]),
                    "detail": np.array(DETAILS[layer])[rng.integers(0, len(DETAILS[layer]), n)],
                },
                geometry=shapely.points(xy),
                crs=geography.crs,
            )
        )
    incidents = pd.concat(parts, ignore_index=True)
    incidents = incidents.sort_values(["time", "layer"], kind="stable", ignore_index=True)
    incidents.insert(0, "id", [f"I{i:05d}" for i in range(1, len(incidents) + 1)])
    return incidents
