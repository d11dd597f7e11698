"""Standardisation of raw values to 0–100 scores against benchmarks (methodology §1)."""

from __future__ import annotations

import numpy as np

from indicators.definitions import Benchmarks


def standardise(values: np.ndarray, benchmarks: Benchmarks, direction: str) -> np.ndarray:
    """S = 100·(X − min)/(max − min), reversed when lower is better, on ln X when the benchmarks
    are logarithmic, clipped to [0, 100]. Missing values stay missing; a non-positive value on a
    log scale scores 0 (it is below any positive lower benchmark)."""
    x = np.asarray(values, dtype=float)
    low, high = benchmarks.min, benchmarks.max
    if benchmarks.log:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(x > 0, np.log(x), -np.inf)
        x = np.where(np.isnan(np.asarray(values, dtype=float)), np.nan, x)
        low, high = np.log(low), np.log(high)
    score = 100.0 * (x - low) / (high - low)
    if direction == "lower":
        score = 100.0 - score
    return np.clip(score, 0.0, 100.0)
