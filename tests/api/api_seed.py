"""A tiny city written through the store protocol: districts with Arabic names, indicator values."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from observatory.models import City, IngestRun
from observatory.store import Store

CITY = City(
    slug="qalqilya",
    name_en="Qalqilya",
    name_ar="قلقيلية",
    country="PS",
    local_crs="EPSG:28191",
    population=55000,
)
DISTRICTS = {  # code: (name_en, name_ar)
    "101": ("Old City", "البلدة القديمة"),
    "102": ("North", "الحي الشمالي"),
    "103": ("East", "الحي الشرقي"),
    "104": ("South", "الحي الجنوبي"),
}


def seed_districts(store: Store) -> gpd.GeoDataFrame:
    store.upsert_city(CITY)
    districts = gpd.GeoDataFrame(
        {
            "code": list(DISTRICTS),
            "name_en": [en for en, _ in DISTRICTS.values()],
            "name_ar": [ar for _, ar in DISTRICTS.values()],
            "area_m2": [1.2e6, 0.8e6, 1.0e6, 2.5e6],
        },
        geometry=[box(34.97 + i * 0.01, 32.18, 34.98 + i * 0.01, 32.19) for i in range(4)],
        crs="EPSG:4326",
    )
    store.load(
        IngestRun(CITY.slug, "boundaries", "districts.geojson", "hash-1"), districts=districts
    )
    return districts


def indicator_values(period: str, shares: list[float | None], suppressed=()) -> pd.DataFrame:
    """foreign_citizens_share per district (in DISTRICTS order) and for the city."""
    codes = list(DISTRICTS)
    return pd.DataFrame(
        {
            "district_code": [*codes, None],
            "period": period,
            "indicator_id": "foreign_citizens_share",
            "value": [*shares, 0.25],
            "score": None,
            "coverage": 1.0,
            "suppressed": [code in suppressed for code in codes] + [False],
            "definition_hash": "test",
        }
    )
