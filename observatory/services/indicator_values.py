"""A city's stored indicator values as a caller may see them, named from the catalogue."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from observatory.models import City
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.indicator_catalog import (
    IndicatorCatalog,
    IndicatorInfo,
    indicator_catalog,
    info_of,
)
from observatory.services.jsonable import plain
from observatory.services.value_grain import value_grain
from observatory.services.visibility import shown_values
from observatory.store import Store


def latest_per_indicator(values: pd.DataFrame) -> pd.DataFrame:
    latest = values.groupby("indicator_id")["period"].transform("max")
    return values[values["period"] == latest]


def described(values: pd.DataFrame, catalog: Mapping[str, IndicatorInfo]) -> list[dict]:
    """One plain row per value: its indicator's names, framework and unit beside the numbers."""
    rows = []
    for record in values.to_dict("records"):
        info = info_of(catalog, record["indicator_id"])
        rows.append(
            plain(
                {
                    "indicator_id": info.id,
                    "name_en": info.name_en,
                    "name_ar": info.name_ar,
                    "framework": info.framework,
                    "unit": info.unit,
                    "district_code": record["district_code"],
                    "period": str(record["period"]),
                    "value": record["value"],
                    "score": record["score"],
                    "coverage": record["coverage"],
                    "suppressed": bool(record["suppressed"]),
                    # '' for a value of loaded counts; else how it was carried (its method)
                    "estimate": record.get("estimate") or "",
                    # month, quarter or year; district or city; a service area (roll-up)
                    "grain": value_grain(str(record["period"]), record["district_code"],
                                         catalog.service_area(info.id)
                                         if isinstance(catalog, IndicatorCatalog) else None),
                }
            )
        )
    return rows


def city_values(
    store: Store,
    city: City,
    caller: Caller,
    *,
    framework: str | None = None,
    period: str | None = None,
    indicator: str | None = None,
    district: str | None = None,
    level: str | None = None,
) -> list[dict]:
    """Stored values of ``level`` (None: the top level; ``district`` a code, or ``"city"`` for
    the city level; without a period each indicator's latest). Suppressed values keep their row but carry no value or score for
    roles below officer."""
    catalog = indicator_catalog()
    values = store.indicator_values(city.slug, indicator, period, level=level)
    if framework is not None:
        frameworks = sorted({info.framework for info in catalog.values()})
        if framework not in frameworks:
            raise NotFound(f"No framework {framework!r}; frameworks: {', '.join(frameworks)}.")
        ids = {i for i, info in catalog.items() if info.framework == framework}
        values = values[values["indicator_id"].isin(ids)]
    if district == "city":
        values = values[values["district_code"].isna()]
    elif district is not None:
        values = values[values["district_code"] == district]
    if period is None and not values.empty:
        values = latest_per_indicator(values)
    return described(shown_values(values, caller), catalog)
