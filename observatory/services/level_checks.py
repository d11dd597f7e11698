"""What a city statistician checks after loading levels and boundary versions: the levels and
their versions, what each boundaries run said about nesting, how the crosswalk carries each
ended version (areas split, totals before and after), and whether counts loaded at a level
equal the sums of a finer level's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.level_inputs import COUNT_UNITS, observations_at_level
from observatory.geography.crosswalk import carry
from observatory.geography.levels import period_start, version_on, versions_from
from observatory.models import Level
from observatory.store.base import Store

# A source area counts as split when at least two areas each get this share of it.
SPLIT_SHARE = 0.01


@dataclass(frozen=True)
class CarriedVersion:
    from_level: str
    from_version: str
    to_level: str
    to_version: str
    method: str
    sources: int
    targets: int
    split: tuple[str, ...]  # source codes spread over >= 2 targets (each >= SPLIT_SHARE)
    totals: tuple[tuple[str, str, float, float], ...]  # (period, variable, before, after)


@dataclass(frozen=True)
class LevelReport:
    levels: list[Level]
    versions: pd.DataFrame  # level, valid_from, valid_to, areas
    nesting: list[str]  # what each boundaries run said about nesting
    carried: list[CarriedVersion]
    roll_up: pd.DataFrame  # level, source_level, period, cells, equal, max_difference
    notes: list[str]  # per level: counts that could not be summed or carried, and why


def level_report(store: Store, city: str, totals_of: tuple[str, ...] = ("population_total",)
                 ) -> LevelReport:
    levels = store.levels(city)
    versions = store.boundary_versions(city)
    nesting = [line for run in store.runs(city) if run.feed == "boundaries"
               for line in run.message.splitlines() if "nest" in line]
    inputs = {level.name: observations_at_level(store, city, level.name) for level in levels}
    roll_up = pd.concat([i.checks.assign(level=name) for name, i in inputs.items()],
                        ignore_index=True)
    notes = [f"{name}: {note}" for name, i in inputs.items() for note in i.notes]
    return LevelReport(levels, versions, nesting, _carried(store, city, totals_of), roll_up,
                       notes)


def _carried(store: Store, city: str, totals_of: tuple[str, ...]) -> list[CarriedVersion]:
    walk = store.crosswalk(city)
    if walk.empty:
        return []
    every = store.observations(city, variables=list(totals_of), every_level=True)
    every = every[every["unit"].isin(COUNT_UNITS)]
    known = versions_from(store.boundary_versions(city))
    out = []
    keys = ["from_level", "from_version", "to_level", "to_version"]
    for (from_level, from_version, to_level, to_version), rows in walk.groupby(keys):
        shares = rows[rows["weight"] >= SPLIT_SHARE].groupby("from_code")["to_code"].nunique()
        start = pd.Timestamp(from_version).date()
        on_version = {p for p in every["period"].astype(str).unique()
                      if (v := version_on(known, str(from_level), period_start(p))) is not None
                      and v.valid_from == start}
        mine = every[(every["level"] == from_level) & every["period"].isin(on_version)]
        totals = []
        for (period, variable), values in mine.groupby(["period", "variable"]):
            moved = carry(values.rename(columns={"district_code": "from_code"}),
                          rows[["from_code", "to_code", "weight"]], by=["period", "variable",
                                                                      "dims"])
            totals.append((str(period), str(variable), float(values["value"].sum()),
                           float(moved["value"].sum())))
        out.append(CarriedVersion(
            str(from_level), str(start), str(to_level), str(pd.Timestamp(to_version).date()),
            ", ".join(sorted(rows["method"].unique())), int(rows["from_code"].nunique()),
            int(rows["to_code"].nunique()), tuple(sorted(shares[shares >= 2].index)),
            tuple(totals)))
    return out
