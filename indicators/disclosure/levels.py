"""One count table for all of a city's geographic levels, so that suppression holds across them.

A city publishing districts and their planning areas publishes each district's count twice:
as its own cell and as the sum of its planning areas' cells. Planned level by level, a
suppressed planning area would be the district's published count minus its published
siblings. The joint table has every level's cells (a level below the top names its areas
``level/code``), their own relations, the city cell once, and one relation per parent area:
its children's cells sum to its cell. Secondary suppression and the audit then run on it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.disclosure.tables import CountTable, Relation, holding
from observatory.models import Level


def level_code(level: str, code: object, top: str) -> object:
    """An area's key in the joint table: its code on the top level, ``level/code`` below (the
    city, ``None`` on the top level, is ``level/`` below it)."""
    if level == top:
        return code
    missing = code is None or (isinstance(code, float) and np.isnan(code))
    return f"{level}/" + ("" if missing else str(code))


def joint_table(tables: Mapping[str, CountTable], levels: Sequence[Level],
                parents: Mapping[str, Mapping[str, str]]) -> CountTable:
    """``tables``: each level's count table; ``parents``: per level, area code -> parent code.
    A level's city cell is tied to the top level's by an equality where their counts agree
    (a level covering part of the city has a city count of its own)."""
    present = [lv for lv in levels if lv.name in tables and not tables[lv.name].cells.empty]
    if len(present) <= 1:
        return tables[present[0].name] if present else next(iter(tables.values()))
    top = levels[0].name
    parts, relations = [], []
    published_as: dict = {}
    linked: dict = {}
    also_linked: dict = {}
    city_linked: dict = {}
    divided_by: dict = {}
    ratio_of: dict = {}
    offset = 0
    for level in present:
        table = tables[level.name]
        cells = table.cells.copy()
        cells["district_code"] = [level_code(level.name, None if pd.isna(c) else c, top)
                                  for c in cells["district_code"]]
        cells["cell"] = cells["cell"].to_numpy() + offset
        parts.append(cells)
        relations += [Relation({c + offset: v for c, v in r.coefs.items()}, r.rhs, r.equality)
                      for r in table.relations]
        published_as |= table.published_as
        linked |= table.linked
        also_linked |= table.also_linked
        city_linked |= table.city_linked
        divided_by |= table.divided_by
        ratio_of |= table.ratio_of
        offset += len(cells)
    joined = pd.concat(parts, ignore_index=True)
    candidates = _city_relations(joined, [lv.name for lv in present], top)
    candidates += _parent_relations(joined, levels, parents)
    relations += holding(candidates, joined)
    return CountTable(joined, published_as, linked, relations, also_linked, city_linked,
                      divided_by, ratio_of)


def _city_relations(cells: pd.DataFrame, names: Sequence[str], top: str) -> list[Relation]:
    index = {(s, p, d): c for c, s, p, d in
             cells[["cell", "signature", "period", "district_code"]].itertuples(index=False)}
    out = []
    for name in names:
        if name == top:
            continue
        for (signature, period, code), cell in index.items():
            if code == f"{name}/":
                city = index.get((signature, period, None))
                if city is not None:
                    out.append(Relation({cell: 1.0, city: -1.0}, 0.0))
    return out


def _parent_relations(cells: pd.DataFrame, levels: Sequence[Level],
                      parents: Mapping[str, Mapping[str, str]]) -> list[Relation]:
    top = levels[0].name
    index = {(s, p, d): c for c, s, p, d in
             cells[["cell", "signature", "period", "district_code"]].itertuples(index=False)}
    out = []
    for level in levels:
        if level.parent is None or level.name not in parents:
            continue
        prefix = f"{level.name}/"
        mine = cells[cells["district_code"].map(
            lambda d, p=prefix: isinstance(d, str) and d.startswith(p))]
        if mine.empty:
            continue
        codes = mine["district_code"].str[len(prefix):]
        parent = codes.map(parents[level.name])
        mine = mine.assign(parent=[level_code(level.parent, p, top) if isinstance(p, str)
                                   else None for p in parent])
        for (signature, period, parent_code), group in mine.dropna(subset=["parent"]).groupby(
                ["signature", "period", "parent"], sort=False):
            total = index.get((signature, period, parent_code))
            if total is None:
                continue
            coefs = dict.fromkeys(group["cell"].tolist(), 1.0)
            coefs[total] = -1.0
            out.append(Relation(coefs, 0.0))
    return out


@dataclass(frozen=True)
class LevelCodes:
    """How one level's rows are named in the joint table."""

    level: str
    top: str

    def rows(self, values: pd.DataFrame) -> pd.DataFrame:
        return values.assign(district_code=[
            level_code(self.level, None if pd.isna(c) else c, self.top)
            for c in values["district_code"]])
