"""Four small cities in one store, written through the store protocol, for the comparison of
cities: sizes from 120,000 to 2.1 million, foreign-resident shares counted by birthplace in
three and by migration background in one, CPI and ICC scores over two periods, and the values
that must not be ranked together: another definition hash, another period, low coverage, and
a suppressed value that must never appear.

CPI index, 2024 (higher is better): gamma 80, beta 70, delta 65 (coverage 0.5), alpha 60.
All cities: gamma 1st, beta 2nd, alpha 3rd (delta flagged); over 200,000: beta 1st, alpha 2nd.
"""

from __future__ import annotations

import pandas as pd

from observatory.models import City
from observatory.store import Store

CITIES = [
    City("alpha", "Alphaville", "ألفا", "AT", "EPSG:31256", 2_100_000),
    City("beta", "Betatown", "بيتا", "DE", "EPSG:25833", 450_000),
    City("gamma", "Gammaford", "غاما", "IL", "EPSG:32636", 120_000),
    City("delta", "Deltaport", "دلتا", "US", "EPSG:26916", 900_000),
]
H = "h-current"  # the definition hash most cities hold
CITY_VALUES = {  # city -> [(indicator, period, value, coverage, hash)]
    "alpha": [("cpi", "2023", 58.0, 1.0, H), ("cpi", "2024", 60.0, 1.0, H),
              ("cpi.productivity", "2024", 55.0, 1.0, H),
              ("cpi.equity", "2024", 40.0, 1.0, H),
              ("cpi.governance", "2024", 50.0, 1.0, H),
              ("cpi_unemployment_rate", "2024", 8.0, 1.0, H),
              ("foreign_born_share", "2024", 0.30, 1.0, H),
              ("icc", "2024", 62.0, 1.0, "icc-1")],
    "beta": [("cpi", "2023", 66.0, 1.0, H), ("cpi", "2024", 70.0, 1.0, H),
             ("cpi.productivity", "2024", 75.0, 1.0, H),
             ("cpi.equity", "2024", 50.0, 1.0, H),
             ("cpi.governance", "2024", 60.0, 1.0, H),
             ("cpi_unemployment_rate", "2024", 6.0, 1.0, H),
             ("migration_background_share", "2024", 0.35, 1.0, H),
             ("icc", "2024", 71.0, 1.0, "icc-1")],
    "gamma": [("cpi", "2023", 81.0, 1.0, "h-old"), ("cpi", "2024", 80.0, 1.0, H),
              ("cpi.productivity", "2024", 65.0, 1.0, H),
              ("cpi.equity", "2024", 70.0, 1.0, H),
              ("cpi_unemployment_rate", "2024", 12.0, 1.0, "h-other"),
              ("foreign_born_share", "2024", 0.10, 1.0, H)],
    "delta": [("cpi", "2024", 65.0, 0.5, H), ("cpi.productivity", "2023", 90.0, 1.0, H),
              ("cpi.equity", "2024", 45.0, 1.0, H),
              ("cpi_unemployment_rate", "2024", 10.0, 1.0, H),
              ("foreign_born_share", "2024", 0.20, 1.0, H)],
}
# Alphaville's districts: five published foreign-born shares and one suppressed (0.99).
ALPHA_DISTRICTS = {"A1": 0.10, "A2": 0.20, "A3": 0.30, "A4": 0.40, "A5": 0.50}
SUPPRESSED = ("A6", 0.99)


def seed_peer_cities(store: Store) -> list[City]:
    store.init_schema()
    for city in CITIES:
        store.upsert_city(city)
        rows = [{"district_code": None, "period": p, "indicator_id": i, "value": v,
                 "score": v, "coverage": c, "suppressed": False, "definition_hash": h}
                for i, p, v, c, h in CITY_VALUES[city.slug]]
        # A suppressed city-level value: it must never be compared.
        rows.append({"district_code": None, "period": "2024", "indicator_id": "cpi.environment",
                     "value": 33.0, "score": 33.0, "coverage": 1.0, "suppressed": True,
                     "definition_hash": H})
        if city.slug == "alpha":
            for code, share in [*ALPHA_DISTRICTS.items(), SUPPRESSED]:
                rows.append({"district_code": code, "period": "2024",
                             "indicator_id": "foreign_born_share", "value": share,
                             "score": None, "coverage": 1.0,
                             "suppressed": code == SUPPRESSED[0], "definition_hash": H})
        store.put_indicator_values(city.slug, pd.DataFrame(rows))
    return CITIES
