"""The grain of a published value: its period's kind (month ``2025-03``, quarter ``2025-Q1``,
year ``2025``), its level (a district or the whole city) and, for service demand, its service
area (one, or ``all``). Service demand is published at the finest grain that is safe
(``indicators.disclosure.rollup``), so its values say which grain each one is."""

from __future__ import annotations

import re

import pandas as pd

from indicators.vocabulary import service_area_names

QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
WORDS = {
    "en": {"month": "month", "quarter": "quarter", "year": "year", "city": "the city"},
    "ar": {"month": "شهر", "quarter": "ربع سنة", "year": "سنة", "city": "المدينة كلها"},
}


def value_grain(period: str, district_code: object, service_area: str | None = None
                ) -> dict[str, str | None]:
    """``{"period": month|quarter|year|other, "service_area": …|None, "level":
    district|city}``."""
    text = str(period)
    kind = ("quarter" if QUARTER.match(text) else "month" if MONTH.match(text)
            else "year" if text.isdigit() and len(text) == 4 else "other")
    city = district_code is None or (not isinstance(district_code, str)
                                     and bool(pd.isna(district_code)))
    return {"period": kind, "service_area": service_area,
            "level": "city" if city else "district"}


def grain_text(grain: dict[str, str | None], lang: str) -> str:
    """"quarter, Housing" / "year, All service areas, the city" in ``lang``; '' for a value
    without a service area (its period says its grain)."""
    if grain.get("service_area") is None:
        return ""
    words = WORDS.get(lang, WORDS["en"])
    parts = [words.get(str(grain["period"]), str(grain["period"])),
             service_area_names(str(grain["service_area"]))["ar" if lang == "ar" else "en"]]
    if grain["level"] == "city":
        parts.append(words["city"])
    return ("، " if lang == "ar" else ", ").join(parts)
