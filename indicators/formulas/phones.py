"""Formula kinds on mobile-phone aggregates (the ``cdr`` feed):

- ``phone_residents``: residents per district and month estimated from home-location
  subscribers calibrated on the census (``indicators.calibration``), per group
  (``per_group: true``, one indicator ``<id>.<group>``) or summed over the groups; or, with
  ``statistic:``, the calibration's held-out error (MAPE, its median, bias, WAPE, cells,
  coverage), one city value per census year predicted.
- ``presence_ratio``: daytime presence over home-location subscribers per district and month
  (the day/night ratio: above 1 where people come to work, below 1 where they leave from).

Disclosure. An estimate is subscribers times a published ratio, so it gives its subscriber
count away: it is published only where that count exceeds the threshold (cells at or below it
were already redacted by the feed; a higher threshold at compute time applies again). The
ratio is of city totals over the cells that exceed the threshold (a stored cell at or below
it, under a lower threshold at ingest, is left out: the census of a year is the mean of its
months' city estimates, so a withheld month would be the census minus the published ones)
and the error is measured only on cells whose census count and subscribers both exceed the
threshold, so neither rests on a suppressed count; an error over a
single cell (a group in one district) is not published. A sum over
groups is published only where every group's estimate is; a ratio only where both its counts
exceed the threshold; a city value only where no district's value is suppressed (otherwise the
city minus the published districts would give the suppressed ones away). Across levels the
values are protected like rates (``indicators.disclosure.hierarchy``). The estimates are
audited with the calibration ratios assumed known (``indicators.disclosure.ruled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.calibration import (
    Calibration,
    Fit,
    calibration_inputs,
    calibration_years,
    estimated,
    fitted,
    method_text,
)
from indicators.disclosure.primary import small_counts
from indicators.evaluate import KEY, VALUE_COLUMNS, PreparedObservations, SpatialContext, stage_of
from indicators.formulas.base import FormulaKind, Term
from indicators.formulas.city_rows import PARTIAL_COLUMNS, exact_sum, partial_columns

PHONE_COLUMNS = VALUE_COLUMNS + ["estimate", "indicator_id"]


def group_rows(prepared: PreparedObservations, term: Term, dimension: str) -> pd.DataFrame:
    """The term's observations with their group: period, district_code, group, value,
    ingest_run (rows without the dimension left out)."""
    mask = prepared.mask(term)
    rows = prepared.keyed(mask)
    rows = rows.assign(group=prepared.values_of(dimension, mask))
    return rows[rows["group"].notna() & rows["district_code"].notna()].astype(
        {"group": str, "period": str, "district_code": str})


def _joined(runs) -> str:
    return ",".join(sorted({r for text in runs for r in str(text).split(",") if r}))


def _runs_by(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The runs of ``column`` joined per ``keys`` (in the order the keys first appear): each
    distinct text joined once. Nearly every group has one text, taken as it is; only the
    others are joined in Python (a join per group was most of the phone kinds' time)."""
    pairs = frame[[*keys, column]].drop_duplicates()
    several = pairs.duplicated(keys, keep=False).to_numpy()
    single = pairs[~several].set_index(keys)[column]
    listed = pd.concat([single, pairs[several].groupby(keys, sort=False)[column].agg(",".join)])
    listed = listed.reindex(pd.MultiIndex.from_frame(pairs[keys].drop_duplicates())
                            if len(keys) > 1 else pd.Index(pairs[keys[0]].unique(),
                                                           name=keys[0]))
    return listed.map({text: _joined([text]) for text in listed.unique()})


