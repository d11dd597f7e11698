"""How unequal each city is inside: the distribution of its published district values
(minimum, quartiles, maximum) beside its city value, and how segregated its foreign residents
are — two cities with the same average can be very different places to live."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from observatory.services.callers import PUBLIC
from observatory.services.comparison import ComparisonInput, describe
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.jsonable import plain
from observatory.services.peers import external_cities
from observatory.services.segregation import city_segregation
from observatory.settings import DisclosureSettings
from observatory.store import Store

# The measures a comparison shows of the city_segregation answer (published, gate applied).
SEGREGATION_MEASURES = ("dissimilarity", "isolation", "theil_entropy",
                        "multigroup_dissimilarity")
EXTERNAL_REASON = ("{city} is an external peer from {origin}: its benchmark bundle holds "
                   "published city-level values only, no district counts to measure "
                   "segregation from.")


def district_spread(data: ComparisonInput, indicators: Iterable[str], cities: Iterable[str],
                    period: str | None = None) -> list[dict]:
    """Per indicator and city: the city value and its districts' min, quartiles (linear
    interpolation) and max in ``period`` (default: the latest the city's districts hold).
    Only published district values enter: a suppressed district is left out, so no spread
    figure can recover it; ``districts`` counts the values used."""
    wanted, shown = list(indicators), list(cities)
    rows = data.districts[data.districts["indicator_id"].isin(wanted)
                          & data.districts["city"].isin(shown)]
    grouped = dict(tuple(rows.groupby(["indicator_id", "city"], sort=False)))
    city_level = data.values.set_index(["indicator_id", "city", "period"])["value"]
    out = []
    for ident in wanted:
        info = describe(ident)
        per_city = []
        for city in shown:
            mine = grouped.get((ident, city))
            if mine is None or mine.empty:
                continue
            chosen = period if period is not None else str(mine["period"].max())
            values = mine.loc[mine["period"] == chosen, "value"].astype(float).to_numpy()
            if not len(values):
                continue
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            per_city.append({"city": city, "period": chosen, "districts": len(values),
                             "city_value": city_level.get((ident, city, chosen)),
                             "min": float(values.min()), "q1": float(q1),
                             "median": float(median), "q3": float(q3),
                             "max": float(values.max())})
        if per_city:
            out.append({"indicator_id": ident, "name_en": info.name_en,
                        "name_ar": info.name_ar, "unit": info.unit, "cities": per_city})
    return plain(out)


def segregation_by_city(store: Store, cities: Iterable[str],
                        disclosure: DisclosureSettings | None = None) -> list[dict]:
    """Each city's segregation of foreign residents across its districts as the public may
    see it (rounded, withheld for a small group); a city without census counts by a group
    dimension, or an external peer (its bundle holds city-level values only), says why
    instead."""
    outside = external_cities(store)
    out = []
    for slug in cities:
        city = store.city(slug)
        if city is None:
            continue
        if slug in outside:
            out.append({"city": slug, "available": False, "reason": EXTERNAL_REASON.format(
                city=slug, origin=outside[slug])})
            continue
        try:
            summary = city_segregation(store, city, caller=PUBLIC, disclosure=disclosure,
                                       moran=False)
        except (NotFound, InvalidRequest) as exc:
            out.append({"city": slug, "available": False, "reason": str(exc)})
            continue
        out.append({"city": slug, "available": True, "period": summary["period"],
                    "dimension": summary["dimension"],
                    "dimension_name_en": summary["dimension_name_en"],
                    "dimension_name_ar": summary["dimension_name_ar"],
                    "suppressed": bool(summary.get("suppressed", False)),
                    **{m: summary.get(m) for m in SEGREGATION_MEASURES}})
    return plain(out)


def spread_frame(spread: list[dict]) -> pd.DataFrame:
    """The spread as one flat table (for exports)."""
    return pd.DataFrame([{"indicator_id": s["indicator_id"], **c} for s in spread
                         for c in s["cities"]])
