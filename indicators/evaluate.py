"""Evaluate indicator formulas on a city's observations: raw values per district and period,
and for the city as a whole (district_code None). Pure: frames in, frames out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.access import centres_from_observations, nearest_service_distance, services_per_1000
from indicators.definitions import (
    AccessFormula,
    Definition,
    DiversityFormula,
    GroupSharesFormula,
    Term,
    TermsFormula,
)
from indicators.measures.diversity import (
    location_quotients,
    shannon_diversity,
    simpson_diversity,
)

KEY = ["period", "district_code"]
VALUE_COLUMNS = KEY + ["value", "suppressed", "runs"]


@dataclass
class SpatialContext:
    """What access measures need besides observations; events are fetched by layer on demand."""

    districts: gpd.GeoDataFrame
    local_crs: str
    events: Callable[[str], gpd.GeoDataFrame]


class PreparedObservations:
    """Observations coded once as integers for all definitions of a computation: variables,
    dimension values, units (period × district), periods and ingest runs. Sums per unit are
    then ``np.bincount`` over codes instead of grouping text columns."""

    def __init__(self, observations: pd.DataFrame):
        obs = observations.reset_index(drop=True)
        self.obs = obs
        unique = obs["dims"].drop_duplicates()
        parsed = pd.DataFrame([json.loads(text) for text in unique], index=unique.to_numpy())
        self.dims = parsed.reindex(obs["dims"].to_numpy()).reset_index(drop=True)
        self._dim_codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        self.values = obs["value"].to_numpy(dtype=float)
        self.variable_codes, self.variables = pd.factorize(obs["variable"])
        period_codes, periods = pd.factorize(obs["period"])
        district_codes, districts = pd.factorize(obs["district_code"])
        self.unit_codes, unit_keys = pd.factorize(
            period_codes.astype(np.int64) * max(len(districts), 1) + district_codes)
        unit_periods = unit_keys // max(len(districts), 1)
        self.units = pd.MultiIndex.from_arrays(
            [periods.to_numpy()[unit_periods],
             districts.to_numpy()[unit_keys % max(len(districts), 1)]], names=KEY)
        self.unit_period_codes, self.periods = unit_periods, periods
        self.run_codes, self.runs = pd.factorize(obs["ingest_run"])

    def _codes(self, dim: str) -> tuple[np.ndarray, pd.Index]:
        if dim not in self._dim_codes:
            column = self.dims[dim] if dim in self.dims else pd.Series(np.nan, index=self.obs.index)
            self._dim_codes[dim] = pd.factorize(column)  # NaN (dimension absent) is -1
        return self._dim_codes[dim]

    @staticmethod
    def _positions(uniques: pd.Index, wanted: list[str]) -> list[int]:
        return [int(i) for i in uniques.get_indexer(wanted) if i >= 0]

    def mask(self, term: Term) -> np.ndarray:
        [variable] = self._positions(self.variables, [term.variable]) or [-2]
        mask = self.variable_codes == variable
        for dim, wanted in term.where.items():
            codes, uniques = self._codes(dim)
            if isinstance(wanted, str):
                mask &= np.isin(codes, self._positions(uniques, [wanted]))
            elif isinstance(wanted, list):
                mask &= np.isin(codes, self._positions(uniques, wanted))
            else:  # {"not": [...]}: the row must carry the dimension, with another value
                mask &= (codes >= 0) & ~np.isin(codes, self._positions(uniques, wanted["not"]))
        return mask

    def unit_sums(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum and row count of the masked rows per unit; NaN sums where a unit has no row."""
        n = len(self.units)
        counts = np.bincount(self.unit_codes[mask], minlength=n)
        sums = np.bincount(self.unit_codes[mask], weights=self.values[mask], minlength=n)
        return np.where(counts > 0, sums, np.nan), counts

    def period_sums(self, mask: np.ndarray) -> np.ndarray:
        periods = self.unit_period_codes[self.unit_codes[mask]]
        n = len(self.periods)
        counts = np.bincount(periods, minlength=n)
        sums = np.bincount(periods, weights=self.values[mask], minlength=n)
        return np.where(counts > 0, sums, np.nan)

    def runs_of(self, mask: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
        """The ingest runs behind each group (codes given per masked row), comma-joined in run
        order. Nearly every group has one run: those are set directly, the rest joined."""
        n_runs = len(self.runs)
        pairs = np.unique(groups.astype(np.int64) * n_runs + self.run_codes[mask])
        group, run = pairs // n_runs, pairs % n_runs
        names = self.runs.to_numpy()
        out = np.full(n_groups, "", dtype=object)
        several = np.bincount(group, minlength=n_groups)[group] > 1
        out[group[~several]] = names[run[~several]]
        if several.any():
            joined = pd.Series(names[run[several]]).groupby(group[several]).agg(",".join)
            out[joined.index.to_numpy()] = joined.to_numpy()
        return out


def runs_by(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The ingest runs behind each group, sorted and comma-joined. Nearly every group has one
    run, so those are taken as they are; a Python join per group was most of the engine's time."""
    pairs = rows[keys + ["ingest_run"]].drop_duplicates().sort_values("ingest_run", kind="stable")
    several = pairs.duplicated(keys, keep=False)
    single = pairs[~several].set_index(keys)["ingest_run"]
    joined = pairs[several].groupby(keys, dropna=False)["ingest_run"].agg(",".join)
    return pd.concat([single, joined])


def _terms(prepared: PreparedObservations, formula: TermsFormula,
           min_count: int) -> pd.DataFrame:
    n_units, n_periods = len(prepared.units), len(prepared.periods)
    local, city, present = {}, {}, np.zeros(n_units, dtype=bool)
    used = np.zeros(len(prepared.values), dtype=bool)
    for name, term in formula.terms.items():
        mask = prepared.mask(term)
        used |= mask
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
    # term missing in a district that has others stays NaN, so the value is missing, not zero.
    keep = np.flatnonzero(present)
    index = pd.MultiIndex.from_arrays(
        [np.r_[prepared.units.get_level_values(0).to_numpy()[keep],
               prepared.periods.to_numpy()],
         np.r_[prepared.units.get_level_values(1).to_numpy()[keep],
               np.full(n_periods, None, dtype=object)]], names=KEY)
    sums = pd.DataFrame({name: np.r_[local[name][keep], city[name]] for name in formula.terms},
                        index=index)
    unit_runs = prepared.runs_of(used, prepared.unit_codes[used], n_units)
    period_runs = prepared.runs_of(used, prepared.unit_period_codes[prepared.unit_codes[used]],
                                   n_periods)
    out = pd.DataFrame({"runs": np.r_[unit_runs[keep], period_runs]}, index=index)
    if not present.any():  # no district has the data: no city value either
        out = out.iloc[:0]
        sums = sums.iloc[:0]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = sums.eval(formula.expression, engine="python")
        small = np.zeros(len(sums), dtype=bool)
        for expression in formula.counts:
            small |= (sums.eval(expression, engine="python") <= min_count).fillna(False).to_numpy()
    value = pd.Series(value, index=sums.index).replace([np.inf, -np.inf], np.nan)
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
    runs = runs_by(rows, KEY).rename("runs").reset_index()
    return out.merge(runs, on=KEY, how="left")[VALUE_COLUMNS]


def _access(prepared: PreparedObservations, formula: AccessFormula, min_count: int,
            spatial: SpatialContext | None) -> pd.DataFrame:
    if spatial is None or spatial.districts.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    services = spatial.events(formula.services_layer)
    obs, results = prepared.obs, []
    if formula.measure == "nearest_service_m":
        lon, lat = (f"{formula.population_variable}_centre_{axis}" for axis in ("lon", "lat"))
        centres = obs[obs["variable"].isin([lon, lat])]
        for period, rows in centres.groupby("period"):
            points = centres_from_observations(rows, variable=formula.population_variable)
            metres = nearest_service_distance(points, services, spatial.local_crs)
            results.append(pd.DataFrame({"period": period, "district_code": metres.index,
                                         "value": metres.to_numpy(), "suppressed": False,
                                         "runs": ",".join(sorted(set(rows["ingest_run"])))}))
    else:
        foreign = Term(variable=formula.residents_variable,
                       where={"citizenship": {"not": ["national"]}})
        rows = obs[prepared.mask(foreign)]
        for period, block in rows.groupby("period"):
            residents = block.groupby("district_code")["value"].sum()
            rate = services_per_1000(spatial.districts, services, residents)
            small = residents.reindex(rate.index).fillna(0).to_numpy() <= min_count
            results.append(pd.DataFrame({
                "period": period, "district_code": rate.index,
                "value": np.where(small, np.nan, rate.to_numpy()), "suppressed": small,
                "runs": ",".join(sorted(set(block["ingest_run"])))}))
    if not results:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(results, ignore_index=True)[VALUE_COLUMNS]


def _group_shares(definition: Definition, prepared: PreparedObservations,
                  min_count: int) -> pd.DataFrame:
    formula = definition.formula
    codes, groups = prepared._codes(formula.dimension)
    variable = prepared.variable_codes == prepared.variables.get_indexer([formula.variable])[0]
    present = np.unique(codes[variable & (codes >= 0)])
    everyone = Term(variable=formula.variable, where={formula.dimension: {"not": []}})
    results = []
    for group in sorted(str(g) for g in groups[present] if str(g) not in formula.exclude):
        share = TermsFormula(
            terms={"part": Term(variable=formula.variable, where={formula.dimension: group}),
                   "everyone": everyone},
            expression="part / everyone", counts=["part", "everyone - part"])
        results.append(_terms(prepared, share, min_count)
                       .assign(indicator_id=f"{definition.id}.{group}"))
    if not results:
        return pd.DataFrame(columns=VALUE_COLUMNS + ["indicator_id"])
    return pd.concat(results, ignore_index=True)


def evaluate(definition: Definition, prepared: PreparedObservations, min_count: int,
             spatial: SpatialContext | None = None) -> pd.DataFrame:
    """Raw values of one indicator: columns period, district_code, value, suppressed, runs
    (and indicator_id for group shares, one indicator per group). Access measures need
    ``spatial``; without it they have no values (never zeros)."""
    if prepared.obs.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    if isinstance(definition.formula, GroupSharesFormula):
        return _group_shares(definition, prepared, min_count)
    if isinstance(definition.formula, TermsFormula):
        return _terms(prepared, definition.formula, min_count)
    if isinstance(definition.formula, AccessFormula):
        return _access(prepared, definition.formula, min_count, spatial)
    return _diversity(prepared, definition.formula, min_count)