def _sum_if_complete(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The sum of ``column`` per ``keys``, NaN where any of its values is NaN."""
    grouped = frame.groupby(keys, sort=True)[column]
    return grouped.sum().where(~frame[column].isna().groupby(
        [frame[k] for k in keys], sort=True).any())


def _codes(spatial: SpatialContext | None, *frames: pd.DataFrame) -> list[str]:
    if spatial is not None and not spatial.districts.empty:
        return sorted(spatial.districts["code"].astype(str))
    return sorted(set().union(*(set(f["district_code"]) for f in frames)))


@dataclass(frozen=True)
class PhoneStage:
    """The phone calibration of a whole city (``FormulaKind.city_stage``): its fit, every
    ingest run behind it, each estimated month's calibration year and each census year's
    runs."""

    fit: Fit
    runs: str
    year_of: dict[str, str]
    census_runs: dict[str, str]


def _columns(partial: bool) -> list[str]:
    return PHONE_COLUMNS + (PARTIAL_COLUMNS if partial else [])


def _with_city(block: pd.DataFrame, indicator_id: str, partial: bool) -> pd.DataFrame:
    """The districts' estimates and, per period, the city's: their sum where every one is
    published (in a part of a city: the part's sums, PARTIAL_COLUMNS)."""
    districts = pd.DataFrame({
        "period": block["period"].to_numpy(), "district_code": block["district_code"],
        "value": block["residents"].to_numpy(float),
        "suppressed": block["residents"].isna().to_numpy(),
        "runs": block["runs"].to_numpy(), "estimate": block["estimate"].to_numpy()})
    by_period = districts.groupby("period", sort=True)
    hidden = by_period["suppressed"].any()
    city = pd.DataFrame({
        "value": by_period["value"].agg(lambda v: float(exact_sum(v.to_numpy()))).where(
            ~hidden),
        "runs": _runs_by(districts, ["period"], "runs"),
        "estimate": by_period["estimate"].first()}).reset_index()
    city = city.assign(district_code=None, suppressed=hidden.to_numpy())
    if partial:
        made = [partial_columns(d["value"].to_numpy(float), None, bool(h), 1.0,
                                d["estimate"].to_numpy(object))
                for (_, d), h in zip(by_period, hidden, strict=True)]
        city = city.assign(**{c: [m[c] for m in made] for c in PARTIAL_COLUMNS})
    return pd.concat([districts, city], ignore_index=True).assign(indicator_id=indicator_id)


class PhoneResidentsFormula(FormulaKind):
    city_combined: ClassVar[bool] = True

    kind: Literal["phone_residents"]
    subscribers: Term = Field(description="home-location subscribers, e.g. {variable: "
                              "mobile_home_subscribers}")
    census: Term = Field(description="census residents, e.g. {variable: population}")
    dimension: str = Field(default="citizenship", description="the group dimension both "
                           "carry (SIM nationality and citizenship)")
    per_group: bool = Field(default=False, description="one indicator <id>.<group> per "
                            "group instead of the sum over groups")
    statistic: Literal["residents", "mape", "mdape", "bias", "wape", "cells", "coverage"] = Field(
        default="residents", description="residents (the estimates) or a statistic of the "
        "held-out error, one city value per census year predicted")

    def variables(self) -> set[str]:
        return {self.subscribers.variable, self.census.variable}

    def city_stage(self) -> str:
        return "phone calibration " + self.model_dump_json(
            include={"subscribers", "census", "dimension"})

    def cells(self, prepared: PreparedObservations, min_count: int
              ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The subscribers' cells it may publish and the census rows (``group_rows``); None
        without either. Made once per run for every indicator of the same counts."""
        def made() -> tuple[pd.DataFrame, pd.DataFrame] | None:
            phones = group_rows(prepared, self.subscribers, self.dimension)
            # Only the cells it may publish: with a small one (stored under a lower threshold
            # at ingest) in the ratio's monthly mean, the census times the months would be
            # the published estimates of the year plus the withheld one.
            phones = phones[~small_counts(phones["value"].to_numpy(float), min_count)]
            census = group_rows(prepared, self.census, self.dimension)
            return None if phones.empty or census.empty else (phones, census)

        return prepared.memo.get(("phone cells", self.city_stage(), min_count), made)

    def stage_summary(self, prepared: PreparedObservations, min_count: int) -> object:
        found = self.cells(prepared, min_count)
        if found is None:
            return None
        phones, census = found
        runs = pd.unique(pd.concat([phones["ingest_run"], census["ingest_run"]]))
        census_runs = census.assign(year=census["period"].str[:4])[["year", "ingest_run"]]
        return (calibration_inputs(phones, census), runs, census_runs.drop_duplicates())

    def stage_decisions(self, summaries: list[object], min_count: int) -> object:
        found = [s for s in summaries if s is not None]
        if not found:
            return None
        inputs, runs, census_runs = zip(*found, strict=True)
        fit = fitted(list(inputs), min_count)
        monthly = pd.concat([i.monthly for i in inputs], ignore_index=True)
        # the months with an estimate: a cell of a group with a ratio in its calibration year
        years = pd.Series(calibration_years(monthly["period"], fit.years) if fit.years
                          else np.array([], dtype=object), index=monthly.index, dtype=object)
        keys = pd.MultiIndex.from_arrays([years, monthly["group"]])
        ratioed = keys.isin(pd.MultiIndex.from_frame(fit.ratios[["year", "group"]]))
        months = (pd.DataFrame({"period": monthly["period"][ratioed], "year": years[ratioed]})
                  .drop_duplicates("period").sort_values("period"))
        census = pd.concat(census_runs, ignore_index=True)
        return PhoneStage(
            fit=fit, runs=_joined(pd.unique(np.concatenate(runs))),
            year_of=dict(zip(months["period"], months["year"], strict=True)),
            census_runs={str(y): _joined(rows) for y, rows in
                         census.groupby("year", sort=True)["ingest_run"]})

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        stage = stage_of(self, prepared, min_count, spatial)
        if not isinstance(stage, PhoneStage):
            return pd.DataFrame(columns=PHONE_COLUMNS)
        if self.statistic != "residents":
            return self._errors(stage.fit.errors, indicator_id, stage.runs)
        if not stage.year_of:
            return pd.DataFrame(columns=PHONE_COLUMNS)
        found = self.cells(prepared, min_count)
        phones = found[0] if found is not None else pd.DataFrame(
            columns=["period", "district_code", "value", "ingest_run", "group"])
        codes = _codes(spatial, phones)
        estimates = estimated(phones, stage.fit).set_index(["period", "district_code", "group"])
        groups = sorted(stage.fit.ratios["group"].unique())
        grid = pd.MultiIndex.from_product([sorted(stage.year_of), codes, groups],
                                          names=["period", "district_code", "group"])
        cells = estimates.reindex(grid)
        cell_runs = (_runs_by(phones, ["period", "district_code", "group"], "ingest_run")
                     if len(phones) else pd.Series(dtype=object))
        year = grid.get_level_values("period").map(stage.year_of)
        both = (cell_runs.reindex(grid).fillna("").to_numpy() + ","
                + year.map(stage.census_runs).fillna("").to_numpy())
        cells["runs"] = pd.Series(both).map({t: _joined([t]) for t in set(both)}).to_numpy()
        shown = ~small_counts(cells[["subscribers"]].to_numpy(float), min_count)
        cells["residents"] = cells["residents"].where(shown)
        cells = cells.reset_index()
        methods = {y: method_text(stage.fit.errors, y) for y in set(stage.year_of.values())}
        cells["estimate"] = cells["period"].map({p: methods[y] for p, y in
                                                 stage.year_of.items()})
        partial = spatial is not None and spatial.city is not None
        if self.per_group:
            parts = [_with_city(block, f"{indicator_id}.{group}", partial)
                     for group, block in cells.groupby("group", sort=True)]
            return pd.concat(parts, ignore_index=True)[_columns(partial)]
        totals = pd.DataFrame({
            "residents": _sum_if_complete(cells, KEY, "residents"),
            "runs": _runs_by(cells, KEY, "runs"),
            "estimate": cells.groupby(KEY, sort=True)["estimate"].first()}).reset_index()
        return _with_city(totals, indicator_id, partial)[_columns(partial)]

    def calibrated(self, prepared: PreparedObservations, min_count: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame, Calibration, str] | None:
        """The subscribers' and census rows, their calibration and every ingest run they
        come from, on the whole city; None without either (what the audit's table takes)."""
        found = self.cells(prepared, min_count)
        stage = stage_of(self, prepared, min_count, None)
        if found is None or not isinstance(stage, PhoneStage):
            return None
        phones, census = found
        result = Calibration(estimated(phones, stage.fit), stage.fit.ratios, stage.fit.errors)
        return phones, census, result, stage.runs

    def _errors(self, errors: pd.DataFrame, indicator_id: str, runs: str) -> pd.DataFrame:
        if not self.per_group:
            errors = errors[errors["group"] == ""]
        else:
            errors = errors[errors["group"] != ""]
        # Over one cell an error is that cell's |estimate − census| / census: with the
        # published estimate it would give the census count away.
        alone = errors["cells"].to_numpy(float) < 2
        value = np.where(alone, np.nan, errors[self.statistic].to_numpy(float))
        ids = (indicator_id if not self.per_group
               else [f"{indicator_id}.{g}" for g in errors["group"]])
        return pd.DataFrame({
            "period": errors["tested_on"].astype(str).to_numpy(), "district_code": None,
            "value": value, "suppressed": np.isnan(value), "runs": runs, "estimate": "",
            "indicator_id": ids})[PHONE_COLUMNS]


class PresenceRatioFormula(FormulaKind):
    city_combined: ClassVar[bool] = True
    kind: Literal["presence_ratio"]
    daytime: Term = Field(description="daytime presence, e.g. {variable: "
                          "mobile_daytime_subscribers}")
    night: Term = Field(description="home-location subscribers, e.g. {variable: "
                        "mobile_home_subscribers}")
    match: str | None = Field(default=None, description="a dimension both carry (e.g. "
                              "citizenship): the ratio is over the groups published in both, "
                              "so that a group redacted in one count is left out of the other")

    def variables(self) -> set[str]:
        return {self.daytime.variable, self.night.variable}

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        keys = KEY + (["group"] if self.match else [])
        frames = []
        for name, term in (("day", self.daytime), ("night", self.night)):
            rows = (group_rows(prepared, term, self.match) if self.match else
                    prepared.obs.loc[prepared.mask(term), [*KEY, "value", "ingest_run"]]
                    .dropna(subset=["district_code"]).astype({"period": str,
                                                               "district_code": str}))
            frames.append(pd.DataFrame({name: rows.groupby(keys)["value"].sum(),
                                        f"{name}_runs": _runs_by(rows, keys, "ingest_run")}))
        cells = frames[0].join(frames[1], how="inner").reset_index()
        if cells.empty:
            return pd.DataFrame(columns=PHONE_COLUMNS)
        cells["runs"] = cells["day_runs"] + "," + cells["night_runs"]
        sums = cells.groupby(KEY)[["day", "night"]].sum().assign(
            runs=_runs_by(cells, KEY, "runs"))
        codes = _codes(spatial, cells)
        grid = pd.MultiIndex.from_product([sorted(cells["period"].unique()), codes], names=KEY)
        sums = sums.reindex(grid)
        small = small_counts(sums[["day", "night"]].to_numpy(float), min_count) | (
            sums[["day", "night"]].isna().any(axis=1).to_numpy())
        districts = sums.reset_index().assign(
            value=np.where(small, np.nan, sums["day"] / sums["night"]), suppressed=small)
        districts["runs"] = districts["runs"].fillna("")
        by_period = districts.groupby("period", sort=True)
        city = by_period.agg(hidden=("suppressed", "any")).assign(
            runs=_runs_by(districts, ["period"], "runs")).reset_index()
        day = by_period["day"].agg(lambda v: float(exact_sum(v.to_numpy())))
        night = by_period["night"].agg(lambda v: float(exact_sum(v.to_numpy())))
        city = city.assign(district_code=None, suppressed=city["hidden"],
                           value=np.where(city["hidden"], np.nan,
                                          day.to_numpy() / night.to_numpy()))
        partial = spatial is not None and spatial.city is not None
        if partial:  # a part of a city: its sums, the city's value combined from the parts'
            made = [partial_columns(d["day"].to_numpy(float), d["night"].to_numpy(float),
                                    bool(h), 1.0, np.array([], dtype=object))
                    for (_, d), h in zip(by_period, city["hidden"], strict=True)]
            city = city.assign(**{c: [m[c] for m in made] for c in PARTIAL_COLUMNS})
        return pd.concat([districts, city], ignore_index=True).assign(
            estimate="", indicator_id=indicator_id)[_columns(partial)]
