"""Evaluate indicator formulas on a city's observations: raw values per district and period,
and for the city as a whole (district_code None). Pure: frames in, frames out.

Here are the observations prepared once for every formula and the entry point; each formula
kind's own maths is its ``evaluate`` method (indicators/formulas/)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.formulas.base import FormulaKind, Term
from indicators.memo import Memo

if TYPE_CHECKING:  # definitions import the formula kinds, which import this engine
    from indicators.access import ServiceIndex
    from indicators.definitions import Definition

KEY = ["period", "district_code"]
VALUE_COLUMNS = KEY + ["value", "suppressed", "runs"]


@dataclass
class SpatialContext:
    """What access measures and rates need besides observations; events are fetched by layer
    on demand. ``memo``: what the indicators of the run derive from these districts and events
    alike (events placed in districts), made once.

    ``city``: set when the districts are a part of a city (``indicators.partitioned``):
    what the part's formulas take from the whole city. Without it, they are the city."""

    districts: gpd.GeoDataFrame
    local_crs: str
    events: Callable[[str], gpd.GeoDataFrame]
    memo: Memo = field(default_factory=Memo)
    city: CityWide | None = None

    def events_inside(self, layer: str) -> gpd.GeoDataFrame:
        """The events of ``layer`` that counts per district are taken over: each placed in
        one of these districts, an event on a border between two of them in the first."""
        return self.city.placed(layer) if self.city is not None else self.events(layer)


@dataclass(frozen=True)
class CityWide:
    """What the formulas of a part of a city's districts take from the whole city, made once
    before the parts: ``placed(layer)``, the layer's events placed among all the city's
    districts whose district is in the part (an event on a border between two parts counts
    once, for the first district in the city's order, as in the whole city), and
    ``event_counts(layer, period, utc_offset_hours)``, the part's rows of the layer's events
    counted per local period and district over the whole city (every period of the city,
    the city's UTC offset), and ``searched(layer)``, the layer's services indexed for the
    nearest-service search (None: not made, the part indexes them), and ``decided(key)``,
    the decisions of a kind's city stage (``FormulaKind.city_stage``) made from every
    part's summary. The kinds that combine city values from their districts' (rates, phone
    estimates) give, in a part, the part's sums instead of city values."""

    placed: Callable[[str], gpd.GeoDataFrame]
    event_counts: Callable[[str, str, float | None], pd.DataFrame]
    searched: Callable[[str], ServiceIndex | None]
    decided: Callable[[str], object]


def stage_of(formula: FormulaKind, prepared: PreparedObservations, min_count: int,
             spatial: SpatialContext | None) -> object:
    """The decisions of ``formula``'s city stage: the whole city's, read in a part of it,
    made from these observations otherwise (once per run and key, the observations'
    memo)."""
    key = formula.city_stage()
    assert key is not None, f"{type(formula).__name__} has no city stage"
    if spatial is not None and spatial.city is not None:
        return spatial.city.decided(key)
    return prepared.memo.get(("city stage", key, min_count), lambda: formula.stage_decisions(
        [formula.stage_summary(prepared, min_count)], min_count))


