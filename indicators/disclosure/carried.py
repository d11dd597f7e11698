"""Counts carried across a boundary redraw, as cells and relations of the count table.

A count carried from ended boundaries is its old area's count times the crosswalk's weights
(``indicators.level_inputs``): ``T = Σ w · S`` over the old areas ``S`` that reach the new area
``T``. The weights are no secret (they follow from the published boundaries), so the parts of a
split area keep its shares, and a part withheld for a small count would follow from its
published siblings, or from the sum of the parts (an area of 30 Syrians split 40 % / 60 %: both
parts withheld, their sum of 30 is the city less the other districts, and the 40 % part holds
12). The old areas' counts are never published: each is a cell the attacker does not know
(``hidden``: bounded by 0 and its whole, never narrowed, never audited itself), and each carried
cell is tied to them by its equality. Secondary suppression then withholds what protects the
carried cells under those relations, and the audit checks it, as for any other relation
(Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §5.3 on linked tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.evaluate import PreparedObservations
from indicators.level_inputs import LevelInputs


@dataclass(frozen=True)
class CarriedSources:
    """The counts a level's carried rows came from, on their ended areas, and per period the
    weight with which each ended area reaches each of the level's areas."""

    prepared: PreparedObservations
    weights: pd.DataFrame  # period, from_code, to_code, weight

    @classmethod
    def of(cls, inputs: LevelInputs) -> CarriedSources | None:
        if inputs.sources is None or inputs.sources.empty:
            return None
        return cls(PreparedObservations(inputs.sources), inputs.carry_weights)


def source_cells(sources: pd.DataFrame, cells: pd.DataFrame, weights: pd.DataFrame
                 ) -> tuple[pd.DataFrame, list[tuple[int, dict[int, float]]]]:
    """The ended areas' cells (``sources``: signature, period, district_code, count, whole —
    the whole missing where the ratio's whole is not among the sources, a rate's residents)
    numbered after ``cells``, and per carried cell of ``cells`` the weights of the source
    cells it is the sum of: (cell, {source cell: weight}). A source's missing whole is the
    most it can be given its targets: ``w · S ≤ T`` for each, so ``S ≤ T's ceiling / w``."""
    links = weights[weights["weight"].to_numpy(float) > 0].merge(
        sources.rename(columns={"district_code": "from_code"}), on=["period", "from_code"])
    targets = cells.loc[cells["district_code"].notna(),
                        ["cell", "signature", "period", "district_code", "count", "whole"]]
    links = links.merge(targets.rename(columns={"district_code": "to_code"}),
                        on=["signature", "period", "to_code"], suffixes=("", "_target"))
    if links.empty:
        return sources.iloc[:0], []
    key = ["signature", "period", "from_code"]
    ceiling = np.maximum(links["whole_target"].to_numpy(float),
                         links["count_target"].to_numpy(float)) / links["weight"].to_numpy(float)
    reach = links.assign(ceiling=ceiling).groupby(key, sort=False)["ceiling"].min()
    used = sources.rename(columns={"district_code": "from_code"}).merge(
        reach.reset_index(), on=key)
    whole = used["whole"].to_numpy(float)
    used["whole"] = np.where(np.isfinite(whole) & (whole > 0), whole, used["ceiling"])
    used.insert(0, "cell", np.arange(len(cells), len(cells) + len(used)))
    ids = links.merge(used[["cell", *key]].rename(columns={"cell": "source"}), on=key)
    equalities = [(int(target), dict(zip(group["source"].astype(int),
                                         group["weight"].astype(float), strict=True)))
                  for target, group in ids.groupby("cell", sort=True)]
    used = used.drop(columns="ceiling").rename(columns={"from_code": "district_code"})
    return used.assign(primary=False, hidden=True), equalities
