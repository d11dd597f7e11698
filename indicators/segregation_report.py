"""City-level segregation of one group (or of all groups) from stored observations, over any
dimension that defines population groups (citizenship, birthplace, migration background…)."""

from __future__ import annotations

import json

import pandas as pd

from indicators.measures import segregation as seg

SINGLE_GROUP = {
    "dissimilarity": seg.dissimilarity,
    "gini": seg.gini,
    "isolation": seg.isolation,
    "interaction": seg.interaction,
    "theil_entropy": seg.theil_entropy,
    "atkinson_b0.5": lambda x, t: seg.atkinson(x, t, b=0.5),
}
MULTIGROUP = {
    "multigroup_dissimilarity": seg.multigroup_dissimilarity,
    "multigroup_theil": seg.multigroup_theil,
    "multigroup_diversity": seg.multigroup_diversity,
    "multigroup_diversity_normalised": lambda n: seg.multigroup_diversity(n, normalised=True),
    "simpsons_concentration": seg.simpsons_concentration,
    "simpsons_interaction": seg.simpsons_interaction,
}
FOREIGN = "foreign"  # every group but the dimension's reference group (own nationals…)


def group_counts(observations: pd.DataFrame, *, period: str, variable: str = "population",
                 dimension: str = "citizenship") -> pd.DataFrame:
    """District × group counts of one period: the input of every measure."""
    rows = observations[(observations["variable"] == variable)
                        & (observations["period"] == period)]
    groups = rows["dims"].map(lambda text: json.loads(text).get(dimension))
    rows = rows.assign(group=groups)[groups.notna()]
    return rows.pivot_table(index="district_code", columns="group", values="value",
                            aggfunc="sum", fill_value=0.0).astype(float)


def group_members(counts: pd.DataFrame, group: str = FOREIGN, *,
                  reference: str | None = "national") -> pd.Series:
    """Members of ``group`` per district (``foreign``: every group but ``reference``, unless
    ``foreign`` is itself one of the groups)."""
    if group in counts.columns:
        return counts[group]
    if group == FOREIGN and reference is not None:
        return counts.drop(columns=[reference], errors="ignore").sum(axis=1)
    choices = ([repr(FOREIGN)] if reference is not None else []) + [
        repr(str(g)) for g in sorted(counts.columns)]
    raise ValueError(f"unknown group {group!r}: choose one of {', '.join(choices)}")


def segregation_summary(counts: pd.DataFrame, group: str = FOREIGN, *,
                        reference: str | None = "national", overlapping: bool = False) -> dict:
    """Single-group measures of ``group`` against the total of every group (``foreign``: all
    but ``reference``), and the multigroup measures over every group. Groups that overlap
    (``overlapping``: regions and their countries) have no total to measure against."""
    if overlapping:
        raise ValueError("the groups of this dimension overlap (regions contain countries), so "
                         "they do not sum to a population and no segregation measure applies. "
                         "Fix: choose a dimension whose groups partition the residents, such as "
                         "migration_background")
    x = group_members(counts, group, reference=reference)
    total = counts.sum(axis=1)
    result = {"group": group, "districts": len(counts), "groups": [str(g) for g in counts.columns],
              "group_total": float(x.sum()), "population": float(total.sum())}
    result.update({name: fn(x.to_numpy(), total.to_numpy()) for name, fn in SINGLE_GROUP.items()})
    if counts.shape[1] >= 2:
        result.update({name: fn(counts.to_numpy()) for name, fn in MULTIGROUP.items()})
    return result
