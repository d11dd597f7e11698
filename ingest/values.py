"""What a count and a period may plausibly be, checked on whole columns.

``MAX_COUNT``: no city counts a trillion of anything (people, households, phone subscribers
summed over a month); ``inf`` or ``1e308`` in a table is a broken export, and once summed it
turns every share of its city into 0. Units counting persons or households must be whole
numbers: 0.5 persons is a typo or a rate put into a count column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.settings import ValueSettings

MAX_COUNT = 1e12
WHOLE_UNITS = frozenset({"persons", "people", "residents", "households"})


def count_problems(raw: pd.Series, value: pd.Series, unit: pd.Series) -> pd.Series:
    """A reason per value that is not a plausible count (NA where it is), for parsed
    ``value``s of text ``raw`` in ``unit``."""
    reason = pd.Series(pd.NA, index=value.index, dtype="string")
    numbers = value.astype(float)
    infinite = value.notna() & ~np.isfinite(numbers)
    reason[infinite] = "'" + raw[infinite] + "' is not a finite number: give the count"
    huge = value.notna() & ~infinite & (numbers.abs() > MAX_COUNT)
    reason[huge] = ("'" + raw[huge] + f"' is larger than {MAX_COUNT:.0e}, more than any "
                    "count of a city: check the export")
    whole = unit.isin(WHOLE_UNITS) & value.notna() & ~infinite & ~huge & (numbers % 1 != 0)
    reason[whole] = ("'" + raw[whole] + "' " + unit[whole]
                     + " is not a whole number: a count of " + unit[whole]
                     + " has no fractions (is this a rate or a share?)")
    return reason


def period_range(settings: ValueSettings | None = None) -> tuple[int, int]:
    settings = settings or ValueSettings()
    return settings.earliest_year, settings.latest()


def implausible_years(periods: pd.Series, settings: ValueSettings | None = None) -> pd.Series:
    """True where a period text (``2025`` or ``2025-03``) has a year outside the setting's
    range; NA-safe."""
    first, last = period_range(settings)
    years = pd.to_numeric(periods.str.slice(0, 4), errors="coerce")
    return (years.notna() & ~years.between(first, last)).fillna(False).astype(bool)
