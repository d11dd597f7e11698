"""A city's geographic levels as the front doors name them: the level a request asks for (its
top level when it names none), and what ``GET /cities/{city}/levels`` lists."""

from __future__ import annotations

import pandas as pd

from observatory.models import City, Level
from observatory.services.errors import NotFound
from observatory.services.jsonable import plain
from observatory.store import Store


def city_level(store: Store, city: City, level: str | None) -> Level:
    """The level named ``level`` (None: the city's top level); :class:`NotFound` listing the
    city's levels when it has no such level."""
    levels = store.levels(city.slug)
    if level is None:
        return levels[0]
    found = next((lv for lv in levels if lv.name == level), None)
    if found is None:
        names = ", ".join(lv.name for lv in levels)
        raise NotFound(
            f"{city.slug} has no level {level!r}; its levels are: {names} "
            f"(see /cities/{city.slug}/levels)."
        )
    return found


def child_levels(levels: list[Level], level: Level) -> list[Level]:
    """The levels directly below ``level``."""
    return [lv for lv in levels if lv.parent == level.name]


def level_listing(store: Store, city: City) -> dict:
    """Every level of ``city``, top first: its parent, names (en, ar) and boundary versions
    (valid from, valid to, number of areas)."""
    versions = store.boundary_versions(city.slug)
    return plain({
        "city": city.slug,
        "levels": [
            {
                "name": level.name,
                "parent": level.parent,
                "name_en": level.name_en or level.name,
                "name_ar": level.name_ar,
                "versions": [
                    {"valid_from": _day(row.valid_from), "valid_to": _day(row.valid_to),
                     "areas": int(row.areas)}
                    for row in versions[versions["level"] == level.name].itertuples()
                ],
            }
            for level in store.levels(city.slug)
        ],
    })


def _day(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
