"""Evaluate indicator formulas on a city's observations: raw values per district and period,
and for the city as a whole (district_code None). Pure: frames in, frames out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from indicators.definitions import Definition, DiversityFormula, Term, TermsFormula
from indicators.measures.diversity import (
    location_quotients,
    shannon_diversity,
    simpson_diversity,
)

KEY = ["period", "district_code"]
VALUE_COLUMNS = KEY + ["value", "suppressed", "runs"]


class PreparedObservations:
    """Observations with their dimension keys parsed once into columns (shared by all
    definitions of a computation)."""

    def __init__(self, observations: pd.DataFrame):
        obs = observations.reset_index(drop=True)
        unique = obs["dims"].drop_duplicates()
        parsed = pd.DataFrame([json.loads(text) for text in unique], index=unique.to_numpy())
        self.dims = parsed.reindex(obs["dims"].to_numpy()).reset_index(drop=True)
        self.obs = obs

    def mask(self, term: Term) -> np.ndarray:
        mask = (self.obs["variable"] == term.variable).to_numpy().copy()
        for dim, wanted in term.where.items():
            column = self.dims[dim] if dim in self.dims else pd.Series(np.nan, index=self.obs.index)
            if isinstance(wanted, str):
                mask &= (column == wanted).to_numpy()
            elif isinstance(wanted, list):
                mask &= column.isin(wanted).to_numpy()
            else:  # {"not": [...]}: the row must carry the dimension, with another value
                mask &= (column.notna() & ~column.isin(wanted["not"])).to_numpy()
        return mask


def _runs(series: pd.Series) -> str:
    return ",".join(sorted(set(series)))


def _terms(prepared: PreparedObservations, formula: TermsFormula,
           min_count: int) -> pd.DataFrame:
    obs = prepared.obs
    local, citywide, run_parts = [], {}, []
    for name, term in formula.terms.items():
        rows = obs[prepared.mask(term)]
        run_parts.append(rows[KEY + ["ingest_run"]])
        if term.scope == "city":
            citywide[name] = rows.groupby("period")["value"].sum()
        else:
            local.append(rows.groupby(KEY)["value"].sum().rename(name))
    # A term missing in a district stays NaN, so the value is missing, never zero.
    sums = pd.concat(local, axis=1) if local else pd.DataFrame(
        index=pd.MultiIndex.from_frame(obs[KEY].drop_duplicates()))
    city_sums = sums.groupby(level="period").sum(min_count=1)
    city_sums.index = pd.MultiIndex.from_arrays([city_sums.index, [None] * len(city_sums)],
                                                names=KEY)
    sums = pd.concat([sums, city_sums])
    periods = sums.index.get_level_values("period")
    for name, per_period in citywide.items():
        sums[name] = per_period.reindex(periods).to_numpy()
    used = pd.concat(run_parts)
    runs = used.groupby(KEY)["ingest_run"].agg(_runs)
    city_runs = used.groupby("period")["ingest_run"].agg(_runs)
    city_runs.index = pd.MultiIndex.from_arrays([city_runs.index, [None] * len(city_runs)],
                                                names=KEY)
    out = pd.DataFrame(index=sums.index)
    out["runs"] = pd.concat([runs, city_runs]).reindex(sums.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = sums.eval(formula.expression, engine="python")
        small = np.zeros(len(sums), dtype=bool)
        for expression in formula.counts:
            small |= (sums.eval(expression, engine="python") <= min_count).fillna(False).to_numpy()
    value = value.replace([np.inf, -np.inf], np.nan)
    out["value"] = value.where(~small)
    out["suppressed"] = small
    return out.reset_index()[VALUE_COLUMNS]


def _diversity(prepared: PreparedObservations, formula: DiversityFormula,
               min_count: int) -> pd.DataFrame:
    obs = prepared.obs
    mask = (obs["variable"] == formula.variable).to_numpy().copy()
    group = prepared.dims.get(formula.dimension, pd.Series(np.nan, index=obs.index))
    mask &= group.notna().to_numpy()
    rows = obs[mask].assign(group=group[mask], value=obs["value"][mask].astype(float))
    table = rows.pivot_table(index=KEY, columns="group", values="value", aggfunc="sum",
                             fill_value=0.0)
    results = []
    for period, block in table.groupby(level="period"):
        counts = block.to_numpy(dtype=float)
        if formula.measure == "location_quotient":
            if formula.group not in block.columns:
                continue
            values = location_quotients(counts)[:, list(block.columns).index(formula.group)]
        elif formula.measure == "simpson":
            values = simpson_diversity(counts)
        else:
            values = shannon_diversity(counts, normalised=formula.measure == "shannon_normalised")
        small = counts.sum(axis=1) <= min_count
        results.append(pd.DataFrame({
            "period": period, "district_code": block.index.get_level_values("district_code"),
            "value": np.where(small, np.nan, values), "suppressed": small}))
    if not results:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    out = pd.concat(results, ignore_index=True)
    runs = rows.groupby(KEY)["ingest_run"].agg(_runs).rename("runs").reset_index()
    return out.merge(runs, on=KEY, how="left")[VALUE_COLUMNS]


def evaluate(definition: Definition, prepared: PreparedObservations,
             min_count: int) -> pd.DataFrame:
    """Raw values of one indicator: columns period, district_code, value, suppressed, runs."""
    if prepared.obs.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    if isinstance(definition.formula, TermsFormula):
        return _terms(prepared, definition.formula, min_count)
    return _diversity(prepared, definition.formula, min_count)
