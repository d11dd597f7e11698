"""The gate for summaries computed on request from counts (segregation): what a caller who
may not see counts is given.

Rounding alone does not protect an index computed from withheld cells. The published shares
of a small group pin its published district counts to the person (3 significant digits of
0.00123), the district totals are public, and the districts sum to the city: with one
district withheld, the two cells left unknown are tied by their sum, and one index, even
rounded, is one more equation between them (a dissimilarity index that moves by 2/G for each
person moved between them). So a summary is given only where it is a function of what is
published anyway:

- the single-group measures (and Moran's I of the group's share) only where none of the
  group's district cells is withheld: each district's group and rest above the threshold,
  and no district share of the group withheld by the stored release (a complement);
- the multigroup measures over the groups with the groups that have a withheld cell in some
  district merged into one (named in ``multigroup_merged``): each district's merged cell is
  then its total minus published cells, so the measure says nothing the shares do not.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from indicators.disclosure.primary import small_counts
from indicators.disclosure.rounding import round_significant
from indicators.segregation_report import MULTIGROUP, group_members

COUNT_KEYS = ("group_total", "population")
# Feeds whose observations count persons in personal-data records (methodology §6): their
# counts are never served to the public, in any form.
PERSONAL_DATA_FEEDS = frozenset({"admin"})
MERGED = "merged"  # the column of the merged groups in the multigroup measures' table


def release_summary(summary: dict[str, Any], *, min_count: int, digits: int,
                    counts: pd.DataFrame | None = None, reference: str | None = None,
                    withheld: Collection[str] = ()) -> dict[str, Any]:
    """``summary`` without its counts, every measure rounded to ``digits`` significant digits,
    and every measure withheld (None, ``suppressed`` true) when the group or the rest of the
    population is at or below ``min_count``: then a measure would describe a handful of
    people. With the district × group ``counts`` it was computed from (and ``withheld``: the
    groups, ``foreign`` included, whose share the stored release withholds in some district),
    the single-group measures are withheld too where a district cell of the group is, and the
    multigroup measures are those of the groups with withheld cells merged (module
    docstring)."""
    group_total = summary.get("group_total", math.nan)
    rest = summary.get("population", math.nan) - group_total
    small = bool(small_counts(np.array([[group_total, rest]]), min_count)[0])
    merged: list[str] = []
    if counts is not None:
        small |= _group_withheld(counts, str(summary["group"]), reference, min_count, withheld)
        summary, merged = _merged_multigroup(summary, counts, min_count, withheld)
    out = {key: (None if small and key not in MULTIGROUP else _rounded(value, digits))
           if _measure(key, value) else value
           for key, value in summary.items() if key not in COUNT_KEYS}
    if small and counts is None:
        out |= {key: None for key in MULTIGROUP if key in out}
    return out | {"suppressed": small} | ({"multigroup_merged": merged} if counts is not None
                                           else {})


def _group_withheld(counts: pd.DataFrame, group: str, reference: str | None, min_count: int,
                    withheld: Collection[str]) -> bool:
    members = group_members(counts, group, reference=reference).to_numpy(float)
    rest = counts.sum(axis=1).to_numpy(float) - members
    return group in withheld or bool(
        small_counts(np.column_stack([members, rest]), min_count).any())


def _merged_multigroup(summary: dict[str, Any], counts: pd.DataFrame, min_count: int,
                       withheld: Collection[str]) -> tuple[dict[str, Any], list[str]]:
    """The multigroup measures over ``counts`` with every group that has a small or withheld
    cell in some district merged into one; none where fewer than two columns remain."""
    if not any(key in summary for key in MULTIGROUP):
        return summary, []
    hidden = [str(g) for g in counts.columns
              if str(g) in withheld or small_counts(counts[g].to_numpy(float), min_count).any()]
    if not hidden:
        return summary, []
    table = counts.drop(columns=hidden).assign(**{MERGED: counts[hidden].sum(axis=1)})
    if table.shape[1] < 2:  # every group merged: a single column measures nothing
        return summary | dict.fromkeys(MULTIGROUP), sorted(hidden)
    measures = {name: fn(table.to_numpy(float)) for name, fn in MULTIGROUP.items()}
    return summary | measures, sorted(hidden)


def _measure(key: str, value: Any) -> bool:
    return isinstance(value, float | dict) and key not in COUNT_KEYS


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v, digits) if isinstance(v, float) else v for k, v in value.items()}
    return float(round_significant(np.array([value]), digits)[0])
