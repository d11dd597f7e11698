"""Household survey: households by district and year, split five ways (water, sanitation,
shelter, internet, waste collection), each split a separate pair of columns.

Households number about residents / 4.5 (larger where more residents are foreign). Coverage
is nearly full in the best-off districts and falls steeply only in the worst-off ones (the
migrant cluster), and improves every year; the best-served small districts have single-digit
unserved counts, which the disclosure rule suppresses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatory.demo.census import YEARS, Census
from observatory.demo.district_profile import DistrictProfile
from observatory.demo.tables import key_frame

SUBJECT = (
    "households by district × year, by water, sanitation, shelter, internet and waste collection",
    "الأسر حسب الحي والسنة والمياه والصرف الصحي والمسكن والإنترنت وجمع النفايات",
)  # the file's title, English and Arabic
HOUSEHOLD_SIZE_NATIONAL = 4.3
HOUSEHOLD_SIZE_EXTRA_FOREIGN = 1.2  # added per unit of foreign share


@dataclass(frozen=True)
class Service:
    name: str  # the dimension key
    served: str  # its two values
    unserved: str
    best: float  # unserved share in 2025, best-off district
    worst: float  # and worst-off district
    annual_gain: float  # yearly fall of the unserved share


SERVICES = (
    Service("water", "improved", "unimproved", 0.003, 0.08, 0.04),
    Service("sanitation", "improved", "unimproved", 0.01, 0.16, 0.04),
    Service("shelter", "durable", "non_durable", 0.006, 0.14, 0.03),
    Service("internet", "connected", "not_connected", 0.10, 0.45, 0.08),
    Service("waste", "collected", "not_collected", 0.02, 0.22, 0.05),
)


def column_name(service: Service, value: str) -> str:
    return f"{service.name}_{value}".upper()


def build_households(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> pd.DataFrame:
    residents = census.counts.sum(axis=(2, 3, 4)).astype(float)  # (district, year)
    foreign_share = 1.0 - census.counts[..., 0].sum(axis=(2, 3)) / residents
    size = HOUSEHOLD_SIZE_NATIONAL + HOUSEHOLD_SIZE_EXTRA_FOREIGN * foreign_share
    households = np.rint(residents / size).astype(np.int64)
    years_before_last = YEARS[-1] - np.array(YEARS)
    frame = key_frame(DISTRICT_CODE=census.codes, YEAR=YEARS)
    for service in SERVICES:
        share_2025 = service.best + (service.worst - service.best) * profile.disadvantage**2
        share = share_2025[:, None] * (1 + service.annual_gain) ** years_before_last[None, :]
        unserved = rng.binomial(households, np.clip(share, 0.0, 1.0))
        frame[column_name(service, service.served)] = (households - unserved).ravel()
        frame[column_name(service, service.unserved)] = unserved.ravel()
    return frame
