"""Weighted means of scores with coverage: a missing part never counts as zero."""

from __future__ import annotations

import numpy as np


def weighted_means(scores: np.ndarray, weights: np.ndarray, method: str,
                   coverage: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Composite and coverage of each row (a district-period) of a units × parts score matrix.

    Missing scores (NaN) are left out and the remaining weights renormalised. Coverage is the
    weighted mean of the parts' own coverage (1 for an indicator with data, 0 without), so it
    is the share of the framework's weight that had data. The geometric mean is zero when any
    part is zero, as in the CPI 2012/13 (methodology §1), which is why the method is a setting.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    w = np.asarray(weights, dtype=float)
    present = ~np.isnan(s)
    parts_coverage = present.astype(float) if coverage is None else np.nan_to_num(coverage)
    total_coverage = (parts_coverage * w).sum(axis=1) / w.sum()
    used = np.where(present, w, 0.0)
    weight_sum = used.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "geometric":
            logs = np.where(present & (s > 0), np.log(np.where(s > 0, s, 1.0)), 0.0)
            value = np.exp((used * logs).sum(axis=1) / weight_sum)
            value[(present & (s <= 0)).any(axis=1)] = 0.0
        else:
            value = (used * np.nan_to_num(s)).sum(axis=1) / weight_sum
    value[weight_sum == 0] = np.nan
    return value, total_coverage
