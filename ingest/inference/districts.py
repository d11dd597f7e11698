"""Which column names the districts, and how: codes, English names, Arabic names or (records)
addresses, by matching its values against the areas the city has in the store."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ingest.admin import codes_from_addresses
from ingest.census import DistrictLookup
from ingest.text import normalise_name
from observatory.store.base import Store

MATCH_WORDS = {"code": "district codes", "name_en": "English district names",
               "name_ar": "Arabic district names", "address": "addresses naming one district"}
MIN_RATE = 0.5  # below this a column is not taken for the district key


@dataclass(frozen=True)
class Areas:
    """One boundary version of one level of the city."""

    level: str
    top: bool  # the city's top level: a spec need not name it
    lookup: DistrictLookup
    count: int


@dataclass(frozen=True)
class DistrictMatch:
    column: str
    match: str  # code, name_en, name_ar, address
    level: str
    top: bool
    rate: float  # of the rows
    matched: int
    rows: int
    areas: int

    def why(self) -> str:
        level = "" if self.top else f" of the level {self.level}"
        return (f"{self.matched} of {self.rows} rows ({self.rate:.0%}) hold "
                f"{MATCH_WORDS[self.match]}{level} ({self.areas} areas in the store)")


def city_areas(store: Store, city: str) -> list[Areas]:
    """Every boundary version of every level the city has loaded, top level first."""
    if store.city(city) is None:
        return []
    levels = store.levels(city)
    top = levels[0].name if levels else "district"
    versions = store.boundary_versions(city)
    found: list[Areas] = []
    order = {level.name: position for position, level in enumerate(levels)}
    rows = sorted(versions.itertuples(), key=lambda v: (order.get(v.level, 99), v.valid_from))
    for version in rows:
        areas = store.version_districts(city, version.level, version.valid_from)
        if len(areas):
            found.append(Areas(version.level, version.level == top,
                               DistrictLookup.from_districts(areas), len(areas)))
    return found


def best_district_column(frame: pd.DataFrame, areas: list[Areas], *,
                         addresses: bool = False) -> DistrictMatch | None:
    """The column whose values match the city's areas best (codes before names, earlier
    columns before later ones on a tie); None when none matches ``MIN_RATE`` of the rows."""
    best: DistrictMatch | None = None
    rows = len(frame)
    if not rows:
        return None
    for column in frame.columns:
        values = frame[column].astype("string").str.strip()
        if values.isna().all():
            continue
        for area in areas:
            for match, matched in _matches(values, area.lookup, addresses):
                found = DistrictMatch(str(column), match, area.level, area.top,
                                      matched / rows, matched, rows, area.count)
                if best is None or found.rate > best.rate + 1e-9:
                    best = found
    return best if best is not None and best.rate >= MIN_RATE else None


def _matches(values: pd.Series, lookup: DistrictLookup,
             addresses: bool) -> list[tuple[str, int]]:
    names = normalise_name(values)
    found = [("code", int(values.isin(lookup.codes).sum())),
             ("name_en", int(names.isin(set(lookup.by_name_en)).sum())),
             ("name_ar", int(names.isin(set(lookup.by_name_ar)).sum()))]
    if addresses and values.str.len().mean() > 8:  # free text, not a code or a name
        found.append(("address", int(codes_from_addresses(values, lookup).notna().sum())))
    return found
