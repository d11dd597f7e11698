"""The disclosure gate: what a release of indicator values may publish.

One plan per city and computation, over every framework's ratios at once (so that suppression
is coordinated across the frameworks that share cells): primary suppression (the formulas'
small-count rule, primary.py), secondary suppression (secondary.py), rounding (rounding.py),
and the audit of the result (audit.py), which refuses the release if a suppressed count can be
narrowed below the protection range."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.definitions import Definition
from indicators.disclosure.audit import (
    INTERVAL_COLUMNS,
    ceiling,
    intervals,
    json_key,
    planned_bounds,
    published_bounds,
    with_suppressed,
)
from indicators.disclosure.carried import CarriedSources
from indicators.disclosure.levels import LevelCodes, joint_table
from indicators.disclosure.rounding import round_significant
from indicators.disclosure.secondary import secondary_suppression
from indicators.disclosure.tables import CountTable, build_table
from indicators.evaluate import PreparedObservations
from observatory.models import Level
from observatory.settings import DisclosureSettings


class DisclosureRefused(Exception):
    """The release would let a suppressed count be narrowed below the protection range."""


@dataclass
class Plan:
    """The count table, which of its cells are withheld, and the audit of that pattern."""

    table: CountTable
    withheld: np.ndarray
    audit: pd.DataFrame
    digits: int
    codes: LevelCodes | None = None  # a plan of several levels, seen from one of them

    def for_level(self, level: str, top: str) -> Plan:
        """The plan as one level's rows see it (their areas named as in the joint table)."""
        return replace(self, codes=LevelCodes(level, top))

    def withheld_rows(self, values: pd.DataFrame) -> np.ndarray:
        """Per indicator row (indicator_id, period, district_code): whether the plan withholds
        it, as a ratio cell or as an indicator linked to one."""
        if self.codes is not None:
            values = self.codes.rows(values)
        cells = self.table.cells[self.withheld]
        signatures = {i: s for i, (s, _) in self.table.published_as.items()} | self.table.linked
        district = cells["district_code"].astype(object)
        hidden = set(_keys(cells["signature"].map(json_key), cells["period"], district))
        # A city cell of any level: None on the top level, ``level/`` below it.
        city = district.isna() | district.astype(str).str.endswith("/")
        hidden_city = set(_keys(cells["signature"][city].map(json_key),
                                cells["period"][city]))
        ids = values["indicator_id"]
        out = np.zeros(len(values), dtype=bool)
        for mapping, known, district_key in (
                (signatures, hidden, values["district_code"]),
                (self.table.also_linked, hidden, values["district_code"]),
                (self.table.city_linked, hidden_city, None)):
            named = ids.map({i: json_key(s) for i, s in mapping.items()})
            keys = _keys(named, values["period"], district_key)
            out |= keys.isin(known).to_numpy() & named.notna().to_numpy()
        return out

    def withheld_groups(self, keys: pd.DataFrame, variable: str, dimension: str,
                        groups: Sequence[str]) -> np.ndarray:
        """Per row of ``keys`` (period, district_code) and group: whether the plan withholds
        that group's share (the cell of ``variable`` in that group over everyone)."""
        everyone = {"scope": "district", "variable": variable,
                    "where": {dimension: {"not": []}}}
        column = {g: k for k, g in enumerate(groups)}
        hidden: dict[tuple[str, object], set[int]] = {}
        cells = self.table.cells[self.withheld]
        for signature, period, district in cells[
                ["signature", "period", "district_code"]].itertuples(index=False):
            part = json.loads(signature[0])
            wanted = part.get("where", {})
            if (part.get("variable") != variable or len(wanted) != 1
                    or not isinstance(wanted.get(dimension), str)
                    or json.loads(signature[1]) != everyone):
                continue
            if (k := column.get(wanted[dimension])) is not None:
                hidden.setdefault((str(period), None if pd.isna(district) else district),
                                  set()).add(k)
        named = keys if self.codes is None else self.codes.rows(keys)
        out = np.zeros((len(keys), len(groups)), dtype=bool)
        for row, (period, district) in enumerate(
                named[["period", "district_code"]].itertuples(index=False)):
            for k in hidden.get((str(period), None if pd.isna(district) else district), ()):
                out[row, k] = True
        return out


