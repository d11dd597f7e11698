"""``diversity``: per-district diversity of one variable across the groups of a dimension."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Literal

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

# Which groups' shares a release withholds: (period, district_code) rows × groups → bool.
Withheld = Callable[[pd.DataFrame, list[str]], np.ndarray]


class DiversityFormula(FormulaKind):
    """Per-district diversity of ``variable`` across the groups of ``dimension``."""

    district_local: ClassVar[bool] = True
    kind: Literal["diversity"]
    measure: Literal["shannon", "shannon_normalised", "simpson", "location_quotient"]
    variable: str
    dimension: str
    group: str | None = Field(default=None, description="the group of a location quotient")

    def variables(self) -> set[str]:
        return {self.variable}

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        return self.evaluate_released(prepared, min_count=min_count)

    def evaluate_released(self, prepared: PreparedObservations, *, min_count: int,
                          withheld: Withheld | None = None) -> pd.DataFrame:
        """The values, with the groups whose shares a release withholds (``withheld``: per
        (period, district_code) row and group) counted as one group in each district: a
        diversity over every group would give them away (−p ln p of a withheld share, next
        to the published others, is the share), one over the published groups and their
        remainder (whole minus the published parts, which anyone can work out) adds nothing.
        A quotient of one group is withheld with its share by the plan instead."""
        blocks, runs = self._table(prepared)
        results = []
        for period, block in blocks:
            counts = block.to_numpy(dtype=float)
            if self.measure == "location_quotient":
                if self.group not in block.columns:
                    continue
                values = location_quotients(counts)[:, list(block.columns).index(self.group)]
            else:
                if withheld is not None:
                    hidden = withheld(block.index.to_frame(index=False),
                                      [str(g) for g in block.columns])
                    counts = np.column_stack([np.where(hidden, 0.0, counts),
                                              (counts * hidden).sum(axis=1)])
                values = self._diversity(counts, len(block.columns))
            small = small_counts(counts.sum(axis=1), min_count)
            results.append(pd.DataFrame({
                "period": period, "district_code": block.index.get_level_values("district_code"),
                "value": np.where(small, np.nan, values), "suppressed": small}))
        if not results:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        out = pd.concat(results, ignore_index=True)
        return out.merge(runs, on=KEY, how="left")[VALUE_COLUMNS]

    def _table(self, prepared: PreparedObservations
               ) -> tuple[list[tuple[object, pd.DataFrame]], pd.DataFrame]:
        """The counts per (period, district_code) × group, by period, and the runs per
        (period, district_code). Every measure of the same variable and dimension reads the
        same table: it is made once per run (the observations' memo)."""
        def make() -> tuple[list[tuple[object, pd.DataFrame]], pd.DataFrame]:
            obs = prepared.obs
            codes, groups = prepared.codes(self.dimension)
            mask = prepared.mask(Term(variable=self.variable)) & (codes >= 0)
            rows = prepared.keyed(mask).assign(group=groups.take(codes[mask]),
                                               value=obs["value"][mask].astype(float))
            table = rows.pivot_table(index=KEY, columns="group", values="value",
                                     aggfunc="sum", fill_value=0.0)
            return (list(table.groupby(level="period")),
                    runs_by(rows, KEY).rename("runs").reset_index())

        return prepared.memo.get(("diversity table", self.variable, self.dimension), make)

    def _diversity(self, counts: np.ndarray, groups: int) -> np.ndarray:
        """Simpson or Shannon over ``counts``' columns; normalised by ln of the city's number
        of groups (not of the columns, which a merged remainder adds to)."""
        if self.measure == "simpson":
            return simpson_diversity(counts)
        entropy = shannon_diversity(counts)
        return entropy / np.log(groups) if self.measure == "shannon_normalised" else entropy
