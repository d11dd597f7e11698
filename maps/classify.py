"""Class breaks (mapclassify) and a colour-blind-safe sequential ramp (ColorBrewer YlGnBu)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from branca.utilities import color_brewer

Classification = Literal["quantiles", "natural_breaks", "equal_interval"]
CLASSIFICATIONS: tuple[str, ...] = get_args(Classification)

# Natural breaks use Fisher-Jenks: optimal and deterministic (mapclassify's NaturalBreaks is
# k-means with random starts, so the same data could draw differently).
_SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "FisherJenks",
    "equal_interval": "EqualInterval",
}
_RAMP = "YlGnBu"


@dataclass(frozen=True)
class Classes:
    lower: list[float]  # bounds of each class, lowest class first
    upper: list[float]
    colours: list[str]  # one per class
    of_value: list[int]  # class index of each classified value, in input order


def classify(values: np.ndarray, classification: str, k: int) -> Classes:
    """Split ``values`` (finite numbers) into at most ``k`` classes."""
    if classification not in _SCHEMES:
        raise ValueError(
            f"Unknown classification {classification!r}: use one of {', '.join(CLASSIFICATIONS)}"
        )
    if k < 2:
        raise ValueError(f"k={k}: a choropleth needs at least 2 classes")
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return Classes([], [], [], [])
    distinct = len(np.unique(values))
    if distinct == 1:  # mapclassify cannot split one value; it is one class
        return Classes([float(values[0])], [float(values[0])], ramp(1), [0] * len(values))
    # Imported here: mapclassify brings scikit-learn (0.4 s), and where numba is installed
    # compiles its Fisher-Jenks kernel on import (1.1 s more); a command that draws no
    # choropleth (an export, an audit) should not wait for either.
    import mapclassify

    result = mapclassify.classify(values, _SCHEMES[classification], k=min(k, distinct))
    upper = [float(b) for b in result.bins]
    lower = [float(values.min())] + upper[:-1]
    return Classes(lower, upper, ramp(len(upper)), [int(c) for c in result.yb])


def ramp(n: int) -> list[str]:
    """``n`` colours from light (low) to dark (high)."""
    palette = color_brewer(_RAMP, max(n, 3))  # ColorBrewer series start at 3 colours
    picks = np.linspace(0, len(palette) - 1, n).round().astype(int)
    return [palette[i] for i in picks]
