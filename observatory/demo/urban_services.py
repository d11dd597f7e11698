"""District statistics by year for the City Prosperity Index's remaining sub-dimensions:
physicians, life expectancy, youth labour force, land use, fine-particle exposure, electricity
by source, municipal revenue by source and built-up area.

Every column is a sum, so a district's numbers add up to the city's: a mean (life
expectancy, PM2.5) travels as its population-weighted sum (years × residents, µg/m³ ×
residents) beside the residents. Physicians and good air concentrate in the better-off
centre and edge respectively; youth unemployment, like the other rates, rises with
disadvantage; renewable electricity and own-source revenue grow year by year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.demo.census import AGE_BANDS, YEARS, Census
from observatory.demo.district_profile import DistrictProfile
from observatory.demo.tables import key_frame

SUBJECT = (
    ("physicians, life expectancy, youth labour force, land use, PM2.5, electricity, "
    "municipal revenue and built-up area by district × year"),
    ("الأطباء ومتوسط العمر المتوقع والقوى العاملة الشابة واستخدام الأراضي والجسيمات الدقيقة "
    "والكهرباء والإيرادات البلدية والمساحة المبنية حسب الحي والسنة"),
)  # the file's title, English and Arabic
SINCE_FIRST = np.arange(len(YEARS))  # years since the first, 0 … 6
STEP = SINCE_FIRST - SINCE_FIRST[-1]  # years before the latest, -6 … 0

PHYSICIANS_PER_1000 = 2.6  # best-off centre; falls with disadvantage and towards the edge
LIFE_EXPECTANCY_BEST, LIFE_EXPECTANCY_GAP, LIFE_EXPECTANCY_GAIN = 79.0, 7.0, 0.15  # per year
YOUTH_PARTICIPATION = 0.45
YOUTH_UNEMPLOYMENT_BEST, YOUTH_UNEMPLOYMENT_RISE = 0.12, 0.28
LAND_USES = ("residential", "commercial", "industrial", "public", "open")
PM25_CENTRE, PM25_EDGE, PM25_ANNUAL_FALL = 38.0, 16.0, 0.025  # µg/m³
ELECTRICITY_MWH_PER_RESIDENT = 2.2
RENEWABLE_SHARE_2019, RENEWABLE_SHARE_GAIN = 0.07, 0.025  # per year
REVENUE_PER_RESIDENT = 800.0  # USD a year, own-source and transfers together
OWN_REVENUE_SHARE_BEST, OWN_REVENUE_SHARE_FALL = 0.62, 0.30  # with disadvantage
BUILT_UP_SHARE_CENTRE, BUILT_UP_SHARE_DROP = 0.85, 0.45  # of the land, to the edge
BUILT_UP_ANNUAL_GROWTH = 0.012


def build_urban_services(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> pd.DataFrame:
    residents = census.counts.sum(axis=(2, 3, 4))  # (district, year)
    edge, poor = profile.edge[:, None], profile.disadvantage[:, None]
    frame = key_frame(DISTRICT_CODE=census.codes, YEAR=YEARS)
    physicians = PHYSICIANS_PER_1000 * (1 - 0.6 * poor) * (1.3 - 0.6 * edge)
    frame["PHYSICIANS"] = rng.poisson(residents * physicians / 1000).ravel()
    life = (LIFE_EXPECTANCY_BEST - LIFE_EXPECTANCY_GAP * poor + LIFE_EXPECTANCY_GAIN * STEP
            + rng.normal(0.0, 0.3, residents.shape))
    frame["LIFE_YEARS"] = np.rint(life * residents).astype(np.int64).ravel()
    youth = census.counts[:, :, :, AGE_BANDS.index("15-24")].sum(axis=(2, 3))
    active = rng.binomial(youth, YOUTH_PARTICIPATION)
    jobless = rng.binomial(active, np.clip(YOUTH_UNEMPLOYMENT_BEST
                                           + YOUTH_UNEMPLOYMENT_RISE * poor, 0, 1)
                           * np.ones_like(residents))
    frame["YOUTH_EMPLOYED"], frame["YOUTH_UNEMPLOYED"] = (active - jobless).ravel(), jobless.ravel()
    for use, area in _land_use(profile, rng).items():
        frame[f"LAND_{use.upper()}_M2"] = np.outer(area, np.ones(len(YEARS))).astype(np.int64).ravel()
    pm25 = ((PM25_EDGE + (PM25_CENTRE - PM25_EDGE) * (1 - edge) ** 1.5 + 4.0 * poor)
            * (1 - PM25_ANNUAL_FALL) ** SINCE_FIRST
            * rng.lognormal(0.0, 0.05, residents.shape))
    frame["PM25_EXPOSURE"] = np.rint(pm25 * residents).astype(np.int64).ravel()
    electricity = residents * ELECTRICITY_MWH_PER_RESIDENT * rng.lognormal(0.0, 0.05,
                                                                           residents.shape)
    renewable = np.clip(RENEWABLE_SHARE_2019 + RENEWABLE_SHARE_GAIN * SINCE_FIRST
                        + 0.05 * edge + rng.normal(0.0, 0.01, residents.shape), 0, 1)
    frame["ELECTRICITY_RENEWABLE_MWH"] = np.rint(electricity * renewable).astype(np.int64).ravel()
    frame["ELECTRICITY_OTHER_MWH"] = np.rint(electricity * (1 - renewable)).astype(np.int64).ravel()
    revenue = residents * REVENUE_PER_RESIDENT * (1 - 0.3 * poor)
    own = np.clip(OWN_REVENUE_SHARE_BEST - OWN_REVENUE_SHARE_FALL * poor + 0.01 * STEP, 0, 1)
    frame["REVENUE_OWN_USD"] = np.rint(revenue * own).astype(np.int64).ravel()
    frame["REVENUE_TRANSFERS_USD"] = np.rint(revenue * (1 - own)).astype(np.int64).ravel()
    built = np.clip(BUILT_UP_SHARE_CENTRE - BUILT_UP_SHARE_DROP * edge, 0.2, 0.95) * (
        (1 + BUILT_UP_ANNUAL_GROWTH) ** STEP)
    frame["BUILT_UP_AREA_M2"] = np.rint(profile.area_m2[:, None] * built).astype(np.int64).ravel()
    return frame


def _land_use(profile: DistrictProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """m² of the district's land per use: commerce in the centre, industry and open land at
    the edge, the rest residential and public."""
    edge = profile.edge
    weights = np.column_stack([
        0.45 + 0.10 * edge, 0.04 + 0.25 * (1 - edge) ** 2, 0.02 + 0.15 * edge ** 2,
        np.full(len(edge), 0.10), 0.03 + 0.25 * edge,
    ]) * rng.lognormal(0.0, 0.15, (len(edge), len(LAND_USES)))
    shares = weights / weights.sum(axis=1, keepdims=True)
    return {use: np.rint(profile.area_m2 * shares[:, i]) for i, use in enumerate(LAND_USES)}
