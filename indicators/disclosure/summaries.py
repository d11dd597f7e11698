"""The gate for summaries computed on request from counts (segregation): what a caller who
may not see counts is given."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from indicators.disclosure.primary import small_counts
from indicators.disclosure.rounding import round_significant

COUNT_KEYS = ("group_total", "population")
# Feeds whose observations count persons in personal-data records (methodology §6): their
# counts are never served to the public, in any form.
PERSONAL_DATA_FEEDS = frozenset({"admin"})


def release_summary(summary: dict[str, Any], *, min_count: int, digits: int) -> dict[str, Any]:
    """``summary`` without its counts, every measure rounded to ``digits`` significant digits,
    and every measure withheld (None, ``suppressed`` true) when the group or the rest of the
    population is at or below ``min_count``: then a measure would describe a handful of
    people."""
    group_total = summary.get("group_total", math.nan)
    rest = summary.get("population", math.nan) - group_total
    small = bool(small_counts(np.array([[group_total, rest]]), min_count)[0])
    return {key: (None if small else _rounded(value, digits)) if _measure(key, value)
            else value for key, value in summary.items() if key not in COUNT_KEYS
            } | {"suppressed": small}


def _measure(key: str, value: Any) -> bool:
    return isinstance(value, float | dict) and key not in COUNT_KEYS


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v, digits) if isinstance(v, float) else v for k, v in value.items()}
    return float(round_significant(np.array([value]), digits)[0])
