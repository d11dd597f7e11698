"""Primary suppression: a value is withheld when one of the counts it rests on is small."""

from __future__ import annotations

import numpy as np
import pandas as pd


def small_counts(counts: pd.DataFrame | np.ndarray, min_count: int) -> np.ndarray:
    """Per row, True when any of its counts (columns) is at or below ``min_count``: the rule is
    *publish only counts > min_count* (methodology §5). A missing count is not small here: the
    value it feeds is missing anyway."""
    array = np.asarray(counts, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[1] == 0:
        return np.zeros(len(array), dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.asarray((array <= min_count).any(axis=1), dtype=bool)
