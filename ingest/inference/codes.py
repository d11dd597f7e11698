"""The codes a boundary layer's areas must carry: the column (or arithmetic over one) whose
values are the codes the city's tables use, and a correction for a code the layer repeats.

The codes come from the store (a new version of a level the city has) or from a table the
officer names (``--codes-from``): a layer may number its districts 1…23 while the tables key
them 90100…92300, and only such a table can say so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.inference.sniffing import read_with, sniff
from ingest.text import as_text

CODELIKE = r"[0-9A-Za-z_\-]+"
MIN_SHARE = 0.9  # of the features that must get a code of the table, and of its codes covered
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class CodeFit:
    column: str
    expression: str | None  # e.g. "90000 + BEZNR*100"; None: the column's values themselves
    share: float  # of the features whose code is one of the target codes
    covered: float  # of the target codes that some feature gets
    source: str  # where the target codes came from

    def why(self) -> str:
        how = f"{self.expression} (computed from {self.column})" if self.expression else \
            f"the values of {self.column}"
        return (f"{how} give {self.share:.0%} of the features a code of {self.source} and "
                f"cover {self.covered:.0%} of its codes")


@dataclass(frozen=True)
class Targets:
    """The codes of one column of a table (or the store): the codes the areas must carry."""

    codes: frozenset[str]
    source: str


def table_targets(path: Path) -> list[Targets]:
    """Every code-like column of the table at ``path``, as candidate target codes."""
    frame = read_with(path, sniff(path)).frame
    found = []
    for column in frame.columns:
        values = as_text(frame[column]).astype("string").str.strip().dropna()
        if len(values) and values.str.fullmatch(CODELIKE).all() and values.nunique() > 1:
            found.append(Targets(frozenset(values), f"{path.name} ({column})"))
    return found


def fit_codes(text: dict[str, pd.Series], candidates: list[str],
              targets: list[Targets]) -> CodeFit | None:
    """The best way to get the target codes from one of ``candidates`` (a column as it is,
    else ``a + column*b`` over whole numbers); None when nothing reaches ``MIN_SHARE``."""
    fits = []
    for target in targets:
        for column in candidates:
            values = text[column]
            fits.append(_fit(column, values, None, values, target))
            affine = _affine(values, target.codes)
            if affine is not None:
                a, b = affine
                name = column if IDENTIFIER.fullmatch(column) else f"`{column}`"
                expression = (f"{a} + {name}*{b}" if a else f"{name}*{b}")
                computed = (a + pd.to_numeric(values).astype("int64") * b).astype(str)
                fits.append(_fit(column, values, expression, computed, target))
    good = [f for f in fits if f.share >= MIN_SHARE and f.covered >= MIN_SHARE]
    # The most codes matched; a column as it is before arithmetic; the simpler arithmetic.
    return min(good, key=lambda f: (-f.share, -f.covered, f.expression is not None,
                                    len(f.expression or ""), f.column), default=None)


def _fit(column: str, values: pd.Series, expression: str | None, computed: pd.Series,
         target: Targets) -> CodeFit:
    share = float(computed.isin(target.codes).mean())
    covered = len(set(computed) & target.codes) / len(target.codes)
    return CodeFit(column, expression, share, covered, target.source)


def _affine(values: pd.Series, codes: frozenset[str]) -> tuple[int, int] | None:
    """(a, b) with a + value*b running over the codes' range, when both are whole numbers
    and the codes are written by place value: leading digits (a), the value's digits, then
    zeros (b a power of ten), as 90000 + BEZ*100 makes 90100 of district 1. Any other
    arithmetic fitting two columns' ranges would be chance (a count of 10, 12 fits 1, 2)."""
    if not values.str.fullmatch(r"\d{1,9}").all() or not all(
            re.fullmatch(r"[1-9]\d{0,11}", code) for code in codes):
        return None
    low, high = int(values.astype("int64").min()), int(values.astype("int64").max())
    first, last = min(map(int, codes)), max(map(int, codes))
    if high == low or (last - first) % (high - low):
        return None
    b = (last - first) // (high - low)
    a = first - low * b
    place = b * 10 ** len(str(high))
    if b < 1 or str(b).strip("0") != "1" or a < 0 or a % place or (a == 0 and b == 1):
        return None
    return a, b


@dataclass(frozen=True)
class Repairs:
    corrections: list[dict[str, object]]
    notes: list[str]


def repeated_codes(features: gpd.GeoDataFrame, codes: pd.Series, parents: gpd.GeoDataFrame | None,
                   prefix: int, unused: set[str], source: str) -> Repairs:
    """For every code the layer repeats, the feature that carries it wrongly and the code it
    should have, where that can be told: the feature lies in a ``parents`` area whose code
    is not the code's first ``prefix`` characters, and exactly one code of the table
    (``unused``: its codes no feature has) starts with that area's code."""
    corrections: list[dict[str, object]] = []
    notes: list[str] = []
    left = set(unused)
    for code in sorted(set(codes[codes.duplicated()])):
        numbers = [int(n) for n in codes.index[codes == code]]
        where = _containing(features.loc[numbers], parents)
        misplaced = {n: area for n, area in where.items() if area and area != code[:prefix]}
        if not misplaced or len(misplaced) == len(numbers):
            notes.append(f"features {', '.join(map(str, numbers))} all carry the code {code}: "
                         "give the wrong one its code under corrections: [{feature: N, code: "
                         "…, reason: …}] (nothing here tells which is wrong)")
            continue
        for number, area in misplaced.items():
            fitting = sorted(c for c in left if c.startswith(area))
            if len(fitting) == 1:
                left.discard(fitting[0])
                corrections.append({
                    "feature": number, "code": fitting[0],
                    "reason": f"feature {number} repeats {code} but lies in area {area}; "
                              f"{fitting[0]} is the one code of {source} that starts with "
                              f"{area} and has no polygon"})
            else:
                why = (f"{len(fitting)} codes of {source} without a polygon start with {area}: "
                       f"{', '.join(fitting[:5])}" if fitting else
                       f"{source} names no code starting with {area} that lacks a polygon"
                       if source else "no table was given (--codes-from) to find its code")
                notes.append(f"feature {number} repeats the code {code} but lies in area "
                             f"{area}: its code should start with {area} ({why}); add it under "
                             "corrections")
    return Repairs(corrections, notes)


def _containing(features: gpd.GeoDataFrame, parents: gpd.GeoDataFrame | None
                ) -> dict[int, str | None]:
    """Each feature's parent area (the one holding a point inside it), by feature number."""
    if parents is None or parents.empty:
        return {int(n): None for n in features.index}
    inside = features.geometry.to_crs("EPSG:4326").representative_point()
    found: dict[int, str | None] = {}
    for number, point in inside.items():
        holding = parents[parents.geometry.contains(point)]
        found[int(number)] = str(holding["code"].iloc[0]) if len(holding) else None
    return found
