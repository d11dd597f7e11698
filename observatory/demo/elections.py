"""Local elections (2020 and 2024): registered voters by district and whether they voted.

Only nationals vote in local elections; nearly all adult nationals are registered. Turnout is
highest in the centre and lower at the edge and in the worst-off districts, and fell in 2024.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.demo.census import YEARS, Census
from observatory.demo.district_profile import DistrictProfile
from observatory.demo.socioeconomic import ADULT_BANDS
from observatory.demo.tables import key_frame

SUBJECT = (
    "registered voters in local elections by district × year and turnout",
    "الناخبون المسجلون في الانتخابات المحلية حسب الحي والسنة والمشاركة",
)  # the file's title, English and Arabic
ELECTION_YEARS = (2020, 2024)
VOTING_AGE_OF_ADULTS = 0.93  # the 15–17-year-olds in the 15–24 band cannot vote
REGISTERED = 0.95
TURNOUT_CENTRE = 0.58
TURNOUT_DROP_TO_EDGE, TURNOUT_DROP_WITH_DISADVANTAGE = 0.12, 0.08
TURNOUT_CHANGE = np.array([0.0, -0.03])  # per ELECTION_YEARS


def build_elections(
    census: Census, profile: DistrictProfile, rng: np.random.Generator
) -> pd.DataFrame:
    years = [YEARS.index(year) for year in ELECTION_YEARS]
    national_adults = census.counts[:, years][:, :, :, ADULT_BANDS, 0].sum(axis=(2, 3))
    registered = rng.binomial(national_adults, VOTING_AGE_OF_ADULTS * REGISTERED)
    turnout = (
        TURNOUT_CENTRE
        - TURNOUT_DROP_TO_EDGE * profile.edge[:, None]
        - TURNOUT_DROP_WITH_DISADVANTAGE * profile.disadvantage[:, None]
        + TURNOUT_CHANGE[None, :]
        + rng.normal(0.0, 0.02, registered.shape)
    )
    voted = rng.binomial(registered, np.clip(turnout, 0.0, 1.0))
    frame = key_frame(DISTRICT_CODE=census.codes, YEAR=ELECTION_YEARS)
    frame["VOTED"] = voted.ravel()
    frame["DID_NOT_VOTE"] = (registered - voted).ravel()
    return frame
