"""One area's indicators for a period, each with the city's value beside it, and the areas it
lies in and holds at the city's other levels."""

from __future__ import annotations

import geopandas as gpd

from observatory.models import City, Level
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.indicator_catalog import indicator_catalog
from observatory.services.indicator_values import described, latest_per_indicator
from observatory.services.jsonable import plain
from observatory.services.levels import child_levels, city_level
from observatory.services.visibility import shown_values
from observatory.store import Store


def district_profile(
    store: Store, city: City, code: str, caller: Caller, period: str | None = None,
    level: str | None = None,
) -> dict:
    """Every indicator of area ``code`` of ``level`` (None: the top level) in ``period``
    (default: each indicator's latest) as ``caller`` may see it, with the city-level value and
    score of the same period; its parent area and its child areas, where the city has them."""
    chosen = city_level(store, city, level)
    areas = store.districts(city.slug, level=chosen.name)
    found = areas[areas["code"].astype(str) == code]
    if found.empty:
        raise NotFound(
            f"{city.slug} has no current {chosen.name} {code!r}; list them at "
            f"/cities/{city.slug}/districts?level={chosen.name}."
        )
    values = shown_values(
        store.indicator_values(city.slug, period=period, level=chosen.name), caller)
    mine = values[values["district_code"] == code]
    if period is None and not mine.empty:
        mine = latest_per_indicator(mine)
    whole = values[values["district_code"].isna()].set_index(["indicator_id", "period"])
    entries = []
    for row in described(mine, indicator_catalog()):
        key = (row["indicator_id"], row["period"])
        city_row = whole.loc[key] if key in whole.index else None
        row.pop("district_code")
        entries.append(
            {
                **row,
                "city_value": plain(city_row["value"]) if city_row is not None else None,
                "city_score": plain(city_row["score"]) if city_row is not None else None,
            }
        )
    district = found.iloc[0]
    return plain(
        {
            "city": city.slug,
            "level": chosen.name,
            "code": code,
            "name_en": district["name_en"],
            "name_ar": district["name_ar"],
            "area_m2": district["area_m2"],
            "parent": _parent(store, city, chosen, district.get("parent_code")),
            "children": _children(store, city, chosen, code),
            "indicators": entries,
        }
    )


def _area(level: str, row) -> dict:
    return {"level": level, "code": str(row.code), "name_en": row.name_en or "",
            "name_ar": row.name_ar or ""}


def _parent(store: Store, city: City, level: Level, parent_code: object) -> dict | None:
    if level.parent is None or not isinstance(parent_code, str) or not parent_code:
        return None
    parents = store.districts(city.slug, level=level.parent)
    found = parents[parents["code"].astype(str) == parent_code]
    if found.empty:  # the parent's boundaries are not loaded: its code still says where
        return {"level": level.parent, "code": parent_code, "name_en": "", "name_ar": ""}
    return _area(level.parent, next(found.itertuples()))


def _children(store: Store, city: City, level: Level, code: str) -> list[dict]:
    out = []
    for child in child_levels(store.levels(city.slug), level):
        areas: gpd.GeoDataFrame = store.districts(city.slug, level=child.name)
        mine = areas[areas["parent_code"].astype("string") == code].sort_values("code")
        out += [_area(child.name, row) for row in mine.itertuples()]
    return out
