"""Validation shared by the measures: turn array-likes into float arrays or fail clearly."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _finite_non_negative(values: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        position = np.unravel_index(bad[0], values.shape)
        where = f"row {position[0]}" + (f", column {position[1]}" if values.ndim == 2 else "")
        raise ValueError(
            f"{name}: {where} holds {values.flat[bad[0]]:g}; counts must be finite and "
            "non-negative (fill the count, or drop the district)"
        )


def group_and_total(group: ArrayLike, total: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Group counts x and total counts t as float arrays, checked for 0 ≤ x ≤ t and T > 0."""
    x = np.asarray(group, dtype=float).ravel()
    t = np.asarray(total, dtype=float).ravel()
    if x.shape != t.shape:
        raise ValueError(
            f"group has {x.size} districts but total has {t.size}; pass one value per district "
            "to both"
        )
    _finite_non_negative(x, "group")
    _finite_non_negative(t, "total")
    over = np.flatnonzero(x > t)
    if over.size:
        row = int(over[0])
        raise ValueError(
            f"row {row}: group count {x[row]:g} exceeds total {t[row]:g}; the total must "
            "include the group"
        )
    if not 0 < x.sum() < t.sum():
        raise ValueError(
            "the group must be present in some district and must not be the whole "
            "population; choose another group, total or period"
        )
    return x, t


def count_matrix(counts: ArrayLike) -> np.ndarray:
    """District × group counts as a 2-D float array with at least two groups and people."""
    matrix = np.asarray(counts, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] < 2:
        raise ValueError(
            f"counts has shape {matrix.shape}; pass a districts × groups table with at least "
            "two group columns"
        )
    _finite_non_negative(matrix, "counts")
    if matrix.sum() == 0:
        raise ValueError("counts are all zero; there is no population to measure")
    return matrix


def shares(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, with 0 where the denominator is 0 (an empty district)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator == 0, 0.0, numerator / denominator)


def x_log_x_over(p: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """p·ln(p/q) elementwise, taking 0·ln 0 = 0 as in the entropy literature."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(p / q), 0.0)
