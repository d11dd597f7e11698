"""City values combined from the districts' (``FormulaKind.city_combined``): in a part of a
city a kind gives its part's sums as its city rows (PARTIAL_COLUMNS), and the partitioned
engine combines them over the parts into the rows the whole city would give.

Sums are exact (``exact_sum``: a fraction, rounded once to a float at the end), so the city
value does not depend on how the districts were split into parts or in what order they
were added: the whole city and its parts give it to the last bit, also for fractional
terms (phone estimates, raster populations).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

# A part's city rows: its exact sum of counts (NaN ones left out) and of the denominators
# (NaN if any is; residents, km², night-time subscribers), whether any district is hidden,
# the scale of the ratio, and whether the value is the sum of the counts itself (no
# denominator: an estimate of residents summed over the districts), and the distinct texts
# of the districts' ``estimate``s (the city's names each once).
PARTIAL_COLUMNS = ["partial_count", "partial_whole", "partial_small", "partial_scale",
                   "partial_sum", "partial_estimates"]
HALF = 26  # a float's 53-bit integer mantissa in two halves: sums of them fit in int64


def exact_sum(values: np.ndarray) -> Fraction:
    """The exact sum of the finite values (NaN left out), as a fraction; float() rounds it
    once, correctly. Each value is an integer mantissa times a power of two: mantissas are
    summed per exponent in integers, then shifted to the smallest exponent."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    x = x[x != 0]
    if not len(x):
        return Fraction(0)
    mantissa, exponent = np.frexp(x)
    whole = (mantissa * 2.0**53).astype(np.int64)  # exact: |mantissa| < 1
    exponent = exponent.astype(np.int64) - 53
    low = int(exponent.min())
    exponents, at = np.unique(exponent, return_inverse=True)
    total = 0
    for k, shift in enumerate((exponents - low).tolist()):
        mine = whole[at == k]  # a negative one splits as floor(n / 2**HALF), n mod 2**HALF
        total += (int((mine >> HALF).sum()) << (shift + HALF)) + (
            int((mine & ((1 << HALF) - 1)).sum()) << shift)
    return Fraction(total) * Fraction(2) ** low


def combined_city_rows(partials: pd.DataFrame) -> pd.DataFrame:
    """The city rows from the city rows of the parts of a city (PARTIAL_COLUMNS), as the
    kinds give them over all the districts at once: one per indicator and period, with the
    columns of the first part's row otherwise. Hidden when any district is, or (a ratio)
    when the denominator is missing or not positive."""
    keys = ["indicator_id", "period"]
    grouped = partials.groupby(keys, sort=False)
    total = grouped["partial_count"].agg(lambda parts: float(sum(parts, Fraction(0))))
    whole = grouped["partial_whole"].agg(
        lambda parts: np.nan if any(not isinstance(p, Fraction) for p in parts)
        else float(sum(parts, Fraction(0))))
    small = grouped["partial_small"].any()
    scale = grouped["partial_scale"].first()
    summed = grouped["partial_sum"].first().astype(bool)
    hidden = small | (~summed & (~np.isfinite(whole.astype(float)) | ~(whole > 0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = scale * total / whole.astype(float)
    value = total.where(summed, ratio).where(~hidden)
    runs = grouped["runs"].agg(lambda texts: ",".join(sorted(
        {r for text in texts for r in str(text).split(",") if r})))
    estimates = grouped["partial_estimates"].agg(lambda texts: "; ".join(sorted(
        {e for part in texts for e in part})))
    first = grouped.first().drop(columns=[*PARTIAL_COLUMNS, "runs", "estimate", "value",
                                          "suppressed"])
    out = first.assign(value=value.astype(float), suppressed=hidden, runs=runs,
                       estimate=estimates)
    return out.reset_index()


def partial_columns(count: np.ndarray, whole: np.ndarray | None, small: bool,
                    scale: float, estimates: np.ndarray) -> dict[str, object]:
    """A part's city row of one period (PARTIAL_COLUMNS): ``whole`` None for a sum."""
    return {"partial_count": exact_sum(count),
            "partial_whole": (np.nan if whole is None or np.isnan(whole).any()
                              else exact_sum(whole)),
            "partial_small": small, "partial_scale": scale, "partial_sum": whole is None,
            "partial_estimates": tuple(sorted({str(e) for e in pd.unique(estimates)
                                               if isinstance(e, str) and e}))}
