"""Synthetic observations shaped by the shipped indicator definitions: every variable a formula
reads, carrying every dimension a formula filters on, so a new framework is benchmarked as soon
as its YAML lands."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

import numpy as np
import pandas as pd

from indicators.definitions import DiversityFormula, Framework, TermsFormula
from observatory.models import canonical_dims

# Groups per dimension at least: the values the formulas name plus fillers, so that "not
# national"-style filters and diversity measures have several groups to work on.
MIN_GROUPS = 3
FIRST_PERIOD = 2016

Table = dict[str, list[str]]  # dimension -> its values: one cross-tabulation
Plan = dict[str, list[Table]]  # variable -> its tables


def observation_plan(frameworks: Iterable[Framework], min_groups: int = MIN_GROUPS) -> Plan:
    """The variables and dimension values the frameworks' formulas read, as census-like tables.

    Dimensions that one term filters on together are cross-tabulated in one table; dimensions
    never filtered together get tables of their own (households by water, households by
    sanitation…), as census tables come, rather than one cross-product of them all.
    """
    values: dict[str, dict[str, set[str]]] = {}
    groups: dict[str, list[set[str]]] = {}
    for framework in frameworks:
        for definition in framework.indicators:
            formula = definition.formula
            if isinstance(formula, DiversityFormula):
                named = {formula.dimension: [formula.group] if formula.group else []}
                _add(values, groups, formula.variable, named)
            elif isinstance(formula, TermsFormula):
                for term in formula.terms.values():
                    _add(values, groups, term.variable, {
                        dim: [wanted] if isinstance(wanted, str)
                        else wanted if isinstance(wanted, list)
                        else wanted["not"]  # {"not": [...]}: fillers are the other values
                        for dim, wanted in term.where.items()})
    return {variable: [{dim: _with_fillers(dim, values[variable][dim], min_groups)
                        for dim in sorted(group)}
                       for group in sorted(groups[variable], key=sorted)] or [{}]
            for variable in sorted(values)}


def unmodelled(frameworks: Iterable[Framework]) -> list[str]:
    """Indicators whose formulas need more than observations (e.g. access to services needs
    districts and service points): the plan gives them nothing, so they are not timed."""
    return [f"{definition.id} ({definition.formula.kind})"
            for framework in frameworks for definition in framework.indicators
            if not isinstance(definition.formula, (TermsFormula, DiversityFormula))]


def _add(values: dict, groups: dict, variable: str, named: dict[str, list[str]]) -> None:
    for dim, dim_values in named.items():
        values.setdefault(variable, {}).setdefault(dim, set()).update(dim_values)
    values.setdefault(variable, {})
    if not named:
        groups.setdefault(variable, [])
        return
    together = set(named)
    kept = []
    for group in groups.get(variable, []):
        if group & together:
            together |= group
        else:
            kept.append(group)
    groups[variable] = kept + [together]


def _with_fillers(dim: str, values: set[str], min_groups: int) -> list[str]:
    filled = sorted(values)
    filled += [f"{dim}_{k}" for k in range(1, max(min_groups - len(filled), 1) + 1)]
    return filled


def synthetic_observations(plan: Plan, n_districts: int, n_periods: int,
                           seed: int = 2026) -> pd.DataFrame:
    """One observation per district, period, variable, table and combination of the table's
    dimension values, in the columns the store returns; counts are log-normal, so a few fall
    under the disclosure threshold and get suppressed."""
    combos = [(variable, canonical_dims(dict(zip(table, values))))
              for variable, tables in plan.items() for table in tables
              for values in product(*table.values())]
    districts = np.array([f"D{i:06d}" for i in range(n_districts)], dtype=object)
    periods = np.array([str(FIRST_PERIOD + k) for k in range(n_periods)], dtype=object)
    cells = n_districts * n_periods
    variables = np.array([c[0] for c in combos], dtype=object)
    dims = np.array([c[1] for c in combos], dtype=object)
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "district_code": np.tile(districts, len(combos) * n_periods),
        "period": np.tile(np.repeat(periods, n_districts), len(combos)),
        "variable": np.repeat(variables, cells),
        "dims": np.repeat(dims, cells),
        "value": np.round(rng.lognormal(mean=5.0, sigma=1.2, size=cells * len(combos))),
        "unit": "persons",
        "ingest_run": "bench",
    })