class PreparedObservations:
    """Observations coded once as integers for all definitions of a computation: variables,
    dimension values, units (period × district), periods and ingest runs. Sums per unit are
    then ``np.bincount`` over codes instead of grouping text columns. ``memo``: what several
    indicators derive from these observations alike (a calibration, a roll-up), made once."""

    def __init__(self, observations: pd.DataFrame):
        obs = observations.reset_index(drop=True)
        self.obs = obs
        self.memo = Memo()
        # Dimensions are parsed once per distinct text and a row's value of one dimension
        # looked up by its text's code only when a formula asks for that dimension: a frame
        # of every dimension for every row was most of the preparation's time.
        self._dims_codes, unique = pd.factorize(obs["dims"])
        self._parsed = pd.DataFrame([json.loads(text) for text in unique])
        self.dims = _Dimensions(self)
        self._dim_codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        self._lookups: dict[str, dict[object, int]] = {}
        self._variable_rows: dict[str, np.ndarray] = {}
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
        # The units' period and district as arrays, for the kinds that build rows from them.
        self.unit_periods = periods.to_numpy(dtype=object)[unit_periods]
        self.unit_districts = districts.to_numpy(dtype=object)[unit_keys % max(len(districts),
                                                                               1)]
        self.unit_period_codes, self.periods = unit_periods, periods
        self.run_codes, self.runs = pd.factorize(obs["ingest_run"])
        self._every_run_known = bool((self.run_codes >= 0).all())

    def unit_keys(self) -> pd.DataFrame:
        """Columns period and district_code of every unit, then of the city in every period
        (district_code missing): the rows a formula's values are taken from by position, so
        the keys' text is typed once, not for every indicator."""
        return self.memo.get(("unit keys",), lambda: pd.MultiIndex.from_arrays(
            [np.r_[self.unit_periods, self.periods.to_numpy()],
             np.r_[self.unit_districts, np.full(len(self.periods), None, dtype=object)]],
            names=KEY).to_frame(index=False))

    def dimension(self, dim: str) -> pd.Series:
        """Each row's value of dimension ``dim`` (NaN where the row has none)."""
        if dim not in self._parsed:
            return pd.Series(np.nan, index=self.obs.index)
        return self._parsed[dim].reindex(self._dims_codes).reset_index(drop=True)

    def values_of(self, dim: str, mask: np.ndarray) -> np.ndarray:
        """The masked rows' values of dimension ``dim`` (NaN where a row has none)."""
        codes, uniques = self.codes(dim)
        picked = codes[mask]
        out = np.full(len(picked), np.nan, dtype=object)
        present = picked >= 0
        out[present] = uniques.to_numpy(dtype=object)[picked[present]]
        return out

    def codes(self, dim: str) -> tuple[np.ndarray, pd.Index]:
        """Each row's code of its value of dimension ``dim`` (-1 where the row has none) and
        the values coded."""
        if dim not in self._dim_codes:
            if dim in self._parsed:
                by_text, uniques = pd.factorize(self._parsed[dim])  # NaN (absent) is -1
                # One take; the appended -1 is the code of rows without dims (text code -1).
                codes = np.append(by_text, -1)[self._dims_codes]
            else:
                codes, uniques = np.full(len(self.obs), -1, dtype=np.intp), pd.Index([])
            self._dim_codes[dim] = codes, uniques
        return self._dim_codes[dim]

    def _positions(self, name: str, uniques: pd.Index, wanted: list[str]) -> list[int]:
        if name not in self._lookups:
            self._lookups[name] = {value: i for i, value in enumerate(uniques)}
        lookup = self._lookups[name]
        return [lookup[w] for w in wanted if w in lookup]

    def _rows_of(self, variable: str) -> np.ndarray:
        """The positions of the variable's rows (made once per variable)."""
        if variable not in self._variable_rows:
            [code] = self._positions("", self.variables, [variable]) or [-2]
            self._variable_rows[variable] = np.flatnonzero(self.variable_codes == code)
        return self._variable_rows[variable]

    def rows_of_variables(self, variables: Iterable[str]) -> np.ndarray:
        """The positions of the rows of any of ``variables``, ascending."""
        return np.sort(np.concatenate([self._rows_of(v) for v in dict.fromkeys(variables)]
                                      or [np.array([], dtype=np.intp)]))

    def keyed(self, mask: np.ndarray) -> pd.DataFrame:
        """The masked rows' period, district_code, value and ingest_run: what sums per unit
        need. Taking only these is most of a filter's saving, the dims text being the longest
        column."""
        return self.obs.loc[mask, ["period", "district_code", "value", "ingest_run"]]

    def mask(self, term: Term) -> np.ndarray:
        """The rows of the term, as a boolean mask over all rows."""
        mask = np.zeros(len(self.values), dtype=bool)
        mask[self.rows(term)] = True
        return mask

    def rows(self, term: Term) -> np.ndarray:
        """The positions of the term's rows, ascending (a mask's rows in its order, so sums
        over them add up alike). Its filter is decided once per distinct dims text, then
        looked up for the variable's rows only, not checked row by row."""
        rows = self._rows_of(term.variable)
        return rows[self._dims_match(term)[self._dims_codes[rows]]] if term.where else rows

    def _dims_match(self, term: Term) -> np.ndarray:
        """Whether each distinct dims text matches the term's filter, and last, False for rows
        without dims (the index -1 of a row whose text is missing)."""
        match = np.ones(len(self._parsed), dtype=bool)
        for dim, wanted in term.where.items():
            if dim not in self._parsed:
                match[:] = False
                continue
            values = self._parsed[dim]
            if isinstance(wanted, str):
                match &= (values == wanted).to_numpy(dtype=bool)
            elif isinstance(wanted, list):
                match &= values.isin(wanted).to_numpy(dtype=bool)
            else:  # {"not": [...]}: the row must carry the dimension, with another value
                match &= (values.notna() & ~values.isin(wanted["not"])).to_numpy(dtype=bool)
        return np.append(match, False)

    def unit_sums(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum and row count of the masked rows (a mask or ascending positions) per unit; NaN
        sums where a unit has no row."""
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
        combined = groups.astype(np.int64) * n_runs + self.run_codes[mask]
        if self._every_run_known and n_groups * n_runs <= 4 * len(combined) + 1_000_000:
            # a count, not a sort
            pairs = np.flatnonzero(np.bincount(combined, minlength=n_groups * n_runs))
        else:
            pairs = np.unique(combined)
        return joined_runs(pairs // n_runs, pairs % n_runs, self.runs.to_numpy(), n_groups, "")


class _Dimensions:
    """``prepared.dims[dim]``: each row's value of a dimension, made when asked for."""

    def __init__(self, prepared: PreparedObservations):
        self._prepared = prepared

    def __contains__(self, dim: str) -> bool:
        return dim in self._prepared._parsed

    def __getitem__(self, dim: str) -> pd.Series:
        return self._prepared.dimension(dim)

    def get(self, dim: str, default: pd.Series) -> pd.Series:
        return self._prepared.dimension(dim) if dim in self._prepared._parsed else default


def runs_by(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The ingest runs behind each group, sorted and comma-joined. Nearly every group has one
    run, so those are taken as they are; a Python join per group was most of the engine's time."""
    pairs = rows[keys + ["ingest_run"]].drop_duplicates().sort_values("ingest_run", kind="stable")
    several = pairs.duplicated(keys, keep=False)
    single = pairs[~several].set_index(keys)["ingest_run"]
    joined = pairs[several].groupby(keys, dropna=False)["ingest_run"].agg(",".join)
    return pd.concat([single, joined])


def evaluate(definition: Definition, prepared: PreparedObservations, min_count: int,
             spatial: SpatialContext | None = None) -> pd.DataFrame:
    """Raw values of one indicator: columns period, district_code, value, suppressed, runs
    (and indicator_id for group shares, one indicator per group). Access measures need
    ``spatial``; without it they have no values (never zeros)."""
    if prepared.obs.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return definition.formula.evaluate(prepared, min_count=min_count, spatial=spatial,
                                       indicator_id=definition.id)


def joined_runs(group: np.ndarray, run: np.ndarray, names: np.ndarray, n_groups: int,
                empty: object) -> np.ndarray:
    """Each group's run names, comma-joined (``empty`` where it has none), from distinct
    (group, run) pairs sorted by group then run. Nearly every group has one run: those are
    set directly, the rest joined."""
    out = np.full(n_groups, empty, dtype=object)
    several = np.bincount(group, minlength=n_groups)[group] > 1
    out[group[~several]] = names[run[~several]]
    if several.any():
        joined = pd.Series(names[run[several]]).groupby(group[several]).agg(",".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return out
