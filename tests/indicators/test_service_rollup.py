"""Service demand rolled up until safe (issue 11 point 2), on both stores: a tiny admin file
whose roll-up is derived by hand, and the audit of what it publishes.

The hand derivation, with the threshold 2 (a cell is safe with 3 or more distinct users):

- District A: housing a1, a2, a3 (January), work a1, a4 (April): 4 users, 5 records. Its
  work year has 2 users, so its areas cannot be published alone (housing would give work
  away by subtraction): A publishes only all areas, if anything.
- District B: housing b1, b2, b3 (March), health b7, b1 (August), work b4, b5, b6 once in
  each of January, February and March (one each), April, July, and in each of October,
  November and December (all three): 7 users, 23 records. Health is small, so housing (the
  smaller of the safe areas, 3 records) is withheld with it (together 5 users, 5 records);
  work publishes its year (3 users, 18 records), its 4 quarters (3 users each; 3, 3, 3, 9
  records) and, in the fourth quarter only, its months (3 users, 3 records each).
- District C: housing c1, c2 (February): 2 users, small. A (5 records) is withheld with it,
  so the city's withheld districts are two with 6 users and 7 records.
- The city: 13 users, 30 records. Foreign residents 1,000 (A), 2,000 (B), 500 (C).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pydantic import SecretStr
from shapely.geometry import box

from indicators.compute import compute_frameworks
from indicators.disclosure.rollup import plan_nodes
from indicators.disclosure.stored import audit_city
from indicators.evaluate import PreparedObservations
from indicators.formulas.base import Term
from indicators.formulas.service_demand import ServiceDemandFormula
from ingest.jobs import ingest_admin, ingest_boundaries
from observatory.models import IngestRun, canonical_dims
from observatory.settings import DisclosureSettings, PrivacySettings

CITY = "testville"
RULE = DisclosureSettings(min_count=2)
KEY = PrivacySettings(hash_key=SecretStr("k" * 40))
SPEC = """\
feed: admin
person_id: {column: person}
nationality: {column: nationality, values: {syrian: syrian}}
district: {column: district, match: code}
service_area: {column: area}
date: {column: day}
"""
VISITS = [  # person, district, area, day
    *[(p, "A", "housing", "2025-01-10") for p in ("a1", "a2", "a3")],
    *[(p, "A", "work", "2025-04-10") for p in ("a1", "a4")],
    *[(p, "B", "housing", "2025-03-05") for p in ("b1", "b2", "b3")],
    *[(p, "B", "health", "2025-08-05") for p in ("b7", "b1")],
    ("b4", "B", "work", "2025-01-15"), ("b5", "B", "work", "2025-02-15"),
    ("b6", "B", "work", "2025-03-15"),
    *[(p, "B", "work", day) for day in ("2025-04-02", "2025-07-02", "2025-10-02",
                                        "2025-11-02", "2025-12-02")
      for p in ("b4", "b5", "b6")],
    *[(p, "C", "housing", "2025-02-20") for p in ("c1", "c2")],
]
FOREIGN = {"A": 1000, "B": 2000, "C": 500}
PUBLISHED = {  # (indicator, period, district) -> value, every one the hand derivation gives
    ("service_users_per_1000_foreign.all", "2025", None): 3.71,  # 13 / 3,500
    ("service_records_per_1000_foreign.all", "2025", None): 8.57,  # 30 / 3,500
    ("service_users_per_1000_foreign.all", "2025", "B"): 3.5,  # 7 / 2,000
    ("service_records_per_1000_foreign.all", "2025", "B"): 11.5,  # 23 / 2,000
    ("service_users_per_1000_foreign.work", "2025", "B"): 1.5,
    ("service_records_per_1000_foreign.work", "2025", "B"): 9.0,  # 18 / 2,000
    ("service_area_mix.work", "2025", "B"): 0.783,  # 18 / 23
    **{("service_users_per_1000_foreign.work", f"2025-{p}", "B"): 1.5
       for p in ("Q1", "Q2", "Q3", "Q4", "10", "11", "12")},
    **{("service_records_per_1000_foreign.work", f"2025-{p}", "B"): 1.5
       for p in ("Q1", "Q2", "Q3", "10", "11", "12")},
    ("service_records_per_1000_foreign.work", "2025-Q4", "B"): 4.5,  # 9 / 2,000
}


@pytest.fixture
def city(store, tmp_path: Path):
    frame = gpd.GeoDataFrame(
        {"code": list(FOREIGN), "name_en": ["Alpha", "Beta", "Gamma"],
         "name_ar": ["ألفا", "بيتا", "غاما"]},
        geometry=[box(35.20 + 0.01 * k, 31.90, 35.21 + 0.01 * k, 31.91) for k in range(3)],
        crs="EPSG:4326")
    frame.to_file(tmp_path / "districts.gpkg", driver="GPKG")
    ingest_boundaries(store, tmp_path / "districts.gpkg", CITY)
    census = pd.DataFrame([
        {"district_code": code, "period": "2024", "variable": "population",
         "dims": canonical_dims({"citizenship": group}), "value": value, "unit": "persons"}
        for code, foreign in FOREIGN.items()
        for group, value in (("syrian", foreign), ("national", 5 * foreign))])
    store.load(IngestRun(CITY, "census", "census.csv", "c1"), observations=census)
    (tmp_path / "admin.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "records.csv").write_text(
        "person,nationality,district,area,day\n"
        + "".join(f"{p},syrian,{d},{a},{day}\n" for p, d, a, day in VISITS), encoding="utf-8")
    run = ingest_admin(store, tmp_path / "records.csv", CITY, tmp_path / "admin.yaml",
                       privacy=KEY, disclosure=RULE)
    assert run.status == "succeeded" and run.rows_rejected == 0
    return store


def test_the_roll_up_publishes_what_the_hand_derivation_gives(city):
    compute_frameworks(city, CITY, RULE, ["service_demand"])
    values = city.indicator_values(CITY)
    values = values[values["indicator_id"].str.startswith("service_")]
    shown = values[~values["suppressed"].astype(bool)]
    got = {(r.indicator_id, r.period, None if pd.isna(r.district_code) else r.district_code):
           r.value for r in shown.itertuples(index=False)}
    assert got == pytest.approx(PUBLISHED)
    # Withheld values of the year keep their row, without a value; the rolled-up quarters
    # and months of a withheld year have none.
    hidden = values[values["suppressed"].astype(bool)]
    assert hidden["value"].isna().all()
    assert {("service_users_per_1000_foreign.all", "2025", "A"),
            ("service_users_per_1000_foreign.all", "2025", "C"),
            ("service_users_per_1000_foreign.housing", "2025", "B"),
            ("service_area_mix.housing", "2025", "B")} <= set(
        zip(hidden["indicator_id"], hidden["period"], hidden["district_code"], strict=True))
    assert not ((values["district_code"] == "A") & values["period"].str.contains("Q")).any()

    # The stored release is not attackable: every withheld count keeps the protection range.
    audit = audit_city(city, CITY, RULE)
    service = audit[audit["indicators"].str.contains("service_")]
    assert len(service) and service["protected"].all()
    # The city's withheld districts (A and C together: 6 users, known to within the rounding)
    # can each be anything from 0 to 6 users.
    [rest] = service[service["indicators"].str.contains("its withheld districts")
                     & service["indicators"].str.startswith("service_users")].itertuples()
    assert rest.upper == pytest.approx(6, abs=0.05) and rest.width == pytest.approx(rest.upper)

    # Each withheld cell says where its value went.
    formula = ServiceDemandFormula(
        kind="service_demand", measure="users_per_1000",
        residents=Term(variable="population", where={"citizenship": {"not": ["national"]}}))
    observations = city.observations(CITY)
    nodes = plan_nodes(formula.service_counts(PreparedObservations(observations)), 2)
    rolled = {(r.district_code, r.period, r.area): r.rolled_to
              for r in nodes.itertuples(index=False) if not r.published}
    assert rolled[("B", "2025-01", "work")] == "2025-Q1"
    assert rolled[("B", "2025-05", "work")] == "2025-Q2"
    assert rolled[("B", "2025-03", "housing")] == "2025, all service areas"
    assert rolled[("A", "2025-01", "housing")] == "the city, 2025, all service areas"
    assert rolled[("C", "2025", "all")] == "the city, 2025, all service areas"
    assert not nodes.loc[nodes["published"], "users"].le(2).any()
