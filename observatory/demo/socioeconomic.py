"""District statistics by year: product, land use, road deaths, thefts, literacy and poverty.

Product per resident runs from about 9,000 USD PPP in the worst-off districts to about 25,000
in the best-off centre, dips in 2020 and grows after; streets take a larger share of the dense
centre, green space a larger share of the edge; thefts concentrate in the commercial centre,
road deaths on the outer arterials. Literacy and poverty follow each citizenship group's own
rates, so they move with the census's foreign shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.demo.census import AGE_BANDS, YEARS, Census
from observatory.demo.district_profile import DistrictProfile
from observatory.demo.tables import key_frame

SUBJECT = (
    "product, land use, road deaths, thefts, literacy and poverty by district × year",
    "الناتج واستخدام الأراضي ووفيات الطرق والسرقات والإلمام بالقراءة والكتابة والفقر حسب الحي والسنة",
)  # the file's title, English and Arabic
PRODUCT_PER_CAPITA_WORST = 8_800.0  # USD PPP, 2025
PRODUCT_PER_CAPITA_RANGE = 16_500.0
PRODUCT_BY_YEAR = np.array([0.93, 0.87, 0.91, 0.95, 0.97, 0.985, 1.0])  # real, per YEARS

STREET_SHARE_CENTRE, STREET_SHARE_DROP_TO_EDGE = 0.26, 0.13
GREEN_SHARE_CENTRE, GREEN_SHARE_RISE_TO_EDGE = 0.012, 0.035
GREEN_ANNUAL_GROWTH = 0.02  # new parks

FATALITIES_PER_100K_CENTRE, FATALITIES_PER_100K_RISE_TO_EDGE = 7.0, 12.0
THEFTS_PER_100K_EDGE, THEFTS_PER_100K_RISE_TO_CENTRE = 350.0, 1_400.0

ADULT_BANDS = [AGE_BANDS.index(band) for band in ("15-24", "25-44", "45-64", "65+")]
# Per citizenship group, in the order of census GROUPS; the nationals' illiteracy also rises
# towards the edge (older, poorer neighbourhoods), everyone's poverty with disadvantage.
ILLITERACY_2025 = np.array([0.03, 0.14, 0.12, 0.35, 0.15])
ILLITERACY_NATIONAL_RISE_TO_EDGE = 0.06
ILLITERACY_ANNUAL_FALL = 0.03
POVERTY = np.array([0.06, 0.30, 0.28, 0.36, 0.24])
POVERTY_RISE_WITH_DISADVANTAGE = np.array([0.18, 0.15, 0.15, 0.15, 0.15])
POVERTY_BY_YEAR = np.array([1.0, 1.15, 1.12, 1.06, 1.02, 1.0, 0.98])  # per YEARS


def build_socioeconomic(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> pd.DataFrame:
    residents = census.counts.sum(axis=(2, 3, 4))  # (district, year)
    frame = key_frame(DISTRICT_CODE=census.codes, YEAR=YEARS)
    frame["GROSS_PRODUCT"] = _gross_product(residents, profile, rng).ravel()
    for column, values in _land(profile, rng).items():
        frame[column] = values.ravel()
    frame["TRAFFIC_FATALITIES"] = _per_100k(
        residents,
        FATALITIES_PER_100K_CENTRE + FATALITIES_PER_100K_RISE_TO_EDGE * profile.edge,
        rng,
    ).ravel()
    frame["THEFTS"] = _per_100k(
        residents,
        THEFTS_PER_100K_EDGE + THEFTS_PER_100K_RISE_TO_CENTRE * (1 - profile.edge) ** 2,
        rng,
    ).ravel()
    literate, illiterate = _literacy(census, profile, rng)
    frame["ADULTS_LITERATE"], frame["ADULTS_ILLITERATE"] = literate.ravel(), illiterate.ravel()
    below, above = _poverty(census, profile, rng)
    frame["POVERTY_BELOW_LINE"], frame["POVERTY_ABOVE_LINE"] = below.ravel(), above.ravel()
    return frame


def _gross_product(
    residents: np.ndarray, profile: DistrictProfile, rng: np.random.Generator
) -> np.ndarray:
    per_capita = (
        PRODUCT_PER_CAPITA_WORST
        + PRODUCT_PER_CAPITA_RANGE * (1 - profile.disadvantage[:, None]) ** 1.5
    ) * PRODUCT_BY_YEAR[None, :] * rng.lognormal(0.0, 0.03, residents.shape)
    return np.rint(per_capita * residents).astype(np.int64)


def _land(profile: DistrictProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Land, street and green area in m²: land is the district's area, streets a fixed share
    of it, green space a share that grows a little every year."""
    n, years = len(profile.codes), np.array(YEARS)
    land = np.rint(profile.area_m2)
    street_share = np.clip(
        STREET_SHARE_CENTRE - STREET_SHARE_DROP_TO_EDGE * profile.edge + rng.normal(0, 0.015, n),
        0.08, 0.32,
    )
    green_share = (
        (GREEN_SHARE_CENTRE + GREEN_SHARE_RISE_TO_EDGE * profile.edge)
        * (1 - 0.5 * profile.disadvantage)
        * rng.lognormal(0.0, 0.2, n)
    )
    growth = (1 + GREEN_ANNUAL_GROWTH) ** (years - YEARS[-1])
    constant = np.ones(len(years))
    return {
        "LAND_AREA_M2": np.outer(land, constant).astype(np.int64),
        "STREET_AREA_M2": np.rint(np.outer(land * street_share, constant)).astype(np.int64),
        "GREEN_AREA_M2": np.rint(np.outer(land * green_share, growth)).astype(np.int64),
    }


def _per_100k(residents: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.poisson(residents * rate[:, None] / 100_000)


def _literacy(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    adults = census.counts[:, :, :, ADULT_BANDS].sum(axis=(2, 3))  # (district, year, group)
    rate = np.broadcast_to(ILLITERACY_2025, adults.shape).copy()
    rate[..., 0] += ILLITERACY_NATIONAL_RISE_TO_EDGE * profile.edge[:, None]
    rate *= (1 + ILLITERACY_ANNUAL_FALL) ** (YEARS[-1] - np.array(YEARS))[None, :, None]
    illiterate = rng.binomial(adults, rate).sum(axis=2)
    return adults.sum(axis=2) - illiterate, illiterate


def _poverty(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    persons = census.counts.sum(axis=(2, 3))  # (district, year, group)
    rate = (
        POVERTY[None, None, :]
        + POVERTY_RISE_WITH_DISADVANTAGE[None, None, :] * profile.disadvantage[:, None, None]
    ) * POVERTY_BY_YEAR[None, :, None]
    below = rng.binomial(persons, rate).sum(axis=2)
    return below, persons.sum(axis=2) - below
