"""Resident population by district, year, sex, age band and citizenship, with a planted cluster.

A few contiguous districts east-south-east of the centre get high foreign shares; everywhere
the foreign share grows from 2019 to 2025, so segregation, hot-spot and change measures all
have something real to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from observatory.demo.geography import OUTLINE_RADIUS_M, Geography

YEARS = tuple(range(2019, 2026))
SEX_CODES = ("1", "2")  # male, female: the census spec maps the codes
AGE_BANDS = ("0-14", "15-24", "25-44", "45-64", "65+")
GROUPS = ("national", "syrian", "iraqi", "afghan", "other_foreign")
FOREIGN_MIX = np.array([0.58, 0.16, 0.12, 0.14])  # syrian, iraqi, afghan, other_foreign

# Age structure (share per band) and share male, for nationals and for foreign citizens.
AGE_SHARES = {"national": [0.24, 0.16, 0.30, 0.20, 0.10], "foreign": [0.33, 0.20, 0.33, 0.11, 0.03]}
MALE_SHARE = {"national": 0.50, "foreign": 0.53}

CLUSTER_SIZE = 5
CLUSTER_BEARING_DEG = -20.0  # east-south-east of the centre
ANNUAL_GROWTH = 0.012
SHARE_2019_OF_2025 = 0.55  # foreign shares in 2019 as a fraction of those in 2025


@dataclass(frozen=True)
class Census:
    codes: tuple[str, ...]
    counts: np.ndarray  # int64, shape (district, year, sex, age band, group)
    cluster: tuple[str, ...]  # codes of the planted high-share districts

    def population(self, year: int) -> np.ndarray:
        """Persons per district in ``year``, all groups."""
        return self.counts[:, YEARS.index(year)].sum(axis=(1, 2, 3))

    def by_group(self, year: int) -> np.ndarray:
        """Persons per district and group in ``year``, shape (district, group)."""
        return self.counts[:, YEARS.index(year)].sum(axis=(1, 2))


def plant_cluster(geography: Geography) -> list[int]:
    """Indices of a contiguous block of districts: one mid-ring district and its nearest neighbours."""
    districts = geography.districts
    bearing = np.radians(CLUSTER_BEARING_DEG)
    cx = geography.centre[0] + 0.5 * geography.radius_m * np.cos(bearing)
    cy = geography.centre[1] + 0.5 * geography.radius_m * np.sin(bearing)
    centroids = districts.geometry.centroid
    core = int(np.argmin(np.hypot(centroids.x - cx, centroids.y - cy)))
    core_geom = districts.geometry.iloc[core]
    # Neighbours share an edge, not just a corner, so the block is contiguous for rook and queen.
    shared = districts.geometry.intersection(core_geom).length.to_numpy(copy=True)
    shared[core] = 0.0
    neighbours = np.flatnonzero(shared > 1.0)
    distance = centroids.iloc[neighbours].distance(centroids.iloc[core]).to_numpy()
    return [core, *neighbours[np.argsort(distance)][: CLUSTER_SIZE - 1].tolist()]


def build_census(geography: Geography, target_population: int, rng: np.random.Generator,
                 foreign_scale: float = 1.0, cluster_scale: float = 1.0) -> Census:
    """``foreign_scale`` and ``cluster_scale`` multiply the foreign shares outside and inside
    the planted cluster (1: the demo city's), so that cities differ in diversity."""
    districts = geography.districts
    n = len(districts)
    centroids = districts.geometry.centroid
    # Distances as in a city of the default radius: a larger city has the same shape.
    r_km = (np.hypot(centroids.x - geography.centre[0], centroids.y - geography.centre[1])
            / 1000.0 / (geography.radius_m / OUTLINE_RADIUS_M))
    density = np.exp(-r_km.to_numpy() / 3.5) * rng.lognormal(0.0, 0.25, n)
    pop_2025 = districts.area.to_numpy() * density
    pop_2025 *= target_population / pop_2025.sum()

    cluster = plant_cluster(geography)
    share_2025 = rng.uniform(0.03, 0.09, n) * np.exp(-r_km.to_numpy() / 8.0) * foreign_scale
    share_2025[cluster] = rng.uniform(0.38, 0.48, len(cluster)) * cluster_scale
    mix = rng.dirichlet(40.0 * FOREIGN_MIX, n)  # (district, foreign group)

    t = (np.array(YEARS) - YEARS[0]) / (YEARS[-1] - YEARS[0])
    share = share_2025[:, None] * (SHARE_2019_OF_2025 + (1 - SHARE_2019_OF_2025) * t)[None, :]
    total = pop_2025[:, None] * (1 - ANNUAL_GROWTH) ** (YEARS[-1] - np.array(YEARS))[None, :]
    group_totals = np.concatenate(
        [(total * (1 - share))[..., None], (total * share)[..., None] * mix[:, None, :]], axis=2
    )  # (district, year, group)

    structure = np.stack([_age_sex("national")] + [_age_sex("foreign")] * 4, axis=-1)
    expected = group_totals[:, :, None, None, :] * structure[None, None, :, :, :]
    return Census(
        codes=tuple(districts["code"]),
        counts=rng.poisson(expected).astype(np.int64),
        cluster=tuple(districts["code"].iloc[cluster]),
    )


def _age_sex(kind: str) -> np.ndarray:
    """Share of persons per (sex, age band), summing to 1."""
    sex = np.array([MALE_SHARE[kind], 1 - MALE_SHARE[kind]])
    return sex[:, None] * np.array(AGE_SHARES[kind])[None, :]


def write_census_csv(census: Census, path: Path, title: str) -> None:
    """The wide layout of the census spec: one row per district, year, sex and age band."""
    d, y, s, a = np.meshgrid(
        np.arange(len(census.codes)), np.arange(len(YEARS)), np.arange(2), np.arange(len(AGE_BANDS)),
        indexing="ij",
    )
    frame = pd.DataFrame(
        {
            "DISTRICT_CODE": np.array(census.codes)[d.ravel()],
            "YEAR": np.array(YEARS)[y.ravel()],
            "SEX": np.array(SEX_CODES)[s.ravel()],
            "AGE_BAND": np.array(AGE_BANDS)[a.ravel()],
        }
    )
    for index, group in enumerate(GROUPS):
        frame[group.upper()] = census.counts[..., index].ravel()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(title + "\n")
        frame.to_csv(out, index=False, lineterminator="\n")
