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
from indicators.definitions import AccessFormula, Definition, DiversityFormula, Term, TermsFormula
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
    runs = runs_by(used, KEY)
    city_runs = runs_by(used, ["period"])
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


def evaluate(definition: Definition, prepared: PreparedObservations, min_count: int,
             spatial: SpatialContext | None = None) -> pd.DataFrame:
    """Raw values of one indicator: columns period, district_code, value, suppressed, runs.
    Access measures need ``spatial``; without it they have no values (never zeros)."""
    if prepared.obs.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    if isinstance(definition.formula, TermsFormula):
        return _terms(prepared, definition.formula, min_count)
    if isinstance(definition.formula, AccessFormula):
        return _access(prepared, definition.formula, min_count, spatial)
    return _diversity(prepared, definition.formula, min_count)
