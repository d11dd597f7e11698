"""Synthetic observations shaped by the shipped indicator definitions: every variable a formula
reads, carrying every dimension a formula filters on, so a new framework is benchmarked as soon
as its YAML lands; and a synthetic city for the formulas that also need districts and events
(rates of events, access to services): a grid of square districts and events in each layer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import product

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel

from indicators.definitions import Framework
from indicators.formulas.base import Term
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
    sanitation…), as census tables come, rather than one cross-product of them all. Every
    formula kind is read the same way (its terms, its variable and dimension, its ``by``), so
    the kinds and frameworks added later come in without a change here.
    """
    values: dict[str, dict[str, set[str]]] = {}
    groups: dict[str, list[set[str]]] = {}
    for framework in frameworks:
        for definition in framework.indicators:
            for variable, named in formula_tables(definition.formula):
                _add(values, groups, variable, named)
    return {variable: [{dim: _with_fillers(dim, values[variable][dim], min_groups)
                        for dim in sorted(group)}
                       for group in sorted(groups[variable], key=sorted)] or [{}]
            for variable in sorted(values)}


def formula_tables(formula: BaseModel) -> list[tuple[str, dict[str, list[str]]]]:
    """(variable, {dimension: the values it names}) for every count ``formula`` reads: its
    terms (wherever they sit in the model: terms, numerators, candidate denominators), a
    ``variable`` split by a ``dimension`` (group shares, diversity), a counts term split
    ``by`` a dimension (rates per category), users and records split by their service ``area``
    (service demand), and any other variable it declares, unsplit."""
    found = [(term.variable, _named(term.where)) for term in _terms_in(formula)]
    if hasattr(formula, "foreign_residents") and str(getattr(formula, "measure", "")).endswith(
            "_foreign"):
        term = formula.foreign_residents()
        found.append((term.variable, _named(term.where)))
    variable, dimension = getattr(formula, "variable", None), getattr(formula, "dimension", None)
    if isinstance(variable, str) and isinstance(dimension, str):
        group = getattr(formula, "group", None)
        found.append((variable, {dimension: [group] if isinstance(group, str) else []}))
    by, counts = getattr(formula, "by", None), getattr(formula, "counts", None)
    if isinstance(by, str) and isinstance(counts, Term):
        found.append((counts.variable, {**_named(counts.where), by: []}))
    area = getattr(formula, "area", None)  # service demand: users and records by service area
    for name in ("users", "records"):
        counted = getattr(formula, name, None)
        if isinstance(area, str) and isinstance(counted, str):
            found.append((counted, {area: []}))
    covered = {v for v, _ in found}
    found += [(v, {}) for v in sorted(_declared(formula) - covered)]
    return found


def _declared(formula: BaseModel) -> set[str]:
    variables = getattr(formula, "variables", None)
    return set(variables()) if callable(variables) else set()


def _named(where: dict) -> dict[str, list[str]]:
    return {dim: [wanted] if isinstance(wanted, str)
            else wanted if isinstance(wanted, list)
            else wanted["not"]  # {"not": [...]}: fillers are the other values
            for dim, wanted in where.items()}


def _terms_in(value: object) -> Iterator[Term]:
    if isinstance(value, Term):
        yield value
    elif isinstance(value, BaseModel):
        term = getattr(value, "term", None)
        if callable(term):  # a candidate denominator: its term
            yield term()
            return
        for name in type(value).model_fields:
            yield from _terms_in(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _terms_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _terms_in(item)


def unmodelled(frameworks: Iterable[Framework]) -> list[str]:
    """Indicators whose formulas read neither observations nor the synthetic districts and
    events: the plan gives them nothing, so they are not timed."""
    return [f"{definition.id} ({definition.formula.kind})"
            for framework in frameworks for definition in framework.indicators
            if not formula_tables(definition.formula)
            and not event_layers([definition.formula])]


def event_layers(formulas: Iterable[BaseModel]) -> list[str]:
    """The event layers the formulas count or measure distances to (``events``,
    ``services_layer``, or any other ``*layer`` field)."""
    layers = set()
    for formula in formulas:
        for name in type(formula).model_fields:
            value = getattr(formula, name)
            if isinstance(value, str) and (name == "events" or name.endswith("layer")):
                layers.add(value)
    return sorted(layers)


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
                           seed: int = 2026, first: int = 0) -> pd.DataFrame:
    """One observation per district, period, variable, table and combination of the table's
    dimension values, in the columns the store returns; counts are log-normal, so a few fall
    under the disclosure threshold and get suppressed. ``first``: the number of the first
    district (a city made in parts, each with its own seed)."""
    combos = [(variable, canonical_dims(dict(zip(table, values))))
              for variable, tables in plan.items() for table in tables
              for values in product(*table.values())]
    districts = np.array([f"D{i:06d}" for i in range(first, first + n_districts)],
                         dtype=object)
    periods = np.array([str(FIRST_PERIOD + k) for k in range(n_periods)], dtype=object)
    cells = n_districts * n_periods
    variables = np.array([c[0] for c in combos], dtype=object)
    dims = np.array([c[1] for c in combos], dtype=object)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "district_code": np.tile(districts, len(combos) * n_periods),
        "period": np.tile(np.repeat(periods, n_districts), len(combos)),
        "variable": np.repeat(variables, cells),
        "dims": np.repeat(dims, cells),
        "value": np.round(rng.lognormal(mean=5.0, sigma=1.2, size=cells * len(combos))),
        "unit": "persons",
        "ingest_run": "bench",
    })
    return _users_within_records(frame)


