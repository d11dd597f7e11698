"""Geographic levels at ingest: which level a spec loads, which areas of the store its rows are
matched against, and whether a new boundary version nests in its parent level (docs/geography.md).

A spec names a level the city has (``level: planning_area``) or declares it (``level: {name:
…, parent: …, parent_code: {prefix: 4}}``); without ``level`` it loads the city's top level.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import geopandas as gpd
import pandas as pd
from observatory.geography.nesting import Nesting, nest_by_given, nest_by_overlap

from ingest.errors import IngestError
from ingest.expressions import evaluate_expression
from ingest.spec import LevelSpec
from observatory.geography.levels import parent_codes_by_rule
from observatory.models import Level
from observatory.store.base import Store

# How many areas that do not nest a run's message lists by name (all are counted).
LISTED_UNNESTED = 20


def resolve_level(store: Store, city: str, ref: str | LevelSpec | None, *,
                  source: str) -> Level | None:
    """The level a spec loads: declared (checked against the city's levels), named (must
    exist), or None for the city's top level."""
    known = {level.name: level for level in store.levels(city)} if store.city(city) else {}
    if ref is None:
        return None
    if isinstance(ref, str):
        if ref in known:
            return known[ref]
        raise IngestError(
            f"the city '{city}' has no level '{ref}'"
            + (f" (it has: {', '.join(known)})" if known else ""),
            file=source, key="level",
            fix=f"declare it in the spec: level: {{name: {ref}, parent: <its parent level>, "
            "parent_code: {prefix: <n>}}, or load its boundaries first with a spec that does",
        )
    level = ref.to_level()
    if level.parent is not None and level.parent not in known:
        raise IngestError(
            f"level '{level.name}' names the parent level '{level.parent}', which the city "
            f"'{city}' does not have" + (f" (it has: {', '.join(known)})" if known else ""),
            file=source, key="level.parent",
            fix=f"load the boundaries of '{level.parent}' first, or name one of the city's levels",
        )
    ancestors, parent = set(), level.parent
    while parent is not None and parent in known:
        if parent == level.name or parent in ancestors:
            raise IngestError(
                f"level '{level.name}' would be its own ancestor (through '{parent}')",
                file=source, key="level.parent", fix="name a coarser level as the parent")
        ancestors.add(parent)
        parent = known[parent].parent
    return level


def parent_rule(level: Level, *, source: str) -> Callable[[pd.Series], pd.Series] | None:
    """The parent code of each code by the level's code rule; None when it has none. An
    expression's errors name the spec key, as every expression of a spec does."""
    expression = level.parent_expression
    if expression is not None:
        return lambda codes: evaluate_expression(pd.DataFrame({"code": codes}), expression,
                                                 file=source, key="level.parent_code.expression")
    if level.parent_prefix is not None:
        return lambda codes: parent_codes_by_rule(level, codes)
    return None


def nest_new_version(store: Store, city: str, level: Level, districts: gpd.GeoDataFrame,
                     valid_from: date, local_crs: str, *, source: str) -> tuple[Nesting | None, str]:
    """Check that a boundary version of ``level`` nests in its parent level's areas valid on
    ``valid_from``: by the code rule where the level has one, else by overlap. Returns the
    nesting (None for a top level, or when nothing gives parents) and the sentence the run's
    message carries."""
    if level.parent is None:
        return None, ""
    parents = store.districts(city, as_of=valid_from, level=level.parent)
    parent_codes = set(parents["code"].astype(str)) if len(parents) else None
    unchecked = (f"nesting in {level.parent} not checked: it has no boundaries valid on "
                 f"{valid_from}")
    rule = parent_rule(level, source=source)
    codes = districts["code"].astype(str).reset_index(drop=True)
    if rule is not None:
        derived = rule(codes)
        nesting = nest_by_given(dict(zip(codes, derived.where(derived.notna(), None),
                                         strict=True)), parent_codes, _rule_label(level))
        if parent_codes is None:
            return nesting, f"{unchecked}; parent codes by {_rule_label(level)}"
    elif parent_codes is None:
        return None, unchecked
    else:
        nesting = nest_by_overlap(districts, parents, local_crs)
    return nesting, describe_nesting(nesting, level, len(districts))


def describe_nesting(nesting: Nesting, level: Level, areas: int) -> str:
    if not nesting.unnested:
        return f"all {areas} areas of {level.name} nest in {level.parent} ({nesting.method})"
    listed = "; ".join(f"{u.code} {u.name}: {u.reason}".strip()
                       for u in nesting.unnested[:LISTED_UNNESTED])
    more = len(nesting.unnested) - LISTED_UNNESTED
    return (f"{len(nesting.unnested)} of {areas} areas of {level.name} do not nest in "
            f"{level.parent} ({nesting.method}): {listed}" + (f"; {more} more" if more > 0 else ""))


def _rule_label(level: Level) -> str:
    if level.parent_prefix is not None:
        return f"code prefix ({level.parent_prefix} characters)"
    return f"expression {level.parent_expression}"
