"""The observations an indicator of one geographic level is computed from (docs/geography.md).

- Loaded at the level: used as they are; they win over anything derived for the same key.
- Loaded at a finer level: counts are summed to the level through the parent codes (of the
  finer areas' boundary version, else the level's code rule). Shares, rates and composites
  are then computed from the summed counts by the indicator engine, never averaged.
- Loaded on boundaries that have since ended: counts are carried by the city's crosswalk onto
  the successor boundaries (then summed further up where those are finer) and every row so
  made names its method in ``estimate``. The rows as loaded (``sources``, their areas named
  by ``ended_code``) and the weights that carried them (``carry_weights``) are kept beside:
  a carried count is a fixed multiple of its old area's, which the disclosure gate must know
  (``indicators.disclosure.carried``).

Only counts move (``COUNT_UNITS``); a mean or a distance at a finer level is not summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from observatory.geography.crosswalk import carry
from observatory.geography.levels import (
    Version,
    descendants,
    parent_codes_by_rule,
    period_start,
    version_on,
    versions_from,
)
from observatory.models import Level
from observatory.store.base import Store

COUNT_UNITS = frozenset({"persons", "people", "residents", "households", "records",
                         "subscribers", "offences", "events", "cases", "services", "count"})
KEY = ["period", "variable", "dims"]
CHECK_COLUMNS = ["source_level", "period", "cells", "equal", "max_difference"]
WEIGHT_COLUMNS = ["period", "from_code", "to_code", "weight"]



@dataclass
class LevelInputs:
    observations: pd.DataFrame  # observation columns, ``ingest_run`` and ``estimate``
    notes: list[str] = field(default_factory=list)
    # Where counts were loaded at the level and also summed from a finer level: one row per
    # (source level, period) with the cells compared, how many agree exactly, the largest gap.
    checks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHECK_COLUMNS))
    # The carried counts as loaded, on the ended areas (``ended_code``), and per period the
    # weight with which each ended area's count reaches each of the level's areas (the
    # crosswalk's, times any sum up to the level): a carried row of ``observations`` is
    # ``Σ weight · source`` over its key.
    sources: pd.DataFrame | None = None
    carry_weights: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=WEIGHT_COLUMNS))


def ended_code(level: str, code: object, version: Version | None) -> str:
    """The name of an area of an ended boundary version among the level's own codes: it may
    not be mistaken for one of them (a redrawn area often keeps its code)."""
    return f"ended {level}/{code}@{version.valid_from if version else '-'}"



def observations_at_level(store: Store, city: str, level: str | None,
                          variables: list[str] | None = None) -> LevelInputs:
    levels = store.levels(city)
    by_name = {lv.name: lv for lv in levels}
    target = level or levels[0].name
    every = store.observations(city, variables=variables, every_level=True)
    own = every[every["level"] == target].assign(estimate="")
    below = descendants(target, by_name)
    versions = versions_from(store.boundary_versions(city))
    if not below and not any(v.ended for v in versions):
        return LevelInputs(own.drop(columns="level").reset_index(drop=True))
    context = _Context(store, city, by_name, versions, store.crosswalk(city))
    own_direct, carried_own = context.split_ended(own, target)
    parts: list[pd.DataFrame] = [own_direct]
    notes: list[str] = []
    loaded = set(own_direct[KEY].itertuples(index=False, name=None))
    taken = set(loaded)
    checks = [pd.DataFrame(columns=CHECK_COLUMNS)]
    sources: list[pd.DataFrame] = []
    weights = [pd.DataFrame(columns=WEIGHT_COLUMNS)]
    for rows in (carried_own, *(every[every["level"] == f] for f in below)):
        if rows.empty:
            continue
        source = str(rows["level"].iloc[0])
        counts = rows[rows["unit"].isin(COUNT_UNITS)].assign(
            estimate=rows.get("estimate", ""))
        lifted = context.lift(counts.drop(columns="level"), source, target, notes)
        if lifted.rows.empty:
            continue
        keys = _keys(lifted.rows)
        checks.append(_compare(lifted.rows[keys.isin(loaded)], own_direct, source))
        kept = ~keys.isin(taken)
        taken |= set(keys[kept])
        parts.append(lifted.rows[kept])
        # Only the sources of the carried rows that were kept: a key loaded at the level
        # itself is not their sum.
        if lifted.sources is not None:
            sources.append(lifted.sources[_keys(lifted.sources).isin(set(keys[kept]))])
            weights.append(lifted.weights)
    out = pd.concat([p.drop(columns="level", errors="ignore") for p in parts],
                    ignore_index=True)
    return LevelInputs(out, notes, pd.concat(checks, ignore_index=True),
                       pd.concat(sources, ignore_index=True) if sources else None,
                       pd.concat(weights, ignore_index=True))


def _keys(rows: pd.DataFrame) -> pd.Series:
    return pd.Series(list(rows[KEY].itertuples(index=False, name=None)), index=rows.index,
                     dtype=object)


def _compare(summed: pd.DataFrame, loaded: pd.DataFrame, source: str) -> pd.DataFrame:
    """Sums of a finer level against the counts loaded at the level, per period."""
    keys = ["district_code", *KEY]
    both = summed.merge(loaded, on=keys, suffixes=("_summed", "_loaded"))
    if both.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    gap = (both["value_summed"] - both["value_loaded"]).abs()
    return (both.assign(gap=gap, equal=gap == 0).groupby("period", sort=True)
            .agg(cells=("gap", "size"), equal=("equal", "sum"), max_difference=("gap", "max"))
            .reset_index().assign(source_level=source)[CHECK_COLUMNS])


def parent_map(store: Store, city: str, level: Level, rows: pd.DataFrame) -> dict[str, str]:
    """Area code -> parent code for the areas of ``rows`` (a level's inputs): as the level's
    current boundary version stored them, else by its code rule."""
    context = _Context(store, city, {lv.name: lv for lv in store.levels(city)},
                       versions_from(store.boundary_versions(city)), pd.DataFrame())
    codes = pd.Series(rows["district_code"].dropna().astype(str).unique(), dtype="string")
    parents = context._parent_codes(level.name, codes, context._open_version(level.name))
    return {str(c): str(p) for c, p in zip(codes, parents, strict=True) if pd.notna(p)}


@dataclass
class Lifted:
    """Rows brought onto a level's areas; where some were carried, the rows they came from
    (their areas named by ``ended_code``) and the weights that carried them."""

    rows: pd.DataFrame
    sources: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None


class _Context:
    def __init__(self, store: Store, city: str, levels: dict[str, Level],
                 versions: list[Version], crosswalk: pd.DataFrame) -> None:
        self.store, self.city, self.levels = store, city, levels
        self.versions, self.crosswalk = versions, crosswalk
        self._parents: dict[str, dict[str, str]] = {}

    def version_at(self, level: str, period: str) -> Version | None:
        return version_on(self.versions, level, period_start(period))

    def split_ended(self, rows: pd.DataFrame, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rows on the level's current areas, and rows on boundaries that have ended and are
        carried onto later ones (an ended version nothing replaced keeps its rows as they are,
        on its own areas, rather than lose them)."""
        carried = {(str(lv), pd.Timestamp(day).date()) for lv, day in
                   self.crosswalk[["from_level", "from_version"]].drop_duplicates()
                   .itertuples(index=False)} if len(self.crosswalk) else set()

        def is_carried(period: object) -> bool:
            version = self.version_at(level, str(period))
            return version is not None and (version.level, version.valid_from) in carried

        moved = rows["period"].map(is_carried).astype(bool)
        return rows[~moved], rows[moved]

    def lift(self, rows: pd.DataFrame, level: str, target: str, notes: list[str]) -> Lifted:
        """Counts of ``level`` brought onto the current areas of ``target`` (an ancestor or
        the level itself), one step at a time: carried wherever their boundaries have ended,
        summed to the parent level otherwise."""
        out, sources, weights = [], [], []
        for period, group in rows.groupby("period", sort=True):
            lifted = self._lift_period(group, level, target, str(period), notes)
            if lifted is not None:
                out.append(lifted.rows)
                if lifted.sources is not None:
                    sources.append(lifted.sources)
                    weights.append(lifted.weights)
        if not out:
            return Lifted(rows.iloc[:0])
        return Lifted(pd.concat(out, ignore_index=True),
                      pd.concat(sources, ignore_index=True) if sources else None,
                      pd.concat(weights, ignore_index=True) if weights else None)

    def _lift_period(self, rows: pd.DataFrame, level: str, target: str, period: str,
                     notes: list[str]) -> Lifted | None:
        # ``day`` says which boundaries the rows are on: the period's first day, then, once
        # carried, the day the boundaries they were carried onto begin. ``trail``: the weight
        # with which each of the rows' areas reaches each area of ``at`` (followed only where
        # the city has a crosswalk: without one, nothing is ever carried).
        current, at, day = rows, level, period_start(period)
        version = first = version_on(self.versions, at, day)
        trail = _identity(rows) if len(self.crosswalk) else None
        was_carried = False
        while True:
            carried = (self._carry(current, version)
                       if version is not None and version.ended else None)
            if carried is not None:
                current, version, walk = carried
                assert trail is not None  # a carry comes from the crosswalk
                trail, was_carried = _followed(trail, walk), True
                at, day = version.level, version.valid_from
                continue
            # not carried (current boundaries, or ended ones nothing replaced): sum upwards
            if at == target:
                if not was_carried or trail is None:
                    return Lifted(current)
                codes = rows["district_code"]
                tag = {str(c): ended_code(level, c, first) for c in codes.dropna().unique()}
                named = codes.astype(str).map(tag).where(codes.notna(), None)
                return Lifted(current, rows.assign(district_code=named),
                              trail.assign(period=period, from_code=trail["from_code"].map(tag))[
                                  WEIGHT_COLUMNS])
            if target not in self._ancestors(at):
                where = "lie" if at == level else f"were carried onto {at} boundaries,"
                notes.append(f"{period}: the {level} counts {where} coarser than {target}; "
                             f"not used at {target}")
                return None
            parents = self._parent_codes(at, current["district_code"].astype(str), version)
            unknown = parents.isna()
            if unknown.any():
                notes.append(f"{period}: {int(unknown.sum())} {at} rows have no parent area; "
                             "left out of the sums")
            current = _sum_to(current[~unknown].assign(district_code=parents[~unknown]))
            if trail is not None:
                trail = _summed_up(trail, self._parent_codes(at, trail["to_code"], version))
            at = self.levels[at].parent or ""
            version = version_on(self.versions, at, day) or self._open_version(at)

    def _ancestors(self, level: str) -> list[str]:
        out: list[str] = []
        parent = self.levels[level].parent if level in self.levels else None
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.levels[parent].parent if parent in self.levels else None
        return out

    def _open_version(self, level: str) -> Version | None:
        return next((v for v in self.versions if v.level == level and not v.ended), None)

    def _carry(self, rows: pd.DataFrame, version: Version
               ) -> tuple[pd.DataFrame, Version, pd.DataFrame] | None:
        walk = self.crosswalk[(self.crosswalk["from_level"] == version.level)
                              & (pd.to_datetime(self.crosswalk["from_version"]).dt.date
                                 == version.valid_from)]
        if walk.empty:
            return None
        to_level = str(walk["to_level"].iloc[0])
        to_version = pd.Timestamp(walk["to_version"].iloc[0]).date()
        successor = next(v for v in self.versions
                         if v.level == to_level and v.valid_from == to_version)
        method = " / ".join(sorted(walk["method"].astype(str).unique()))
        end = f"{version.valid_to:%Y-%m-%d}" if version.valid_to else "now"
        label = (f"{method}, carried from the {version.level} boundaries of "
                 f"{version.valid_from:%Y-%m-%d} to {end}")
        values = rows.rename(columns={"district_code": "from_code"})
        moved = carry(values, walk[["from_code", "to_code", "weight"]], by=KEY)
        units = rows.drop_duplicates("variable").set_index("variable")["unit"]
        runs = rows.groupby(KEY)["ingest_run"].agg(lambda s: ",".join(sorted(set(s))))
        moved = moved.rename(columns={"to_code": "district_code"})
        moved["unit"] = moved["variable"].map(units)
        moved["ingest_run"] = pd.MultiIndex.from_frame(moved[KEY]).map(runs.to_dict())
        moved["estimate"] = label
        return moved, successor, walk[["from_code", "to_code", "weight"]]

    def _parent_codes(self, level: str, codes: pd.Series, version: Version | None) -> pd.Series:
        """Each area's parent code: as its boundary version stored it, else (areas loaded as
        codes only) by the level's code rule."""
        key = f"{level}@{version.valid_from if version else '-'}"
        if key not in self._parents:
            mapping: dict[str, str] = {}
            if version is not None:
                areas = self.store.version_districts(self.city, level, version.valid_from)
                mapping = {str(c): str(p) for c, p in zip(areas["code"], areas["parent_code"],
                                                         strict=True) if pd.notna(p)}
            self._parents[key] = mapping
        mapped = codes.map(self._parents[key]).astype("string")
        if level in self.levels:
            mapped = mapped.fillna(parent_codes_by_rule(self.levels[level], codes))
        return mapped


def _identity(rows: pd.DataFrame) -> pd.DataFrame:
    codes = rows["district_code"].dropna().astype(str).unique()
    return pd.DataFrame({"from_code": codes, "to_code": codes, "weight": 1.0})


def _followed(trail: pd.DataFrame, walk: pd.DataFrame) -> pd.DataFrame:
    """``trail`` (from_code → to_code, weight) continued by one carry ``walk``."""
    step = trail.merge(walk.astype({"from_code": str, "to_code": str}),
                       left_on="to_code", right_on="from_code", suffixes=("", "_walk"))
    step = step.assign(weight=step["weight"] * step["weight_walk"])
    return (step.groupby(["from_code", "to_code_walk"], sort=True)["weight"].sum()
            .rename_axis(["from_code", "to_code"]).reset_index())


def _summed_up(trail: pd.DataFrame, parents: pd.Series) -> pd.DataFrame:
    """``trail`` continued by a sum to the parent areas (``parents``: per trail row)."""
    known = parents.notna().to_numpy()
    step = trail[known].assign(to_code=parents[known].astype(str).to_numpy())
    return step.groupby(["from_code", "to_code"], sort=True)["weight"].sum().reset_index()


def _sum_to(rows: pd.DataFrame) -> pd.DataFrame:
    """Sum counts per area and key; a missing child leaves its parent's sum missing."""
    keys = ["district_code", *KEY]
    grouped = rows.groupby(keys, sort=True)
    summed = grouped["value"].sum(min_count=1)
    incomplete = grouped["value"].apply(lambda s: s.isna().any())
    summed[incomplete] = float("nan")
    out = summed.rename("value").reset_index()
    first = grouped[["unit"]].first().reset_index()
    runs = grouped["ingest_run"].agg(lambda s: ",".join(sorted(set(",".join(s).split(",")))))
    estimates = grouped["estimate"].agg(lambda s: next((e for e in s if e), ""))
    out = out.merge(first, on=keys)
    out["ingest_run"] = runs.to_numpy()
    out["estimate"] = estimates.to_numpy()
    return out



