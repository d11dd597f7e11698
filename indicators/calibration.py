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
        """How an estimate calibrated on census ``year`` was made, with the latest held-out
        error: the text stored with each estimated value."""
        text = (f"phone estimate: home-location subscribers × census residents per subscriber "
                f"of their group, calibrated on census {year}")
        overall = self.errors[self.errors["group"] == ""]
        if overall.empty:
            return text + "; no second census to measure the error on"
        last = overall.iloc[-1]
        return (text + f"; held-out error calibrating on {last['calibrated_on']} and "
                f"predicting census {last['tested_on']}: MAPE {last['mape']:.1f} % (median "
                f"{last['mdape']:.1f} %) over "
                f"{int(last['cells'])} district × group cells")


def calibrate(subscribers: pd.DataFrame, census: pd.DataFrame, min_count: float) -> Calibration:
    """``subscribers``: district_code, group, period (YYYY-MM), value; ``census``:
    district_code, group, period (YYYY), value. Sums duplicates; no rows are invented."""
    phones = subscribers.groupby(["period", *KEYS], as_index=False)["value"].sum()
    phones["year"] = phones["period"].astype(str).str[:4]
    counted = census.assign(year=census["period"].astype(str).str[:4]).groupby(
        ["year", *KEYS], as_index=False)["value"].sum()
    years = sorted(set(phones["year"].unique()) & set(counted["year"].unique()))
    empty_ratios = pd.DataFrame(columns=["year", "group", "ratio"])
    if not years:
        estimates = pd.DataFrame(columns=["district_code", "group", "period", "subscribers",
                                          "residents", "year"])
        return Calibration(estimates, empty_ratios, _errors([]))
    ratios = pd.concat([_ratios(phones, counted, y) for y in years], ignore_index=True)
    phone_years = phones["year"].to_numpy()
    chosen = np.array(years)[np.clip(np.searchsorted(years, phone_years, side="right") - 1,
                                     0, None)]
    estimates = phones.assign(calibration_year=chosen).merge(
        ratios.rename(columns={"year": "calibration_year"}), on=["calibration_year", "group"])
    estimates = estimates.assign(subscribers=estimates["value"],
                                 residents=estimates["value"] * estimates["ratio"])
    errors = [row for before, after in itertools.pairwise(years)
              for row in _held_out(phones, counted, ratios, before, after, min_count)]
    return Calibration(
        estimates[["district_code", "group", "period", "subscribers", "residents",
                   "calibration_year"]].rename(columns={"calibration_year": "year"}),
        ratios, _errors(errors))


def _ratios(phones: pd.DataFrame, counted: pd.DataFrame, year: str) -> pd.DataFrame:
    monthly = phones[phones["year"] == year].groupby(["period", "group"])["value"].sum()
    mean = monthly.groupby("group").mean()
    residents = counted[counted["year"] == year].groupby("group")["value"].sum()
    ratio = (residents / mean[mean > 0]).dropna()
    return pd.DataFrame({"year": year, "group": ratio.index.astype(str),
                         "ratio": ratio.to_numpy(dtype=float)})


def _held_out(phones: pd.DataFrame, counted: pd.DataFrame, ratios: pd.DataFrame,
              calibrated_on: str, tested_on: str, min_count: float) -> list[dict]:
    mean = (phones[phones["year"] == tested_on].groupby(KEYS)["value"].mean()
            .rename("subscribers").reset_index())
    truth = counted[counted["year"] == tested_on]
    ratio = ratios[ratios["year"] == calibrated_on][["group", "ratio"]]
    cells = truth.merge(mean, on=KEYS).merge(ratio, on="group")
    cells = cells[cells["value"] > min_count]
    cells = cells.assign(predicted=cells["subscribers"] * cells["ratio"])
    rows = []
    for group in ["", *sorted(cells["group"].astype(str).unique())]:
        mine = cells if group == "" else cells[cells["group"] == group]
        everyone = truth if group == "" else truth[truth["group"] == group]
        rows.append({"calibrated_on": calibrated_on, "tested_on": tested_on, "group": group,
                     **error_statistics(mine["predicted"].to_numpy(float),
                                        mine["value"].to_numpy(float),
                                        float(everyone["value"].sum()))})
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
