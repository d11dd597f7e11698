"""Labour-force survey: employed and unemployed residents aged 15–64 by district, year, sex and
citizenship, drawn from the census's working-age population.

Foreign citizens are more often unemployed and far fewer foreign women are in work, so the
unemployment gap is positive and the women's-employment gap negative; unemployment also rises
with a district's disadvantage and peaks in 2020. Thin groups in thin districts give cells at
or below the disclosure threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.demo.census import AGE_BANDS, SEX_CODES, YEARS, Census
from observatory.demo.district_profile import DistrictProfile
from observatory.demo.tables import key_frame

SUBJECT = (
    "labour force aged 15–64 by district × year × sex × citizenship",
    "القوى العاملة (15–64 سنة) حسب الحي والسنة والجنس والجنسية",
)  # the file's title, English and Arabic
WORKING_AGE = [AGE_BANDS.index(band) for band in ("15-24", "25-44", "45-64")]
CITIZENSHIP_CODES = ("NAT", "SYR", "IRQ", "AFG", "OTH")  # in the order of census GROUPS

# Rates per sex (male, female) × citizenship group (in the order of census GROUPS), for a
# district of disadvantage 0.4 in 2019.
PARTICIPATION = np.array(
    [[0.70, 0.74, 0.72, 0.78, 0.76], [0.24, 0.11, 0.14, 0.07, 0.18]]
)
UNEMPLOYMENT = np.array(
    [[0.085, 0.16, 0.14, 0.18, 0.13], [0.15, 0.26, 0.23, 0.29, 0.22]]
)
UNEMPLOYMENT_BY_YEAR = np.array([1.00, 1.30, 1.22, 1.08, 1.00, 0.96, 0.93])  # per YEARS


def build_labour_force(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> pd.DataFrame:
    working_age = census.counts[:, :, :, WORKING_AGE].sum(axis=3)  # (district, year, sex, group)
    disadvantage = profile.disadvantage[:, None, None, None]
    participation = PARTICIPATION[None, None] * (1.05 - 0.1 * disadvantage)
    unemployment = (
        UNEMPLOYMENT[None, None]
        * (0.75 + 0.6 * disadvantage)
        * UNEMPLOYMENT_BY_YEAR[None, :, None, None]
    )
    labour = rng.binomial(working_age, participation)
    unemployed = rng.binomial(labour, unemployment)
    frame = key_frame(
        DISTRICT_CODE=census.codes, YEAR=YEARS, SEX=SEX_CODES, CITIZENSHIP=CITIZENSHIP_CODES
    )
    frame["EMPLOYED"] = (labour - unemployed).ravel()
    frame["UNEMPLOYED"] = unemployed.ravel()
    return frame

