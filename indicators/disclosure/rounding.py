"""Published values are rounded to a number of significant digits, so that a share published
at full float precision (278/9149 = 0.0303858345174336) does not give away its fraction."""

from __future__ import annotations

import numpy as np


def _unit(values: np.ndarray, digits: int) -> np.ndarray:
    """The rounding step of each value at ``digits`` significant digits (0 for 0 or NaN)."""
    x = np.abs(np.asarray(values, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.where(x > 0, x, np.nan))) - digits + 1
    return np.nan_to_num(np.power(10.0, exponent), nan=0.0)


def round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits; NaN and ±inf stay as they are."""
    x = np.asarray(values, dtype=float)
    unit = _unit(x, digits)
    with np.errstate(invalid="ignore", divide="ignore"):
        mantissa = np.round(x / np.where(unit > 0, unit, 1.0))
        exponent = np.rint(np.log10(np.where(unit > 0, unit, 1.0))).astype(int)
    # ``mantissa · unit`` prints as 0.030400000000000003: readers and exports expect the clean
    # decimal, the double nearest ``mantissa · 10^exponent``. An integer over (or times) an
    # exact power of ten gives it, the division being correctly rounded (10^k is exact up to
    # k = 22); other magnitudes go through the decimal string.
    exact = (unit > 0) & (np.abs(exponent) <= 22)
    scale = np.power(10.0, np.abs(np.where(exact, exponent, 0)))
    out = np.where(exponent < 0, mantissa / scale, mantissa * scale)
    out = np.where(unit > 0, out, x)
    for k in np.flatnonzero((unit > 0) & ~exact & np.isfinite(x)):
        out[k] = float(f"{mantissa[k] * unit[k]:.{digits}g}")
    return out


def half_step(published: np.ndarray, digits: int) -> np.ndarray:
    """How far the true value may lie from each published (rounded) value: half its rounding
    step. Taken at the published value's own magnitude, which is never narrower than the step
    the true value was rounded at, so the interval always holds the true value."""
    return _unit(published, digits) / 2.0
