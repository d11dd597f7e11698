"""``diversity``: per-district diversity of one variable across the groups of a dimension."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.disclosure.primary import small_counts
from indicators.evaluate import KEY, VALUE_COLUMNS, PreparedObservations, SpatialContext, runs_by
from indicators.formulas.base import FormulaKind, Term
from indicators.measures.diversity import (
    location_quotients,
    shannon_diversity,
    simpson_diversity,
)


class DiversityFormula(FormulaKind):
    """Per-district diversity of ``variable`` across the groups of ``dimension``."""

    kind: Literal["diversity"]
    measure: Literal["shannon", "shannon_normalised", "simpson", "location_quotient"]
    variable: str
    dimension: str
    group: str | None = Field(default=None, description="the group of a location quotient")

    def variables(self) -> set[str]:
        return {self.variable}

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        obs = prepared.obs
        codes, groups = prepared.codes(self.dimension)
        mask = prepared.mask(Term(variable=self.variable)) & (codes >= 0)
        rows = obs[mask].assign(group=groups.take(codes[mask]),
                                value=obs["value"][mask].astype(float))
        table = rows.pivot_table(index=KEY, columns="group", values="value", aggfunc="sum",
                                 fill_value=0.0)
        results = []
        for period, block in table.groupby(level="period"):
            counts = block.to_numpy(dtype=float)
            if self.measure == "location_quotient":
                if self.group not in block.columns:
                    continue
                values = location_quotients(counts)[:, list(block.columns).index(self.group)]
            elif self.measure == "simpson":
                values = simpson_diversity(counts)
            else:
                values = shannon_diversity(counts,
                                           normalised=self.measure == "shannon_normalised")
            small = small_counts(counts.sum(axis=1), min_count)
            results.append(pd.DataFrame({
                "period": period, "district_code": block.index.get_level_values("district_code"),
                "value": np.where(small, np.nan, values), "suppressed": small}))
        if not results:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        out = pd.concat(results, ignore_index=True)
        runs = runs_by(rows, KEY).rename("runs").reset_index()
        return out.merge(runs, on=KEY, how="left")[VALUE_COLUMNS]