def _keys(signature: pd.Series, period: pd.Series, district: pd.Series | None = None
          ) -> pd.Series:
    """One string per row naming its cell (signature, period and area; the city: none)."""
    key = signature.astype(object) + "\x1e" + period.astype(str).astype(object)
    if district is None:
        return key
    return key + "\x1e" + district.astype(object).where(district.notna(), "\x00")


def plan_release(definitions: Iterable[Definition], prepared: PreparedObservations,
                 settings: DisclosureSettings) -> Plan:
    """Primary and secondary suppression over ``definitions``' ratios, and their audit."""
    return _plan(build_table(definitions, prepared, settings.min_count), settings)


def plan_levels(definitions: Iterable[Definition],
                prepared: Mapping[str, PreparedObservations], levels: Sequence[Level],
                parents: Mapping[str, Mapping[str, str]], settings: DisclosureSettings,
                carried: Mapping[str, CarriedSources | None] | None = None) -> Plan:
    """One plan for every level of a city (``indicators.disclosure.levels``): ``prepared``
    per level name, ``parents`` per level (area code -> parent code), ``carried`` per level:
    what its rows carried from ended boundaries came from. Use ``plan.for_level(name, top)``
    for one level's rows."""
    definitions = list(definitions)
    tables = {name: build_table(definitions, rows, settings.min_count,
                                (carried or {}).get(name))
              for name, rows in prepared.items()}
    return _plan(joint_table(tables, levels, parents), settings)


def _plan(table: CountTable, settings: DisclosureSettings) -> Plan:
    withheld = secondary_suppression(table, settings.published_digits, settings.protection,
                                     settings.threads)
    bounds = with_suppressed(planned_bounds(table, settings.published_digits),
                             ceiling(table.cells), withheld)
    return Plan(table, withheld, intervals(table, bounds, settings.protection, settings.threads),
                settings.published_digits)


def audit_release(tables: Mapping[str, CountTable], levels: Sequence[Level],
                  parents: Mapping[str, Mapping[str, str]],
                  values: Mapping[str, pd.DataFrame], settings: DisclosureSettings
                  ) -> pd.DataFrame:
    """The audit of released rows (indicator_id, period, district_code, value, suppressed),
    ``values`` per level name, against each level's count table joined across the levels:
    the interval of every withheld cell that the published values allow."""
    table = joint_table(tables, levels, parents)
    frames = [LevelCodes(name, levels[0].name).rows(frame) for name, frame in values.items()
              if len(frame)]
    if table.cells.empty or not frames:
        return pd.DataFrame(columns=INTERVAL_COLUMNS)
    bounds = published_bounds(table, pd.concat(frames, ignore_index=True),
                              settings.published_digits)
    return intervals(table, bounds, settings.protection, settings.threads)


def refuse_unless_protected(audit: pd.DataFrame, city: str) -> None:
    """Raise DisclosureRefused when a suppressed cell's interval is too narrow. The message
    names the cells, never their counts or intervals."""
    failing = audit[~audit["protected"].astype(bool)]
    if failing.empty:
        return
    examples = "; ".join(f"{r.indicators} in {r.district_code or 'the city'}, {r.period}"
                         for r in failing.head(3).itertuples(index=False))
    raise DisclosureRefused(
        f"Release of {city} refused: {len(failing)} suppressed value(s) could be derived from "
        f"the published ones to within less than the protection range (e.g. {examples}). "
        f"Nothing was stored. Fix: see `observatory audit --city {city}`; raise "
        "OBSERVATORY_MIN_COUNT, or lower OBSERVATORY_PROTECTION_RANGE if the protection asked "
        "for is more than the table can give.")


def release(values: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Raw indicator rows as they may be published: the plan's withheld rows suppressed (no
    value), every value rounded."""
    out = values.copy()
    hidden = plan.withheld_rows(out) | out["suppressed"].fillna(False).astype(bool).to_numpy()
    value = pd.to_numeric(out["value"]).astype(float).to_numpy()
    out["value"] = np.where(hidden, np.nan, round_significant(value, plan.digits))
    out["suppressed"] = hidden
    return out


def round_published(values: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Values and scores (composites' included) rounded to ``digits`` significant digits."""
    out = values.copy()
    for column in ("value", "score"):
        if column in out:
            out[column] = round_significant(pd.to_numeric(out[column]).astype(float)
                                            .to_numpy(), digits)
    return out
