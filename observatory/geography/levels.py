"""Levels and boundary versions as plain values: which version holds on a day, what a period's
first day is, which levels lie below a level, and a level's code rule for parent codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from observatory.models import Level


@dataclass(frozen=True)
class Version:
    """A boundary version of a level: its areas hold from ``valid_from`` until ``valid_to``."""

    level: str
    valid_from: date
    valid_to: date | None

    def holds(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def ended(self) -> bool:
        return self.valid_to is not None


def versions_from(frame: pd.DataFrame) -> list[Version]:
    """``Store.boundary_versions`` as values."""
    return [Version(str(row.level), pd.Timestamp(row.valid_from).date(),
                    None if pd.isna(row.valid_to) else pd.Timestamp(row.valid_to).date())
            for row in frame.itertuples(index=False)]


def version_on(versions: Iterable[Version], level: str, day: date | None) -> Version | None:
    if day is None:
        return None
    return next((v for v in versions if v.level == level and v.holds(day)), None)


def period_start(period: str) -> date | None:
    """The first day of a period label (``2025``, ``2025-Q2``, ``2025-03``); None for other
    labels."""
    try:
        if len(period) == 4:
            return date(int(period), 1, 1)
        if len(period) == 7 and period[4:6] == "-Q" and period[6] in "1234":
            return date(int(period[:4]), 3 * int(period[6]) - 2, 1)
        if len(period) == 7 and period[4] == "-":
            return date(int(period[:4]), int(period[5:]), 1)
    except ValueError:
        return None
    return None


def descendants(level: str, levels: Mapping[str, Level]) -> list[str]:
    """The levels below ``level``, nearest first."""
    out: list[str] = []
    frontier = [level]
    while frontier:
        children = sorted(name for name, lv in levels.items()
                          if lv.parent in frontier and name not in out)
        out += children
        frontier = children
    return out



def parent_codes_by_rule(level: Level, codes: pd.Series) -> pd.Series:
    """Each code's parent code by the level's code rule (missing where the rule gives none):
    the first ``parent_prefix`` characters, or ``parent_expression`` evaluated on the number
    ``code`` (``code // 100 * 100``), written as a whole number."""
    codes = codes.astype("string")
    if level.parent_prefix is not None:
        n = level.parent_prefix
        return codes.where(codes.str.len() > n).str[:n]
    if level.parent_expression is None:
        return pd.Series(pd.NA, index=codes.index, dtype="string")
    numbers = pd.to_numeric(codes, errors="coerce")
    result = pd.Series(pd.eval(level.parent_expression, local_dict={"code": numbers},
                               engine="python"), index=codes.index)
    whole = result.notna() & (result % 1 == 0)
    return result.where(whole).astype("Int64").astype("string")
