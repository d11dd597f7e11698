"""``rate``: events of a layer, or counted points, per 1,000 residents or per km² of each
district and period.

The numerator is either the events of one layer (``events: fire``), placed in the districts of
the level being computed (a point on a shared border counts once, for the first district) and
bucketed by local calendar year or month, or a counts variable of the observations
(``counts:``, e.g. what the ``points`` feed loads per district, period and category; with
``by: category`` one indicator ``<id>.<category>`` per value of that dimension).

The denominator of a rate per 1,000 residents is the first of ``residents`` (candidate
populations, e.g. the census, then the population raster) that a district has for the most
recent year at or before the period's: a newer population wins over an older one, and in the
same year the earlier candidate wins. A value whose denominator is not of the first candidate's
kind (its ``label``) and year says which one it used in ``estimate`` ("denominator: population raster 2025").
A rate per km² divides by the district's area (measured in the city's local CRS).

Disclosure: a count of events is a count, so a value is suppressed when its count, or its
residents, is at or below the threshold (zero included). A city-wide value is published only
for periods in which no district value is suppressed (otherwise the city total minus the
published districts would give the suppressed ones away). The audit checks rates of events
on a table of their own (``indicators.disclosure.ruled``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from indicators.disclosure.primary import small_counts
from indicators.evaluate import KEY, VALUE_COLUMNS, PreparedObservations, SpatialContext, runs_by
from indicators.formulas.base import FormulaKind, StrictModel, Term, WhereValue
from indicators.formulas.city_rows import PARTIAL_COLUMNS, exact_sum, partial_columns

RATE_COLUMNS = VALUE_COLUMNS + ["estimate"]


class Denominator(StrictModel):
    """One candidate population: the sum of ``variable`` over the rows matching ``where``."""

    variable: str
    where: dict[str, WhereValue] = Field(default_factory=dict)
    label: str = Field(description="how a value names this denominator, e.g. 'census' or "
                       "'population raster'")

    def term(self) -> Term:
        return Term(variable=self.variable, where=self.where)


class RateFormula(FormulaKind):
    city_combined: ClassVar[bool] = True
    kind: Literal["rate"]
    events: str | None = Field(default=None, description="the events layer counted, e.g. fire")
    counts: Term | None = Field(default=None, description="a counts variable of the "
                                "observations instead of events, e.g. points per category")
    by: str | None = Field(default=None, description="with counts: one indicator "
                           "<id>.<value> per value of this dimension")
    per: Literal["1000_residents", "km2"]
    period: Literal["year", "month"] = Field(
        default="year", description="how events are bucketed (their local calendar year or "
        "month); counts keep the periods they were loaded with")
    residents: list[Denominator] = Field(default_factory=list)
    utc_offset_hours: float | None = Field(
        default=None, description="local time of the events; default: the city's longitude "
        "/ 15, in whole hours (no daylight saving)")

    @model_validator(mode="after")
    def _one_numerator(self) -> RateFormula:
        if (self.events is None) == (self.counts is None):
            raise ValueError("a rate counts either `events: LAYER` or `counts: {variable: …}`")
        if self.by is not None and self.counts is None:
            raise ValueError("`by` splits observation counts; events have no dimensions")
        if self.per == "1000_residents" and not self.residents:
            raise ValueError("a rate per 1,000 residents needs `residents` (one or more "
                             "candidate populations, e.g. the census, then the raster)")
        return self

    def counted_events(self) -> set[tuple[str, str, float | None]]:
        return {(self.events, self.period, self.utc_offset_hours)} if self.events else set()

    def variables(self) -> set[str]:
        found = {d.variable for d in self.residents} if self.per == "1000_residents" else set()
        return found | ({self.counts.variable} if self.counts is not None else set())

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        """Without ``spatial`` (the level's districts) there are no values, never zeros. With
        ``by``, also the column indicator_id."""
        if spatial is None or spatial.districts.empty:
            return pd.DataFrame(columns=RATE_COLUMNS)
        codes = pd.Index(spatial.districts["code"].astype(str), name="district_code")
        if self.events is not None:
            numerators = {indicator_id: self._event_counts(spatial, codes)}
        else:
            numerators = self.observed_counts(prepared, codes, indicator_id)
        results = []
        for ident, counted in numerators.items():
            if counted.empty:
                continue
            if self.per == "km2":
                rated = self._per_km2(counted, spatial)
            else:
                rated = self._per_1000(counted, prepared)
            results.append(_with_city(rated, self.per, min_count, spatial.city is not None
                                      ).assign(indicator_id=ident))
        if not results:
            return pd.DataFrame(columns=RATE_COLUMNS)
        out = pd.concat(results, ignore_index=True)
        return out[RATE_COLUMNS + (["indicator_id"] if self.by is not None else [])
                   + (PARTIAL_COLUMNS if spatial.city is not None else [])]

    # numerators: columns period, district_code, count (NaN: not published), runs ----------
    def _event_counts(self, spatial: SpatialContext, codes: pd.Index) -> pd.DataFrame:
        """A rate per 1,000 residents and one per km² of the same layer count the same
        events: they are read and placed once per run (the context's memo), not once per
        indicator."""
        assert self.events is not None
        layer, period, city = self.events, self.period, spatial.city
        if city is not None:  # a part of a city: counted over the whole city beforehand
            return spatial.memo.get(("event counts", layer, period, self.utc_offset_hours),
                                    lambda: city.event_counts(layer, period,
                                                              self.utc_offset_hours))
        offset = self.utc_offset(spatial)
        return spatial.memo.get(("event counts", layer, period, offset),
                                lambda: _count_events(spatial, layer, period, offset, codes))

    def event_counts(self, spatial: SpatialContext) -> pd.DataFrame:
        """The events counted per period and district of ``spatial`` (columns period,
        district_code, count; zero where a period has none): the numerators of the values,
        as the disclosure audit's table holds them."""
        codes = pd.Index(spatial.districts["code"].astype(str), name="district_code")
        return self._event_counts(spatial, codes)[["period", "district_code", "count"]]

    def utc_offset(self, spatial: SpatialContext) -> float:
        """The local time the events are bucketed in (hours from UTC)."""
        if self.utc_offset_hours is not None:
            return self.utc_offset_hours
        return spatial.memo.get(("utc offset",),
                                lambda: utc_offset_from_longitude(spatial.districts))

    def observed_counts(self, prepared: PreparedObservations, codes: pd.Index,
                        indicator_id: str) -> dict[str, pd.DataFrame]:
        """The counts term's sums per period and district of ``codes`` (NaN where the feed
        has no row) and their runs, per indicator (one per category with ``by``)."""
        assert self.counts is not None
        mask = prepared.mask(self.counts)
        rows = prepared.keyed(mask)
        if rows.empty:
            return {}
        if self.by is None:
            groups = {indicator_id: rows}
        else:
            values = prepared.values_of(self.by, mask)  # NaN where a row has none
            groups = {f"{indicator_id}.{g}": rows[values == g]
                      for g in sorted(pd.Series(values).dropna().astype(str).unique())}
        out = {}
        for ident, block in groups.items():
            # A district without a row in a period of the feed: its count was redacted at
            # ingest (small) or is zero; either way it is not published.
            grid = pd.MultiIndex.from_product([sorted(block["period"].unique()), codes],
                                              names=KEY)
            sums = block.groupby(KEY)["value"].sum().reindex(grid)
            runs = runs_by(block, KEY)
            out[ident] = pd.DataFrame({"count": sums, "runs": runs.reindex(grid).fillna("")}
                                      ).reset_index()
        return out

    # denominators -------------------------------------------------------------------------
    def _per_km2(self, counted: pd.DataFrame, spatial: SpatialContext) -> pd.DataFrame:
        km2 = district_km2(spatial.districts, spatial.local_crs)
        whole = counted["district_code"].map(km2).to_numpy(dtype=float)
        return counted.assign(whole=whole, estimate="")

    def residents_at(self, prepared: PreparedObservations, periods: pd.Series,
                     districts: pd.Series) -> np.ndarray:
        """The denominator of each (period, district) as ``_per_1000`` chooses it (NaN where
        there is none): what the disclosure table divides a rate's count by."""
        rows = pd.DataFrame({"period": periods.to_numpy(), "district_code": districts.to_numpy(),
                             "runs": ""})
        return self._per_1000(rows, prepared)["whole"].to_numpy(dtype=float)

    def _per_1000(self, counted: pd.DataFrame, prepared: PreparedObservations) -> pd.DataFrame:
        """Each counted row's denominator: the district's latest candidate year at or before
        the row's (``_Denominators``, made once per run for every rate of the same
        residents)."""
        source = json.dumps([d.model_dump() for d in self.residents], sort_keys=True)
        found = prepared.memo.get(("rate denominators", source),
                                  lambda: _Denominators.of(self.residents, prepared))
        if found is None:
            return counted.assign(whole=np.nan, estimate="")
        rows = counted.reset_index(drop=True)
        year = rows["period"].astype(str).str[:4]
        chosen = found.chosen(rows["district_code"], year)
        first_same_year = ((chosen["label"] == self.residents[0].label)
                           & (chosen["year"] == year.to_numpy()))
        estimate = np.where(chosen["label"].isna() | first_same_year.to_numpy(), "",
                            "denominator: " + chosen["label"].fillna("").astype(str) + " "
                            + chosen["of"].fillna("").astype(str))
        return rows.assign(whole=chosen["whole"].to_numpy(dtype=float), estimate=estimate,
                           runs=_joined_pairs(rows["runs"], chosen["whole_runs"]))


@dataclass(frozen=True)
class _Denominators:
    """The candidate populations of a rate per 1,000 residents, per district and year: at
    most one per (district, year), the first candidate's (then the earliest period) where
    several have that year; ``latest[d, k]``: the row of ``table`` of district ``d`` with the
    latest year at or before ``years[k]`` (-1: none)."""

    table: pd.DataFrame  # district_code, of (the period), year, order, label, whole, whole_runs
    districts: pd.Index
    years: np.ndarray
    latest: np.ndarray

    @classmethod
    def of(cls, residents: list[Denominator], prepared: PreparedObservations
           ) -> _Denominators | None:
        candidates = []
        for order, denominator in enumerate(residents):
            mask = prepared.mask(denominator.term())
            rows = prepared.keyed(mask)
            if rows.empty:
                continue
            sums = rows.groupby(KEY)["value"].sum().rename("whole").to_frame()
            sums["whole_runs"] = runs_by(rows, KEY).reindex(sums.index)
            candidates.append(sums.reset_index().assign(order=order, label=denominator.label))
        if not candidates:
            return None
        table = pd.concat(candidates, ignore_index=True).rename(columns={"period": "of"})
        table["year"] = table["of"].astype(str).str[:4]
        table = (table.sort_values(["district_code", "year", "order", "of"], kind="stable")
                 .drop_duplicates(["district_code", "year"]).reset_index(drop=True))
        districts = pd.Index(table["district_code"].unique())
        years = np.array(sorted(table["year"].unique()), dtype=object)
        d = districts.get_indexer(table["district_code"])
        k = np.searchsorted(years, table["year"].to_numpy(dtype=object))
        at = np.full((len(districts), len(years)), -1, dtype=np.int64)
        at[d, k] = np.arange(len(table))
        filled = np.maximum.accumulate(np.where(at >= 0, np.arange(len(years)), -1), axis=1)
        latest = np.where(filled >= 0, np.take_along_axis(at, np.maximum(filled, 0), axis=1),
                          -1)
        return cls(table, districts, years, latest)

    def chosen(self, district_code: pd.Series, year: pd.Series) -> pd.DataFrame:
        """The denominator row of each (district, year), NaN where there is none."""
        d = self.districts.get_indexer(district_code)
        k = np.searchsorted(self.years, year.to_numpy(dtype=object), side="right") - 1
        ok = (d >= 0) & (k >= 0)
        row = np.full(len(d), -1, dtype=np.int64)
        row[ok] = self.latest[d[ok], k[ok]]
        # Positions are the table's labels: taken directly when every row has one (a
        # reindex looks each up), reindexed when some have none (their columns go missing).
        return self.table.iloc[row] if (row >= 0).all() else self.table.reindex(row)


def _joined_pairs(first: pd.Series, second: pd.Series) -> np.ndarray:
    """Per row, the ingest runs of both comma-joined texts (missing: none), sorted and
    joined; each distinct pair joined once."""
    both = (first.astype(object).fillna("").astype(str).to_numpy(dtype=object) + ","
            + second.astype(object).fillna("").astype(str).to_numpy(dtype=object))
    codes, texts = pd.factorize(both)
    joined = np.array([",".join(sorted({r for r in t.split(",") if r})) for t in texts],
                      dtype=object)
    return joined[codes]


def _count_events(spatial: SpatialContext, layer: str, period: str, offset: float,
                  codes: pd.Index) -> pd.DataFrame:
    """Columns period, district_code, count, runs: the layer's events placed in the
    districts and bucketed by their local calendar ``period`` (year or month)."""
    events = spatial.events_inside(layer)
    if events.empty:
        return pd.DataFrame(columns=[*KEY, "count", "runs"])
    placed = place_points(events, spatial.districts)
    local = pd.to_datetime(events["occurred_at"], utc=True) + pd.Timedelta(hours=offset)
    label = local.dt.strftime("%Y" if period == "year" else "%Y-%m")
    inside = placed.notna() & label.notna()
    table = pd.DataFrame({"period": label[inside], "district_code": placed[inside]})
    periods = sorted(table["period"].unique())
    grid = pd.MultiIndex.from_product([periods, codes], names=KEY)
    counts = table.groupby(KEY).size().reindex(grid, fill_value=0).astype(float)
    return counts.rename("count").reset_index().assign(runs="")


def city_event_counts(spatial: SpatialContext, layer: str, period: str,
                      utc_offset_hours: float | None) -> pd.DataFrame:
    """The layer's events counted per local ``period`` and district over every district of
    ``spatial`` (the whole city), in the city's UTC offset unless one is given: what
    ``CityWide.event_counts`` gives a part of it."""
    offset = (utc_offset_hours if utc_offset_hours is not None
              else utc_offset_from_longitude(spatial.districts))
    codes = pd.Index(spatial.districts["code"].astype(str), name="district_code")
    return _count_events(spatial, layer, period, offset, codes)


def _with_city(rated: pd.DataFrame, per: str, min_count: int,
               partial: bool = False) -> pd.DataFrame:
    """District values, suppressed where the count (or, per residents, the residents) is
    small, and a city value per period, published only where no district is suppressed.
    Rows: each period's districts (in their order), then its city value. ``partial``: the
    districts are a part of the city; its city rows carry the part's sums
    (PARTIAL_COLUMNS)."""
    scale = 1000.0 if per == "1000_residents" else 1.0
    checked = ["count", "whole"] if per == "1000_residents" else ["count"]
    codes, periods = pd.factorize(rated["period"], sort=True)
    order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]  # a row without a period belongs to none
    bounds = np.searchsorted(codes[order], np.arange(len(periods) + 1))
    count = rated["count"].to_numpy(dtype=float)[order]
    whole = rated["whole"].to_numpy(dtype=float)[order]
    small = small_counts(rated[checked].to_numpy(dtype=float)[order], min_count) | np.isnan(
        count)  # NaN: not published by its feed
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(whole > 0, scale * count / whole, np.nan)
    runs = rated["runs"].to_numpy(dtype=object)[order]
    estimates = rated["estimate"].to_numpy(dtype=object)[order]
    districts = pd.DataFrame({
        "period": rated["period"].to_numpy(dtype=object)[order],
        "district_code": rated["district_code"].to_numpy(dtype=object)[order],
        "value": np.where(small, np.nan, value), "suppressed": small, "runs": runs,
        "estimate": estimates})
    city: dict[str, list] = {"value": [], "suppressed": [], "runs": [], "estimate": [],
                             **({c: [] for c in PARTIAL_COLUMNS} if partial else {})}
    for k in range(len(periods)):
        block = slice(bounds[k], bounds[k + 1])
        # exact sums: the same to the last bit as the parts' sums combined
        total = float(exact_sum(count[block]))
        residents = np.nan if np.isnan(whole[block]).any() else float(exact_sum(whole[block]))
        hidden = bool(small[block].any()) or not np.isfinite(residents) or residents <= 0
        if partial:
            for column, made in partial_columns(count[block], whole[block],
                                                bool(small[block].any()), scale,
                                                estimates[block]).items():
                city[column].append(made)
        city["value"].append(np.nan if hidden else scale * total / residents)
        city["suppressed"].append(hidden)
        city["runs"].append(",".join(sorted({r for text in pd.unique(runs[block])
                                             for r in str(text).split(",") if r})))
        city["estimate"].append("; ".join(sorted({e for e in pd.unique(estimates[block])
                                                  if e})))
    cities = pd.DataFrame({"period": periods.to_numpy(dtype=object),
                           "district_code": [None] * len(periods), **city})
    # Each period's districts, then its city row.
    at = np.concatenate([np.r_[np.arange(bounds[k], bounds[k + 1]), len(districts) + k]
                         for k in range(len(periods))]) if len(periods) else np.array([], int)
    return pd.concat([districts, cities], ignore_index=True).iloc[at].reset_index(drop=True)


def place_points(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.Series:
    """Each point's district code (NaN outside every district); a point on a border counts
    once, for the first district in ``districts``' order. Indexed like ``points``."""
    present = points.geometry.notna() & ~points.geometry.is_empty
    frame = gpd.GeoDataFrame(geometry=points.geometry[present].to_crs(districts.crs))
    areas = districts[["code", districts.geometry.name]].reset_index(drop=True)
    joined = gpd.sjoin(frame, areas, predicate="intersects", how="inner")
    joined = joined.sort_values("index_right", kind="stable")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["code"].astype(str).reindex(points.index)


def district_km2(districts: gpd.GeoDataFrame, local_crs: str) -> pd.Series:
    """Each district's area in km², from the stored ``area_m2`` where it has one, else
    measured in ``local_crs``. Indexed by district code."""
    codes = districts["code"].astype(str)
    stored = (pd.to_numeric(districts["area_m2"], errors="coerce") if "area_m2" in districts
              else pd.Series(np.nan, index=districts.index))
    missing = ~(stored > 0)
    if missing.any():
        stored = stored.where(~missing, districts.geometry.to_crs(local_crs).area)
    return pd.Series((stored / 1e6).to_numpy(dtype=float), index=codes.to_numpy())


def utc_offset_from_longitude(districts: gpd.GeoDataFrame) -> float:
    """The city's offset from UTC in whole hours, from the longitude of its districts' centre
    (mean solar time): where events fall in a calendar year or month."""
    west, _, east, _ = districts.to_crs(4326).total_bounds
    return float(round((west + east) / 2 / 15))
