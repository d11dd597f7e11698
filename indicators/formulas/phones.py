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

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.calibration import Calibration, calibrate
from indicators.disclosure.primary import small_counts
from indicators.evaluate import KEY, VALUE_COLUMNS, PreparedObservations, SpatialContext
from indicators.formulas.base import FormulaKind, Term

PHONE_COLUMNS = VALUE_COLUMNS + ["estimate", "indicator_id"]


def group_rows(prepared: PreparedObservations, term: Term, dimension: str) -> pd.DataFrame:
    """The term's observations with their group: period, district_code, group, value,
    ingest_run (rows without the dimension left out)."""
    mask = prepared.mask(term)
    rows = prepared.obs.loc[mask, ["period", "district_code", "value", "ingest_run"]]
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


class PhoneResidentsFormula(FormulaKind):
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

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        calibrated = self.calibrated(prepared, min_count)
        if calibrated is None:
            return pd.DataFrame(columns=PHONE_COLUMNS)
        phones, census, result, runs = calibrated
        if self.statistic != "residents":
            return self._errors(result.errors, indicator_id, runs)
        if result.estimates.empty:
            return pd.DataFrame(columns=PHONE_COLUMNS)
        codes = _codes(spatial, phones, census)
        census_runs = _runs_by(census.assign(year=census["period"].str[:4]), ["year"],
                               "ingest_run")
        cell_runs = _runs_by(phones, ["period", "district_code", "group"], "ingest_run")
        estimates = result.estimates.set_index(["period", "district_code", "group"])
        groups = sorted(result.ratios["group"].unique())
        grid = pd.MultiIndex.from_product(
            [sorted(estimates.index.get_level_values("period").unique()), codes, groups],
            names=["period", "district_code", "group"])
        cells = estimates.reindex(grid)
        both = (cell_runs.reindex(grid).fillna("").to_numpy() + ","
                + cells["year"].map(census_runs).fillna("").to_numpy())
        cells["runs"] = pd.Series(both).map({t: _joined([t]) for t in set(both)}).to_numpy()
        shown = ~small_counts(cells[["subscribers"]].to_numpy(float), min_count)
        cells["residents"] = cells["residents"].where(shown)
        cells = cells.reset_index()
        years = cells.groupby("period")["year"].first()  # one calibration year per month
        methods = {year: result.method(year) for year in years.unique()}
        cells["estimate"] = cells["period"].map(years.map(methods))
        if self.per_group:
            parts = [self._with_city(block, f"{indicator_id}.{group}")
                     for group, block in cells.groupby("group", sort=True)]
            return pd.concat(parts, ignore_index=True)[PHONE_COLUMNS]
        totals = pd.DataFrame({
            "residents": _sum_if_complete(cells, KEY, "residents"),
            "runs": _runs_by(cells, KEY, "runs"),
            "estimate": cells.groupby(KEY, sort=True)["estimate"].first()}).reset_index()
        return self._with_city(totals, indicator_id)[PHONE_COLUMNS]

    def calibrated(self, prepared: PreparedObservations, min_count: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame, Calibration, str] | None:
        """The subscribers' and census rows, their calibration and every ingest run they
        come from; None without either. The estimates and each error statistic of the same
        counts share one calibration per run (the observations' memo)."""
        source = self.model_dump_json(include={"subscribers", "census", "dimension"})

        def calibrate_once() -> tuple[pd.DataFrame, pd.DataFrame, Calibration, str] | None:
            phones = group_rows(prepared, self.subscribers, self.dimension)
            # Only the cells it may publish: with a small one (stored under a lower threshold
            # at ingest) in the ratio's monthly mean, the census times the months would be
            # the published estimates of the year plus the withheld one.
            phones = phones[~small_counts(phones["value"].to_numpy(float), min_count)]
            census = group_rows(prepared, self.census, self.dimension)
            if phones.empty or census.empty:
                return None
            runs = _joined(pd.unique(pd.concat([phones["ingest_run"], census["ingest_run"]])))
            return phones, census, calibrate(phones, census, min_count), runs

        return prepared.memo.get(("phone calibration", source, min_count), calibrate_once)

    @staticmethod
    def _with_city(block: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
        districts = pd.DataFrame({
            "period": block["period"].to_numpy(), "district_code": block["district_code"],
            "value": block["residents"].to_numpy(float),
            "suppressed": block["residents"].isna().to_numpy(),
            "runs": block["runs"].to_numpy(), "estimate": block["estimate"].to_numpy()})
        city = pd.DataFrame({
            "value": _sum_if_complete(districts, ["period"], "value"),
            "runs": _runs_by(districts, ["period"], "runs"),
            "estimate": districts.groupby("period", sort=True)["estimate"].first()}
        ).reset_index()
        city = city.assign(district_code=None, suppressed=city["value"].isna())
        return pd.concat([districts, city], ignore_index=True).assign(indicator_id=indicator_id)

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
        city = districts.groupby("period", sort=True).agg(
            day=("day", "sum"), night=("night", "sum"), hidden=("suppressed", "any")).assign(
            runs=_runs_by(districts, ["period"], "runs")).reset_index()
        city = city.assign(district_code=None, suppressed=city["hidden"],
                           value=np.where(city["hidden"], np.nan, city["day"] / city["night"]))
        return pd.concat([districts, city], ignore_index=True).assign(
            estimate="", indicator_id=indicator_id)[PHONE_COLUMNS]
