"""A tiny city of two levels written through the store protocol: four districts, eight
neighbourhoods (two halves of each district), an ended neighbourhood version of 2015-2020 that
was redrawn in 2020 (areas kept, recoded, renamed, split and merged) with its crosswalk, and
foreign-citizen shares of both levels, the neighbourhoods' 2018 values carried (estimated)."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from observatory.models import City, IngestRun, Level
from observatory.store import Store

CITY = City(slug="ramla", name_en="Ramla", name_ar="الرملة", country="IL",
            local_crs="EPSG:32636", population=76000)
DISTRICT = Level("district", name_en="Districts", name_ar="المناطق")
NEIGHBOURHOOD = Level("neighbourhood", parent="district", name_en="Neighbourhoods",
                      name_ar="الحارات", parent_prefix=1)
REDRAWN, OLD_START = date(2020, 1, 1), date(2015, 1, 1)
CARRIED = "area-weighted, carried from the neighbourhood boundaries of 2015-01-01 to 2020-01-01"
INDICATOR = "foreign_citizens_share"
# Binary fractions: neighbouring boxes share their borders exactly.
X0, Y0, SIDE = 34.875, 31.875, 1 / 64


def _district_box(i: int):
    return (X0 + (i - 1) * SIDE, Y0, X0 + i * SIDE, Y0 + SIDE)


def _half(i: int, east: bool, quarter: int | None = None):
    """The west or east half of district ``i`` (or its south/north quarter 0/1)."""
    x0, y0, _, y1 = _district_box(i)
    left = x0 + SIDE / 2 * east
    if quarter is None:
        return box(left, y0, left + SIDE / 2, y1)
    return box(left, y0 + SIDE / 2 * quarter, left + SIDE / 2, y0 + SIDE / 2 * (quarter + 1))


def _frame(rows: list[tuple[str, str, str, str | None, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name_en": [r[1] for r in rows],
         "name_ar": [r[2] for r in rows], "parent_code": [r[3] for r in rows],
         "area_m2": 1.0},
        geometry=[r[4] for r in rows], crs="EPSG:4326")


DISTRICTS = _frame([(str(i), f"District {i}", f"المنطقة {i}", None, box(*_district_box(i)))
                    for i in range(1, 5)])
NEIGHBOURHOODS = _frame([(f"{i}{h + 1}", f"Quarter {i}{h + 1}", f"حارة {i}{h + 1}", str(i),
                          _half(i, bool(h))) for i in range(1, 5) for h in range(2)])
OLD_NEIGHBOURHOODS = _frame([
    ("11", "Quarter 11", "حارة 11", "1", _half(1, False)),       # kept
    ("X12", "Quarter 12", "حارة 12", "1", _half(1, True)),       # recoded to 12
    ("21", "Old Market", "السوق القديم", "2", _half(2, False)),  # renamed
    ("22", "Quarter 22", "حارة 22", "2", _half(2, True)),       # kept
    ("30", "Quarter 30", "حارة 30", "3", box(*_district_box(3))),  # split into 31 and 32
    ("41a", "Quarter 41a", "حارة 41أ", "4", _half(4, False, 0)),  # merged into 41
    ("41b", "Quarter 41b", "حارة 41ب", "4", _half(4, False, 1)),
    ("42", "Quarter 42", "حارة 42", "4", _half(4, True)),
])
CROSSWALK = pd.DataFrame(
    [("11", "11", 1.0), ("X12", "12", 1.0), ("21", "21", 1.0), ("22", "22", 1.0),
     ("30", "31", 0.5), ("30", "32", 0.5), ("41a", "41", 1.0), ("41b", "41", 1.0),
     ("42", "42", 1.0)], columns=["from_code", "to_code", "weight"],
).assign(from_level="neighbourhood", from_version=OLD_START, to_level="neighbourhood",
         to_version=REDRAWN, method="area")


def shares(period: str, codes: list[str], estimate: str = "") -> pd.DataFrame:
    """Foreign-citizen shares of ``codes`` (0.1, 0.2, …) and of the city (0.25)."""
    return pd.DataFrame({
        "district_code": [*codes, None], "period": period, "indicator_id": INDICATOR,
        "value": [0.1 * (n + 1) for n in range(len(codes))] + [0.25], "score": None,
        "coverage": 1.0, "suppressed": False, "definition_hash": "test",
        "estimate": [estimate] * len(codes) + [""],
    })


def seed_two_levels(store: Store) -> None:
    store.upsert_city(CITY)
    store.load(IngestRun(CITY.slug, "boundaries", "districts.geojson", "d"),
               districts=DISTRICTS, valid_from=REDRAWN, level=DISTRICT)
    store.load(IngestRun(CITY.slug, "boundaries", "neighbourhoods-2015.geojson", "n15"),
               districts=OLD_NEIGHBOURHOODS, valid_from=OLD_START, valid_to=REDRAWN,
               level=NEIGHBOURHOOD)
    store.load(IngestRun(CITY.slug, "boundaries", "neighbourhoods-2020.geojson", "n20"),
               districts=NEIGHBOURHOODS, valid_from=REDRAWN, level=NEIGHBOURHOOD,
               crosswalk=CROSSWALK)
    store.put_indicator_values(CITY.slug, shares("2024", list(DISTRICTS["code"])),
                               level="district")
    codes = list(NEIGHBOURHOODS["code"])
    store.put_indicator_values(CITY.slug, shares("2024", codes), level="neighbourhood")
    store.put_indicator_values(CITY.slug, shares("2018", codes, CARRIED), level="neighbourhood")
