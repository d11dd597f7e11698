"""``terms``: arithmetic over named, filtered sums of observations (the default kind)."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.disclosure.primary import small_counts
from indicators.evaluate import KEY, VALUE_COLUMNS, PreparedObservations, SpatialContext
from indicators.formulas.base import FormulaKind, Term


class TermsFormula(FormulaKind):
    district_local: ClassVar[bool] = True

    kind: Literal["terms"] = "terms"
    terms: dict[str, Term]
    expression: str = Field(description="arithmetic over the term names, e.g. 'a / b * 100'")
    counts: list[str] = Field(
        default=[], description="expressions over terms that must each exceed the disclosure "
        "threshold, or the value is suppressed (e.g. the numerator and its complement)")

    def variables(self) -> set[str]:
        return {term.variable for term in self.terms.values()}

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        n_units, n_periods = len(prepared.units), len(prepared.periods)
        local, city, present = {}, {}, np.zeros(n_units, dtype=bool)
        used = np.zeros(len(prepared.values), dtype=bool)
        for name, term in self.terms.items():
            mask = prepared.rows(term)  # positions: the sums cost the term's rows, not all
            used[mask] = True
            if term.scope == "city":
                per_period = prepared.period_sums(mask)
                local[name] = per_period[prepared.unit_period_codes]
                city[name] = per_period
            else:
                sums, counts = prepared.unit_sums(mask)
                present |= counts > 0
                local[name] = sums
                city[name] = prepared.period_sums(mask)
        # Units where no district-level term has a row are not part of this indicator at all; a
        # term missing in a district that has others stays NaN, so the value is missing, not
        # zero. The city has a value in the periods some district has (the observations of
        # other indicators, e.g. monthly phone counts, bring periods this one has no data in).
        used = np.flatnonzero(used)
        keep = np.flatnonzero(present)
        periods = np.flatnonzero(np.bincount(prepared.unit_period_codes[keep],
                                             minlength=n_periods))
        rows = np.r_[keep, n_units + periods]  # positions in prepared.unit_keys()
        sums = pd.DataFrame({name: np.r_[local[name][keep], city[name][periods]]
                             for name in self.terms})
        unit_runs = prepared.runs_of(used, prepared.unit_codes[used], n_units)
        period_runs = prepared.runs_of(
            used, prepared.unit_period_codes[prepared.unit_codes[used]], n_periods)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = sums.eval(self.expression, engine="python")
            counted = np.column_stack(
                [np.asarray(sums.eval(expression, engine="python"), dtype=float)
                 for expression in self.counts]) if self.counts else np.empty((len(sums), 0))
            small = small_counts(counted, min_count)
        value = pd.Series(value, index=sums.index).replace([np.inf, -np.inf], np.nan)
        keys = (prepared.unit_keys().take(rows).reset_index(drop=True) if len(rows)
                else pd.DataFrame({k: np.array([], dtype=object) for k in KEY}))
        return keys.assign(value=value.where(~small), suppressed=small,
                           runs=np.r_[unit_runs[keep], period_runs[periods]])[VALUE_COLUMNS]
