"""Mobile-phone aggregates per tower and month, by SIM nationality: the monthly home-location
and daytime-presence counts of the city's operators, pooled (as a regulator or a data
partnership delivers them).

Each site counts, once a month, the subscribers whose modal night-time location (home) and
modal working-hours location (daytime) is nearest to it, so both metrics add up over sites.
Residents follow the census, interpolated between its years and carried on its last trend
after them (2026 has no census), spread over pixels like the population raster. The operators'
market share differs by SIM nationality and, a little, by district (a district's shops, a
tariff popular in one area), so a calibration against the census has a real error to report.
By day a share of residents commutes towards the centre. Thin groups in thin areas give counts
at or below the disclosure threshold, as real feeds do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from observatory.demo.census import GROUPS, YEARS, Census
from observatory.demo.raster import PopulationGrid

N_SITES = 120
FIRST_MONTH = (2024, 1)  # months 2024-01 … 2026-06: two census years, then none
N_MONTHS = 30
# The operators' share of residents per SIM nationality (national, syrian, iraqi, afghan,
# other_foreign): about 85 % overall (children and visitors' foreign SIMs are the rest).
MARKET_SHARE = np.array([0.85, 0.9, 0.8, 0.72, 0.88])
DISTRICT_SPREAD = 0.08  # log-sd of a district's market share around its group's
MONTHLY_NOISE = 0.02
STAY_BY_DAY = 0.6  # share of residents whose daytime tower is their home tower's area
WORK_SCALE_M = 2500.0  # jobs fall off with distance from the centre on this scale
HOME, DAYTIME = "home_subscribers", "daytime_presence"


def months() -> list[tuple[int, int]]:
    year, month = FIRST_MONTH
    out = []
    for k in range(N_MONTHS):
        y, m = divmod(month - 1 + k, 12)
        out.append((year + y, m + 1))
    return out


def residents_by_group(census: Census, year: int, month: int) -> np.ndarray:
    """Residents per district and group in ``month``: the census years (each the mean of its
    months, i.e. as of mid-year) interpolated linearly; after the last one, carried on the
    last year's growth factor (which, unlike a straight line, never goes below zero)."""
    t = year + (month - 0.5) / 12 - 0.5
    if t <= YEARS[-1]:
        first = min(max(int(np.floor(t)), YEARS[0]), YEARS[-2])
        lower, upper = census.by_group(first), census.by_group(first + 1)
        return lower + (t - first) * (upper - lower).astype(float)
    lower, upper = census.by_group(YEARS[-2]).astype(float), census.by_group(YEARS[-1])
    growth = np.divide(upper, lower, out=np.ones_like(lower), where=lower > 0)
    return upper * growth ** (t - YEARS[-1])


def build_towers(grid: PopulationGrid, census: Census, rng: np.random.Generator) -> pd.DataFrame:
    inside = grid.district > 0
    x, y = grid.pixel_centres()
    x, y, persons, district = x[inside], y[inside], grid.persons[inside], grid.district[inside]

    # Operators build where people are: sites sit in pixels drawn by population, at their
    # centres (inside the city, as a pixel is the city's when its centre is).
    pick = rng.choice(persons.size, N_SITES, replace=False, p=persons / persons.sum())
    sx, sy = x[pick], y[pick]
    nearest = np.argmin(np.hypot(x[:, None] - sx[None, :], y[:, None] - sy[None, :]), axis=1)

    # The raster is of the last census year: a pixel's share of its district's residents.
    in_district = persons / np.bincount(district, weights=persons)[district]
    penetration = MARKET_SHARE[None, :] * rng.lognormal(
        0.0, DISTRICT_SPREAD, (len(census.codes), len(GROUPS)))  # (district, group)
    centre = np.array([np.average(x, weights=persons), np.average(y, weights=persons)])
    jobs = persons * np.exp(-np.hypot(x - centre[0], y - centre[1]) / WORK_SCALE_M)
    job_share = np.bincount(nearest, weights=jobs, minlength=N_SITES) / jobs.sum()

    calendar = months()
    counts = np.empty((2, N_SITES, len(GROUPS), len(calendar)), dtype=np.int64)
    for k, (year, month) in enumerate(calendar):
        subscribers = (in_district[:, None] * residents_by_group(census, year, month)[district - 1]
                       * penetration[district - 1])  # (pixel, group)
        home = np.stack([np.bincount(nearest, weights=subscribers[:, g], minlength=N_SITES)
                         for g in range(len(GROUPS))], axis=1)  # (site, group)
        daytime = STAY_BY_DAY * home + (1 - STAY_BY_DAY) * job_share[:, None] * home.sum(axis=0)
        noise = 1.0 + MONTHLY_NOISE * rng.standard_normal((2, N_SITES, 1))
        counts[:, :, :, k] = rng.poisson(np.stack([home, daytime]) * noise)

    lon, lat = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(sx, sy)
    metric, site, group, when = np.meshgrid(
        np.arange(2), np.arange(N_SITES), np.arange(len(GROUPS)), np.arange(len(calendar)),
        indexing="ij")
    dates = np.array([f"{year}-{month:02d}-01" for year, month in calendar])
    frame = pd.DataFrame(
        {
            "site_id": [f"S{i:03d}" for i in site.ravel() + 1],
            "lon": np.round(lon, 6)[site.ravel()],
            "lat": np.round(lat, 6)[site.ravel()],
            "date": dates[when.ravel()],
            "metric": np.array([HOME, DAYTIME])[metric.ravel()],
            "group": np.array(GROUPS)[group.ravel()],
            "count": counts.ravel(),
        }
    )
    return frame.sort_values(["date", "metric", "site_id", "group"], kind="stable",
                             ignore_index=True)


def write_towers_csv(towers: pd.DataFrame, path: Path) -> None:
    towers.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
