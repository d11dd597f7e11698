"""``group_shares``: one share per group of a dimension, each stored as its own indicator."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.evaluate import VALUE_COLUMNS, PreparedObservations, SpatialContext
from indicators.formulas.base import FormulaKind, Term
from indicators.formulas.terms import TermsFormula


class GroupSharesFormula(FormulaKind):
    """One share per group of ``dimension`` (e.g. each citizenship), stored as the indicators
    ``<id>.<group>``: the group's count over everyone who carries the dimension."""

    district_local: ClassVar[bool] = True
    kind: Literal["group_shares"]
    variable: str
    dimension: str
    exclude: list[str] = Field(default_factory=list)

    def variables(self) -> set[str]:
        return {self.variable}

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        """Also returns the column indicator_id: ``<indicator_id>.<group>`` per row."""
        codes, groups = prepared.codes(self.dimension)
        variable = prepared.variable_codes == prepared.variables.get_indexer([self.variable])[0]
        present = np.unique(codes[variable & (codes >= 0)])
        everyone = Term(variable=self.variable, where={self.dimension: {"not": []}})
        results = []
        for group in sorted(str(g) for g in groups[present] if str(g) not in self.exclude):
            share = TermsFormula(
                terms={"part": Term(variable=self.variable, where={self.dimension: group}),
                       "everyone": everyone},
                expression="part / everyone", counts=["part", "everyone - part"])
            values = share.evaluate(prepared, min_count=min_count, indicator_id=indicator_id)
            results.append(values.assign(indicator_id=f"{indicator_id}.{group}"))
        if not results:
            return pd.DataFrame(columns=VALUE_COLUMNS + ["indicator_id"])
        return pd.concat(results, ignore_index=True)
