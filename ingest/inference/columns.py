"""The period, the dimensions and the value columns of a table of counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.inference.vocabulary import Vocabulary, folded, snake

PERIOD_NAMES = re.compile(r"(^|_)(year|jahr|period|ref_year|annee|sana|yr)($|_)")
YEAR = re.compile(r"^(19|20)\d\d$")
MONTH = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
MAX_DIMENSION_VALUES = 60


@dataclass(frozen=True)
class Period:
    column: str | None
    value: str | None
    why: str


def numeric(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and pd.to_numeric(present, errors="coerce").notna().all()


def find_period(frame: pd.DataFrame, path: Path, given: str | None,
                skip: set[str]) -> Period:
    """A column of years (or months) named as a period, else ``given``, else a year in the
    file's name."""
    candidates = []
    for column in frame.columns:
        if column in skip:
            continue
        values = frame[column].dropna().astype(str).str.strip()
        if not len(values):
            continue
        # A column of years not named as a period is a value (a median construction year).
        if not PERIOD_NAMES.search(folded(str(column))):
            continue
        for pattern, kind in ((YEAR, "years"), (MONTH, "months (YYYY-MM)")):
            if values.str.fullmatch(pattern).all():
                candidates.append((list(frame.columns).index(column), column, kind,
                                   values.nunique()))
    if candidates:
        _, column, kind, distinct = min(candidates)
        return Period(column, None, f"the column holds {kind} ({distinct} distinct)")
    if given:
        return Period(None, given, "no period column: the period given (--period)")
    found = YEAR_IN_NAME.findall(path.stem)
    if found:
        return Period(None, found[0], f"no period column: the year in the file name {path.name}")
    return Period(None, str(pd.Timestamp.now().year - 1),
                  "no period column nor year in the file name: last year, a GUESS; set it "
                  "(or give --period)")


@dataclass(frozen=True)
class Dimension:
    key: str
    column: str
    values: dict[str, str]
    why: str


def find_dimensions(frame: pd.DataFrame, key: list[str], values: list[str],
                    vocabulary: Vocabulary) -> list[Dimension]:
    """The columns besides the district and period that tell rows apart: the fewest needed
    to make each row one cell (known dimension columns first, then the fewest-valued)."""
    others = [c for c in frame.columns if c not in key]
    known = [c for c in others if folded(c) in vocabulary.dimensions]
    rest = sorted((c for c in others if c not in known and c not in values
                   and frame[c].nunique() <= MAX_DIMENSION_VALUES),
                  key=lambda c: (frame[c].nunique(), list(frame.columns).index(c)))
    chosen: list[Dimension] = []
    current = list(key)
    for column in [*known, *rest]:
        if _unique(frame, current):
            break
        if _determined(frame, current, column):
            continue
        current.append(column)
        chosen.append(_dimension(frame, column, vocabulary))
    return chosen


def _unique(frame: pd.DataFrame, key: list[str]) -> bool:
    return not frame.duplicated(subset=key).any() if key else len(frame) <= 1


def _determined(frame: pd.DataFrame, key: list[str], column: str) -> bool:
    if not key:
        return frame[column].nunique(dropna=False) <= 1
    return bool((frame.groupby(key, dropna=False)[column].nunique(dropna=False) <= 1).all())


def _dimension(frame: pd.DataFrame, column: str, vocabulary: Vocabulary) -> Dimension:
    distinct = sorted(frame[column].dropna().astype(str).str.strip().unique())
    known = vocabulary.dimensions.get(folded(column))
    if known and (not known.values or set(distinct) <= set(known.values)):
        values = {value: known.values[value] for value in distinct} if known.values else {}
        return Dimension(known.key, column, values,
                         f"{len(distinct)} values that tell rows apart; named as in "
                         f"{known.source}")
    return Dimension(snake(column), column, {},
                     f"{len(distinct)} values that tell rows apart; key named after the column")


@dataclass(frozen=True)
class ValueColumn:
    entry: dict  # the spec's variables entry
    why: str


def value_columns(frame: pd.DataFrame, skip: set[str],
                  vocabulary: Vocabulary) -> tuple[list[ValueColumn], list[str], str]:
    """(variables loaded, numeric columns left out, why). A table laid out as a known one
    loads that table's columns; else columns a shipped spec names are loaded as it does; a
    table with none of those loads every numeric column under its own name."""
    candidates = [c for c in frame.columns if c not in skip and numeric(frame[c])]
    layout = vocabulary.layout_for(candidates)
    if layout is not None:
        chosen = [ValueColumn(dict(entry), "") for entry in layout.variables]
        return chosen, [c for c in candidates if c not in layout.columns], (
            f"the value columns of {layout.source}, a table laid out as this one")
    known = [ValueColumn(dict(vocabulary.variables[folded(c)][0], column=c),
                         f"as in {vocabulary.variables[folded(c)][1]}")
             for c in candidates if folded(c) in vocabulary.variables]
    if known:
        named = {v.entry["column"] for v in known}
        return known, [c for c in candidates if c not in named], (
            "columns the shipped specs name; the other numeric columns are listed below")
    return ([ValueColumn({"column": c, "variable": snake(c), "unit": ""},
                         "numeric; variable named after the column: RENAME it")
             for c in candidates], [], "every numeric column")
