"""Population between censuses from phone data (framework phone_population), on a table small
enough to do by hand: two districts, two groups, census years 2024 and 2025, phone months in
both and in 2026, which has no census.

Census (population):         2024: A national 1000, syrian 200; B national 600, syrian 400
                             2025: A national 1100, syrian 330; B national 700, syrian 420
Home subscribers:   2024-01 and 2024-07: A 400, 100; B 400, 200 (so the 2024 mean is that)
                    2025-06:             A 500, 160; B 400, 140
                    2026-03:             A 510, 160; B 410,  10 (B syrian: at most 15)

Ratios (census of the city / mean subscribers of the city):
  2024: national 1600 / 800 = 2,   syrian 600 / 300 = 2
  2025: national 1800 / 900 = 2,   syrian 750 / 300 = 2.5
Estimates: 2024-01 on 2024: A 800 + 200 = 1000, B 800 + 400 = 1200, city 2200
           2025-06 on 2025: A 1000 + 400 = 1400, B 800 + 350 = 1150, city 2550
           2026-03 on 2025: A 1020 + 400 = 1420, B 820 + (10: suppressed) -> suppressed
Held out (calibrate on 2024, predict 2025 = 2025-06 subscribers × 2024 ratios):
  A national 1000 vs 1100 (−1/11), B national 800 vs 700 (+1/7),
  A syrian    320 vs  330 (−1/33), B syrian    280 vs 420 (−1/3)
  MAPE = 25 · (1/11 + 1/7 + 1/33 + 1/3) = 25 · 138/231 = 14.935… %
  MdAPE = 100 · (1/11 + 1/7) / 2 = 100 · 9/77 = 11.688… % (the middle two of four)
  bias = 25 · (−1/11 + 1/7 − 1/33 − 1/3) = −25 · 72/231 = −7.792… %
  WAPE = (100 + 100 + 10 + 140) / 2550 = 13.725… %; 4 cells cover 100 % of the residents;
  per group: national 50 · 18/77 = 11.688… %, syrian 50 · 12/33 = 18.18… %
Day/night 2026-03 (daytime A 765, 160 and an iraqi 50 without a night count; B 205, 10):
  A (765 + 160) / (510 + 160) = 1.3806, B 215 / 420 = 0.5119, city 1140 / 1090 = 1.0459
Published values have three significant digits.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.calibration import calibrate
from indicators.compute import compute_frameworks
from indicators.definitions import load_definitions
from indicators.evaluate import PreparedObservations, evaluate
from observatory.models import City, IngestRun, canonical_dims
from observatory.services.callers import PUBLIC
from observatory.services.district_profile import district_profile
from observatory.settings import DisclosureSettings

CENSUS = {"2024": {("A", "national"): 1000, ("A", "syrian"): 200,
                   ("B", "national"): 600, ("B", "syrian"): 400},
          "2025": {("A", "national"): 1100, ("A", "syrian"): 330,
                   ("B", "national"): 700, ("B", "syrian"): 420}}
HOME = {month: {("A", "national"): a_n, ("A", "syrian"): a_s,
                ("B", "national"): b_n, ("B", "syrian"): b_s}
        for month, (a_n, a_s, b_n, b_s) in {"2024-01": (400, 100, 400, 200),
                                            "2024-07": (400, 100, 400, 200),
                                            "2025-06": (500, 160, 400, 140),
                                            "2026-03": (510, 160, 410, 10)}.items()}
DAYTIME = {"2026-03": {("A", "national"): 765, ("A", "syrian"): 160, ("A", "iraqi"): 50,
                       ("B", "national"): 205, ("B", "syrian"): 10}}


def _frame(table: dict, variable: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame([
        {"district_code": d, "period": p, "variable": variable,
         "dims": canonical_dims({"citizenship": g}), "value": float(v), "unit": unit}
        for p, cells in table.items() for (d, g), v in cells.items()])


def _values(store, indicator: str) -> dict[tuple[str, str], float | None]:
    got = store.indicator_values("c", indicator)
    return {(p, d if isinstance(d, str) else "city"): (None if s else float(v))
            for p, d, v, s in zip(got["period"], got["district_code"], got["value"],
                                  got["suppressed"], strict=True)}


def test_the_hand_table_through_compute_on_each_store(store) -> None:
    # One computation for every check: the disclosure plan of all frameworks is the slow part.
    store.upsert_city(City("c", "C", "سي", local_crs="EPSG:32637"))
    store.load(IngestRun("c", "boundaries", "b.geojson", "b"), districts=gpd.GeoDataFrame(
        {"code": ["A", "B"], "name_en": ["A", "B"], "name_ar": ["أ", "ب"],
         "area_m2": [1.0, 1.0]},
        geometry=[shapely.box(36, 36, 36.01, 36.01), shapely.box(36.01, 36, 36.02, 36.01)],
        crs="EPSG:4326"))
    store.load(IngestRun("c", "census", "census.csv", "c"),
               observations=_frame(CENSUS, "population", "persons"))
    store.load(IngestRun("c", "cdr", "towers.csv", "t"), observations=pd.concat([
        _frame(HOME, "mobile_home_subscribers", "subscribers"),
        _frame(DAYTIME, "mobile_daytime_subscribers", "subscribers")]))
    compute_frameworks(store, "c", DisclosureSettings(), ["phone_population"])

    # the estimates, per group and summed; B's syrians in 2026-03 are 10 subscribers
    assert _values(store, "phone_estimated_residents") == {
        ("2024-01", "A"): 1000, ("2024-01", "B"): 1200, ("2024-01", "city"): 2200,
        ("2024-07", "A"): 1000, ("2024-07", "B"): 1200, ("2024-07", "city"): 2200,
        ("2025-06", "A"): 1400, ("2025-06", "B"): 1150, ("2025-06", "city"): 2550,
        ("2026-03", "A"): 1420, ("2026-03", "B"): None, ("2026-03", "city"): None}
    syrian = _values(store, "phone_estimated_residents_by_group.syrian")
    assert {k: syrian[k] for k in [("2025-06", "A"), ("2026-03", "A"), ("2026-03", "B"),
                                   ("2026-03", "city")]} == {
        ("2025-06", "A"): 400, ("2026-03", "A"): 400, ("2026-03", "B"): None,
        ("2026-03", "city"): None}
    national = _values(store, "phone_estimated_residents_by_group.national")
    assert national[("2026-03", "city")] == 1840

    # the held-out error, overall and per group
    error = {name: _values(store, f"phone_calibration_{name}") for name in
             ("mape", "mdape", "bias", "wape", "cells", "coverage")}
    assert error == {"mape": {("2025", "city"): 14.9}, "mdape": {("2025", "city"): 11.7},
                     "bias": {("2025", "city"): -7.79},
                     "wape": {("2025", "city"): 13.7}, "cells": {("2025", "city"): 4},
                     "coverage": {("2025", "city"): 100}}
    assert _values(store, "phone_calibration_mape_by_group.national") == {("2025", "city"): 11.7}
    assert _values(store, "phone_calibration_mape_by_group.syrian") == {("2025", "city"): 18.2}

    # every estimate says how it was made and its error; the error is not an estimate
    got = store.indicator_values("c", "phone_estimated_residents")
    method = dict(zip(got["period"], got["estimate"], strict=False))
    tail = ("; held-out error calibrating on 2024 and predicting census 2025: MAPE 14.9 % "
            "(median 11.7 %) over 4 district × group cells")
    assert method["2024-01"].endswith("calibrated on census 2024" + tail)
    assert method["2026-03"].endswith("calibrated on census 2025" + tail)
    assert method["2026-03"].startswith("phone estimate: home-location subscribers")
    assert list(store.indicator_values("c", "phone_calibration_mape")["estimate"]) == [""]

    # the district profile lists them, named in both languages, each estimate saying so
    profile = {e["indicator_id"]: e for e in
               district_profile(store, store.city("c"), "A", PUBLIC)["indicators"]}
    syrians = profile["phone_estimated_residents_by_group.syrian"]
    assert (syrians["period"], syrians["value"], syrians["unit"]) == ("2026-03", 400, "persons")
    assert syrians["name_ar"] == "السكان المقدَّرون حسب الجنسية (بيانات الهاتف المحمول): سوري"
    assert syrians["estimate"] == method["2026-03"]
    assert profile["phone_day_night_ratio"]["estimate"] == ""

    # day/night over the groups counted both by day and by night (A's iraqis only by day)
    assert _values(store, "phone_day_night_ratio") == {
        ("2026-03", "A"): 1.38, ("2026-03", "B"): 0.512, ("2026-03", "city"): 1.05}


def test_without_a_second_census_the_error_is_unknown_and_says_so() -> None:
    rows = [{"district_code": d, "group": g, "period": p, "value": v}
            for p, cells in CENSUS.items() if p == "2025" for (d, g), v in cells.items()]
    phones = [{"district_code": d, "group": g, "period": p, "value": v}
              for p, cells in HOME.items() for (d, g), v in cells.items()]
    result = calibrate(pd.DataFrame(phones), pd.DataFrame(rows), min_count=15)
    assert result.errors.empty
    assert set(result.estimates["year"]) == {"2025"}  # months before it take the first census
    assert result.method("2025").endswith("no second census to measure the error on")


def test_an_error_over_a_single_cell_is_not_published() -> None:
    # B's syrians are 10 in the 2025 census: left out of the error, so syrians have one cell,
    # whose error with the published estimate would give A's census count away.
    census = {year: {**cells, ("B", "syrian"): 10} for year, cells in CENSUS.items()}
    observations = pd.concat([_frame(census, "population", "persons"),
                              _frame(HOME, "mobile_home_subscribers", "subscribers")])
    prepared = PreparedObservations(observations.assign(ingest_run="r"))
    by_group = load_definitions()["phone_calibration_mape_by_group"]
    got = evaluate(by_group, prepared, 15).set_index("indicator_id")
    assert got.loc["phone_calibration_mape_by_group.syrian", "suppressed"]
    assert np.isnan(got.loc["phone_calibration_mape_by_group.syrian", "value"])
    assert got.loc["phone_calibration_mape_by_group.national", "value"] == pytest.approx(
        50 * 18 / 77)
