"""Residents between censuses from mobile-phone home-location subscribers: a ratio estimator
per population group, calibrated on the census, with its error measured on a held-out census.

Notation: s[d,g,t] the subscribers of group g whose home tower lies in district d in month t
(only the cells above the disclosure threshold: the feed redacted the others at ingest, and
a higher threshold at compute leaves them out again); N[d,g,C] the census residents of district d and group g in census year C.

- Calibration years are the census years with at least one phone month. For each such year C
  and group g, the ratio of city totals

      r[g,C] = Σ_d N[d,g,C] / mean_{t in C} Σ_d s[d,g,t]

  (census residents per subscriber) absorbs the operator's market share of the group. The
  ratio is of city totals, not per district, so it rests on no district's census count and
  says nothing about one.
- A month t is calibrated on the latest calibration year at or before its year (the earliest
  one for months before it): est[d,g,t] = s[d,g,t] · r[g,C(t)].
- Held-out error, for each pair of consecutive calibration years C' < C: calibrate on C',
  predict C from that year's phone months, pred[d,g] = mean_{t in C} s[d,g,t] · r[g,C'],
  and compare with N[d,g,C] over the test cells, those whose census count exceeds the
  disclosure threshold and whose subscribers are published in some month of C:
  MAPE = 100 · mean |pred − N| / N, MdAPE its median (robust to the few cells that a tower's
  Voronoi cell overfills from a neighbouring district), bias (mean percentage error) = 100 ·
  mean (pred − N) / N,
  WAPE = 100 · Σ |pred − N| / Σ N, cells = the number of test cells, coverage = 100 · Σ N over
  the test cells / Σ N over every cell of the census year (how much of the population the
  error speaks for).

A per-district ratio with shrinkage was not chosen: with two census years it would be fitted
on one and tested on the other from a single observation per district and group, and a
district's ratio would reveal its census count.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.formulas.city_rows import exact_sum

KEYS = ["district_code", "group"]
ERROR_STATISTICS = ("mape", "mdape", "bias", "wape", "cells", "coverage")


@dataclass(frozen=True)
class Calibration:
    """``estimates``: district_code, group, period, subscribers, residents (the estimate),
    year (its calibration year); ``ratios``: year, group, ratio; ``errors``: one row per
    held-out year (calibrated on, tested on) and group ("" for all groups) with the
    ERROR_STATISTICS."""

    estimates: pd.DataFrame
    ratios: pd.DataFrame
    errors: pd.DataFrame

    def method(self, year: str) -> str:
        return method_text(self.errors, year)


def method_text(errors: pd.DataFrame, year: str) -> str:
    """How an estimate calibrated on census ``year`` was made, with the latest held-out
    error (``errors`` as ``Calibration.errors``): the text stored with each estimated
    value."""
    text = (f"phone estimate: home-location subscribers × census residents per subscriber "
            f"of their group, calibrated on census {year}")
    overall = errors[errors["group"] == ""]
    if overall.empty:
        return text + "; no second census to measure the error on"
    last = overall.iloc[-1]
    return (text + f"; held-out error calibrating on {last['calibrated_on']} and "
            f"predicting census {last['tested_on']}: MAPE {last['mape']:.1f} % (median "
            f"{last['mdape']:.1f} %) over "
            f"{int(last['cells'])} district × group cells")


@dataclass(frozen=True)
class CalibrationInputs:
    """What some districts give the calibration, summed over them or per cell: ``monthly``
    (period, group, value: their subscribers per month), ``census`` (year, group, value:
    their census residents) and ``cells`` (year, district_code, group, value: the census
    count, subscribers: the mean of the year's months), the held-out test's candidates.
    Those of a city's parts, in the order of their districts, make the city's
    (``fitted``)."""

    monthly: pd.DataFrame
    census: pd.DataFrame
    cells: pd.DataFrame


@dataclass(frozen=True)
class Fit:
    """The calibration years, the ratios and the held-out errors of a whole city."""

    years: list[str]
    ratios: pd.DataFrame
    errors: pd.DataFrame


def calibrate(subscribers: pd.DataFrame, census: pd.DataFrame, min_count: float) -> Calibration:
    """``subscribers``: district_code, group, period (YYYY-MM), value; ``census``:
    district_code, group, period (YYYY), value. Sums duplicates; no rows are invented."""
    fit = fitted([calibration_inputs(subscribers, census)], min_count)
    return Calibration(estimated(subscribers, fit), fit.ratios, fit.errors)


def _phone_cells(subscribers: pd.DataFrame) -> pd.DataFrame:
    phones = subscribers.groupby(["period", *KEYS], as_index=False)["value"].sum()
    phones["year"] = phones["period"].astype(str).str[:4]
    return phones


def calibration_inputs(subscribers: pd.DataFrame, census: pd.DataFrame) -> CalibrationInputs:
    """The calibration's inputs from some districts' subscribers and census rows (as
    ``calibrate`` takes them)."""
    phones = _phone_cells(subscribers)
    counted = census.assign(year=census["period"].astype(str).str[:4]).groupby(
        ["year", *KEYS], as_index=False)["value"].sum()
    mean = (phones.groupby(["year", *KEYS])["value"].mean().rename("subscribers")
            .reset_index())
    return CalibrationInputs(
        monthly=phones.groupby(["period", "group"], as_index=False)["value"].sum(),
        census=counted.groupby(["year", "group"], as_index=False)["value"].sum(),
        cells=counted.merge(mean, on=["year", *KEYS]))


def fitted(parts: list[CalibrationInputs], min_count: float) -> Fit:
    """The city's calibration from its parts' inputs: sums of integer counts, so the same
    whatever the parts."""
    monthly = pd.concat([p.monthly for p in parts], ignore_index=True).groupby(
        ["period", "group"], as_index=False)["value"].sum()
    monthly["year"] = monthly["period"].astype(str).str[:4]
    census = pd.concat([p.census for p in parts], ignore_index=True).groupby(
        ["year", "group"], as_index=False)["value"].sum()
    years = sorted(set(monthly["year"].unique()) & set(census["year"].unique()))
    if not years:
        return Fit([], pd.DataFrame(columns=["year", "group", "ratio"]), _errors([]))
    ratios = pd.concat([_ratios(monthly, census, y) for y in years], ignore_index=True)
    cells = pd.concat([p.cells for p in parts], ignore_index=True).sort_values(
        ["year", *KEYS], kind="stable")
    errors = [row for before, after in itertools.pairwise(years)
              for row in _held_out(cells, census, ratios, before, after, min_count)]
    return Fit(years, ratios, _errors(errors))


def calibration_years(periods: pd.Series, years: list[str]) -> np.ndarray:
    """The calibration year of each month: the latest calibration year at or before its
    year, the earliest one before them."""
    chosen = np.searchsorted(years, periods.astype(str).str[:4].to_numpy(), side="right") - 1
    return np.array(years, dtype=object)[np.clip(chosen, 0, None)]


def estimated(subscribers: pd.DataFrame, fit: Fit) -> pd.DataFrame:
    """``Calibration.estimates`` of these subscribers (every district or some)."""
    columns = ["district_code", "group", "period", "subscribers", "residents", "year"]
    if not fit.years:
        return pd.DataFrame(columns=columns)
    phones = _phone_cells(subscribers)
    estimates = phones.assign(calibration_year=calibration_years(
        phones["period"], fit.years)).merge(
        fit.ratios.rename(columns={"year": "calibration_year"}), on=["calibration_year",
                                                                     "group"])
    estimates = estimates.assign(subscribers=estimates["value"],
                                 residents=estimates["value"] * estimates["ratio"])
    return estimates[["district_code", "group", "period", "subscribers", "residents",
                      "calibration_year"]].rename(columns={"calibration_year": "year"})


def _ratios(monthly: pd.DataFrame, census: pd.DataFrame, year: str) -> pd.DataFrame:
    mean = monthly[monthly["year"] == year].groupby("group")["value"].mean()
    residents = census[census["year"] == year].groupby("group")["value"].sum()
    ratio = (residents / mean[mean > 0]).dropna()
    return pd.DataFrame({"year": year, "group": ratio.index.astype(str),
                         "ratio": ratio.to_numpy(dtype=float)})


def _held_out(cells: pd.DataFrame, census: pd.DataFrame, ratios: pd.DataFrame,
              calibrated_on: str, tested_on: str, min_count: float) -> list[dict]:
    ratio = ratios[ratios["year"] == calibrated_on][["group", "ratio"]]
    tested = cells[cells["year"] == tested_on].merge(ratio, on="group")
    tested = tested[tested["value"] > min_count]
    tested = tested.assign(predicted=tested["subscribers"] * tested["ratio"])
    everyone = census[census["year"] == tested_on]
    rows = []
    for group in ["", *sorted(tested["group"].astype(str).unique())]:
        mine = tested if group == "" else tested[tested["group"] == group]
        population = everyone if group == "" else everyone[everyone["group"] == group]
        rows.append({"calibrated_on": calibrated_on, "tested_on": tested_on, "group": group,
                     **error_statistics(mine["predicted"].to_numpy(float),
                                        mine["value"].to_numpy(float),
                                        float(exact_sum(population["value"].to_numpy(float))))})
    return rows


def error_statistics(predicted: np.ndarray, observed: np.ndarray,
                     population: float) -> dict[str, float]:
    """MAPE, its median, bias (mean percentage error) and WAPE in percent, the number of cells, and the
    share of ``population`` (every resident of the year) the cells hold, in percent."""
    if len(observed) == 0:
        return {"mape": np.nan, "mdape": np.nan, "bias": np.nan, "wape": np.nan,
                "cells": 0.0, "coverage": 0.0}
    relative = (predicted - observed) / observed
    return {"mape": 100.0 * float(np.mean(np.abs(relative))),
            "mdape": 100.0 * float(np.median(np.abs(relative))),
            "bias": 100.0 * float(np.mean(relative)),
            "wape": 100.0 * float(np.abs(predicted - observed).sum() / observed.sum()),
            "cells": float(len(observed)),
            "coverage": 100.0 * float(observed.sum() / population) if population > 0 else np.nan}


def _errors(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["calibrated_on", "tested_on", "group",
                                       *ERROR_STATISTICS])
