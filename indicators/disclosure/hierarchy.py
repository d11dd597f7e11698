"""Suppression that holds across levels for values outside the count table: event and point
rates (formula kind ``rate``), whose counts the LP plan does not model.

A rate times its public denominator (residents, km²) is its count, and a parent area's count is
the sum of its children's. So where exactly one child of a published parent is withheld, the
parent minus its published siblings would give it away: the smallest published sibling is
withheld too, or the parent when there is none. Levels are processed from the finest up, so a
parent withheld here is protected in turn against its own parent; a level's city value is
withheld while any of its areas is. The audit checks the result (``disclosure.ruled``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from observatory.models import Level


def withhold_across_levels(values: Mapping[str, pd.DataFrame], levels: Sequence[Level],
                           parents: Mapping[str, Mapping[str, str]],
                           covered: Callable[[str], bool]) -> dict[str, pd.DataFrame]:
    """``values``: indicator rows per level name; ``covered(indicator_id)``: rows this pass
    protects. Returns the rows with the extra cells withheld (value and score removed)."""
    out = {name: frame.copy() for name, frame in values.items()}
    for level in reversed(list(levels)):  # finest first
        if level.parent is None or level.name not in out or level.parent not in out:
            continue
        child, parent = out[level.name], out[level.parent]
        mapping = parents.get(level.name, {})
        for (indicator, period), rows in child[child["district_code"].notna()].groupby(
                ["indicator_id", "period"], sort=False):
            if not covered(str(indicator)):
                continue
            upper = parent[(parent["indicator_id"] == indicator) & (parent["period"] == period)
                           & parent["district_code"].notna()]
            by_code = dict(zip(upper["district_code"].astype(str), upper.index, strict=True))
            groups = rows["district_code"].astype(str).map(mapping)
            for code, members in rows.groupby(groups, sort=False):
                at = by_code.get(str(code))
                if at is None or bool(parent.at[at, "suppressed"]):
                    continue
                hidden = members["suppressed"].astype(bool)
                if hidden.sum() != 1:
                    continue
                shown = members[~hidden]
                if len(shown):
                    _withhold(child, [shown["value"].astype(float).idxmin()])
                else:
                    _withhold(parent, [at])
        for frame in (child, parent):
            _withhold_city_with_any_area(frame, covered)
    return out


def _withhold(frame: pd.DataFrame, index: list) -> None:
    frame.loc[index, "suppressed"] = True
    for column in ("value", "score"):
        if column in frame:
            frame.loc[index, column] = np.nan


def _withhold_city_with_any_area(frame: pd.DataFrame, covered: Callable[[str], bool]) -> None:
    areas = frame[frame["district_code"].notna() & frame["suppressed"].astype(bool)]
    hidden = {(i, p) for i, p in zip(areas["indicator_id"], areas["period"], strict=True)
              if covered(str(i))}
    city = frame["district_code"].isna()
    keys = list(zip(frame["indicator_id"], frame["period"], strict=True))
    rows = [k for k, (is_city, key) in enumerate(zip(city, keys, strict=True))
            if is_city and key in hidden]
    _withhold(frame, list(frame.index[rows]))
