"""One district's indicators for a period, each with the city's value beside it."""

from __future__ import annotations

from observatory.models import City
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.indicator_catalog import indicator_catalog
from observatory.services.indicator_values import described, latest_per_indicator
from observatory.services.jsonable import plain
from observatory.services.visibility import shown_values
from observatory.store import Store


def district_profile(
    store: Store, city: City, code: str, caller: Caller, period: str | None = None
) -> dict:
    """Every indicator of district ``code`` in ``period`` (default: each indicator's latest)
    as ``caller`` may see it, with the city-level value and score of the same period."""
    found, _ = store.district_page(city.slug, code=code)
    if found.empty:
        raise NotFound(
            f"{city.slug} has no current district {code!r}; "
            f"list them at /cities/{city.slug}/districts."
        )
    values = shown_values(store.indicator_values(city.slug, period=period), caller)
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
            "code": code,
            "name_en": district["name_en"],
            "name_ar": district["name_ar"],
            "area_m2": district["area_m2"],
            "indicators": entries,
        }
    )
