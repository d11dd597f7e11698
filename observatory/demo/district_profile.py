"""What sets the demo districts apart, shared by the socio-economic tables.

One number per district, ``disadvantage`` (0 best, 1 worst), drives every rate: it grows
towards the edge of the city and, much more, with the foreign share, so the planted migrant
cluster has the lowest service coverage and the equity gaps have something to show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatory.demo.census import YEARS, Census
from observatory.demo.geography import Geography

WEIGHT_EDGE = 0.35  # of the distance from the centre, 0 at the centre and 1 at the edge
WEIGHT_FOREIGN = 0.65  # of the foreign share, relative to the highest district's
NOISE_SD = 0.05


@dataclass(frozen=True)
class DistrictProfile:
    codes: tuple[str, ...]
    area_m2: np.ndarray  # measured in the local CRS
    edge: np.ndarray  # distance of the centroid from the centre, 0 (centre) to 1 (farthest)
    disadvantage: np.ndarray  # 0 (best off) to 1 (worst off)


def build_district_profile(
    geography: Geography, census: Census, rng: np.random.Generator
) -> DistrictProfile:
    districts = geography.districts
    centroids = districts.geometry.centroid
    distance = np.hypot(centroids.x - geography.centre[0], centroids.y - geography.centre[1])
    edge = (distance / distance.max()).to_numpy()
    by_group = census.by_group(YEARS[-1])
    foreign_share = 1.0 - by_group[:, 0] / by_group.sum(axis=1)
    disadvantage = (
        WEIGHT_EDGE * edge
        + WEIGHT_FOREIGN * foreign_share / foreign_share.max()
        + rng.normal(0.0, NOISE_SD, len(edge))
    )
    return DistrictProfile(
        codes=census.codes,
        area_m2=districts.area.to_numpy(),
        edge=edge,
        disadvantage=np.clip(disadvantage, 0.0, 1.0),
    )