def _users_within_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Distinct service users never outnumber the records they come from, as in a real admin
    feed: the disclosure audit's program is infeasible for a table that breaks this."""
    users, records = frame["variable"] == "service_users", frame["variable"] == "service_records"
    if not (users.any() and records.any()):
        return frame
    key = ["district_code", "period", "dims"]
    cap = frame[users][key].merge(frame[records][[*key, "value"]], on=key, how="left")["value"]
    frame.loc[users, "value"] = np.fmin(frame.loc[users, "value"].to_numpy(), cap.to_numpy())
    return frame


GRID_CRS = "EPSG:32633"  # UTM 33N: metres, so areas and distances are what the grid says
CELL_M = 500.0


def synthetic_city(n_districts: int, n_periods: int, layers: Iterable[str],
                   events_per_district_period: float = 1.0, seed: int = 2026
                   ) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """Square districts of 500 m in rows of ⌈√n⌉ (codes as in the observations) and, per
    layer, events placed uniformly over the grid and spread over the periods' years."""
    side = int(np.ceil(np.sqrt(n_districts)))
    k = np.arange(n_districts)
    x0, y0 = 500_000 + (k % side) * CELL_M, 5_000_000 + (k // side) * CELL_M
    districts = gpd.GeoDataFrame(
        {"code": [f"D{i:06d}" for i in k], "name_en": "", "name_ar": "",
         "area_m2": CELL_M * CELL_M},
        geometry=shapely.box(x0, y0, x0 + CELL_M, y0 + CELL_M), crs=GRID_CRS).to_crs(4326)
    rng = np.random.default_rng(seed)
    n_events = int(n_districts * n_periods * events_per_district_period)
    events = {}
    for layer in layers:
        cell = rng.integers(0, n_districts, n_events)
        x = 500_000 + (cell % side + rng.random(n_events)) * CELL_M
        y = 5_000_000 + (cell // side + rng.random(n_events)) * CELL_M
        year = FIRST_PERIOD + rng.integers(0, n_periods, n_events)
        days = rng.integers(0, 360, n_events)
        occurred = (pd.to_datetime(year.astype(str), format="%Y", utc=True)
                    + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=12))
        events[layer] = gpd.GeoDataFrame(
            {"id": [f"{layer}-{i}" for i in range(n_events)], "layer": layer,
             "occurred_at": occurred, "attributes": "{}", "status": "published"},
            geometry=shapely.points(x, y), crs=GRID_CRS).to_crs(4326)
    return districts, events


def synthetic_observation_parts(plan: Plan, districts: gpd.GeoDataFrame, n_periods: int,
                                seed: int = 2026, part: int = 5_000
                                ) -> Iterator[pd.DataFrame]:
    """The observations of ``districts`` (of ``synthetic_city``) ``part`` districts at a time,
    centres placed: a city too big for one frame, written part by part. The first part is
    ``synthetic_observations`` with ``seed``, the next ones use seed + their number."""
    for k, first in enumerate(range(0, len(districts), part)):
        n = min(part, len(districts) - first)
        yield place_centres(synthetic_observations(plan, n, n_periods, seed + k, first),
                            districts.iloc[first:first + n])


def place_centres(observations: pd.DataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Population-weighted centres (``*_centre_lon`` / ``*_centre_lat``, as the raster feed
    stores them) at the districts' centroids instead of log-normal counts."""
    centroids = districts.to_crs(GRID_CRS).centroid.to_crs(4326)
    lon = pd.Series(centroids.x.to_numpy(), index=districts["code"].to_numpy())
    lat = pd.Series(centroids.y.to_numpy(), index=districts["code"].to_numpy())
    out = observations.copy()
    for suffix, coords in (("_centre_lon", lon), ("_centre_lat", lat)):
        rows = out["variable"].str.endswith(suffix)
        out.loc[rows, "value"] = out.loc[rows, "district_code"].map(coords).to_numpy()
        out.loc[rows, "unit"] = "degrees"
    return out
