"""Mobile-phone home-location aggregates per tower and day, by SIM nationality.

Each site counts the operator's subscribers whose modal night location is nearest to it, so
totals follow the population raster; thin groups in thin areas give counts at or below the
disclosure threshold, as real feeds do.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from observatory.demo.census import GROUPS, YEARS, Census
from observatory.demo.raster import PIXEL_M, PopulationGrid

N_SITES = 60
N_DAYS = 30
FIRST_DAY = date(2025, 3, 1)
MARKET_SHARE = 0.35  # the operator's share of residents
METRIC = "home_subscribers"


def build_towers(grid: PopulationGrid, census: Census, rng: np.random.Generator) -> pd.DataFrame:
    inside = grid.district > 0
    x, y = grid.pixel_centres()
    x, y, persons, district = x[inside], y[inside], grid.persons[inside], grid.district[inside]

    # Operators build where people are: sites sit in pixels drawn by population.
    pick = rng.choice(persons.size, N_SITES, replace=False, p=persons / persons.sum())
    sx = x[pick] + rng.uniform(-PIXEL_M / 2, PIXEL_M / 2, N_SITES)
    sy = y[pick] + rng.uniform(-PIXEL_M / 2, PIXEL_M / 2, N_SITES)
    nearest = np.argmin(np.hypot(x[:, None] - sx[None, :], y[:, None] - sy[None, :]), axis=1)

    by_group = census.by_group(YEARS[-1]).astype(float)
    group_share = by_group / by_group.sum(axis=1, keepdims=True)
    residents = persons[:, None] * group_share[district - 1]  # (pixel, group)
    expected = np.stack(
        [np.bincount(nearest, weights=residents[:, g], minlength=N_SITES) for g in range(len(GROUPS))],
        axis=1,
    ) * MARKET_SHARE  # (site, group)
    day_factor = 1.0 + 0.03 * rng.standard_normal((N_SITES, N_DAYS))
    counts = rng.poisson(expected[:, :, None] * day_factor[:, None, :])  # (site, group, day)

    lon, lat = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(sx, sy)
    site, group, day = np.meshgrid(
        np.arange(N_SITES), np.arange(len(GROUPS)), np.arange(N_DAYS), indexing="ij"
    )
    days = [(FIRST_DAY + timedelta(days=int(d))).isoformat() for d in range(N_DAYS)]
    frame = pd.DataFrame(
        {
            "site_id": [f"S{i:03d}" for i in site.ravel() + 1],
            "lon": np.round(lon, 6)[site.ravel()],
            "lat": np.round(lat, 6)[site.ravel()],
            "date": np.array(days)[day.ravel()],
            "metric": METRIC,
            "group": np.array(GROUPS)[group.ravel()],
            "count": counts.ravel(),
        }
    )
    return frame.sort_values(["date", "site_id", "group"], kind="stable", ignore_index=True)


def write_towers_csv(towers: pd.DataFrame, path: Path) -> None:
    towers.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
