"""Service records of a year in which the districts were redrawn, on both stores: each record
names the district of its own date and is counted on those boundaries, which the indicators
carry onto today's; a record naming a district of another time is rejected, saying which
boundaries hold on its date.

The city: districts A, B, C from 2015; on 2021-07-15 A is split into A1 (its western 40 %)
and A2. July 2021 begins on the old boundaries and ends on the new: a record on the new ones
in July is rejected (the month's cells are on the boundaries of its first day); the third
quarter and the year 2021 hold records of both versions and are not counted at their grain.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from redrawn_city import CITY, redraw

from indicators.compute import compute_city
from indicators.disclosure.stored import audit_city
from indicators.level_inputs import observations_at_level
from ingest.jobs import ingest_admin
from observatory.settings import DisclosureSettings, PrivacySettings

KEY = PrivacySettings(hash_key=SecretStr("k" * 40))
SPEC = """feed: admin
person_id: {column: person_id}
nationality: {column: nationality, values: {SY: syrian}, default: other_foreign}
district: {column: district, match: code}
service_area: {column: service_area}
date: {column: date}
"""
RECORDS = [  # person, district, date; every one a Syrian's housing visit
    ("P1", "A", "2021-03-10"), ("P2", "A", "2021-03-11"),
    ("P3", "B", "2021-03-12"),
    ("P4", "A", "2021-07-02"),  # July begins on the old boundaries
    ("P5", "A1", "2021-08-05"), ("P6", "A2", "2021-08-06"),
    # rejected: A has ended by then; A1 does not exist yet; July ends on the new boundaries
    ("P7", "A", "2021-08-07"),
    ("P8", "A1", "2021-05-02"),
    ("P9", "A1", "2021-07-20"),
]


@pytest.fixture
def loaded(store, tmp_path: Path):
    redraw(store, tmp_path, "2021-07-15")
    (tmp_path / "admin.yaml").write_text(SPEC, encoding="utf-8")
    data = tmp_path / "records.csv"
    data.write_text("person_id,nationality,district,service_area,date\n" + "".join(
        f"{person},SY,{district},housing,{day}\n" for person, district, day in RECORDS),
        encoding="utf-8")
    run = ingest_admin(store, data, CITY, tmp_path / "admin.yaml", privacy=KEY)
    return store, run


def _users(rows, period: str, area: str = "housing") -> dict[str, float]:
    """Distinct persons per district in ``period`` for one service area."""
    mine = rows[(rows["variable"] == "service_users") & (rows["period"] == period)
                & rows["dims"].str.contains(f'"service_area":"{area}"', regex=False)]
    return mine.groupby("district_code")["value"].sum().to_dict()


def test_each_record_names_the_district_of_its_own_date(loaded):
    store, run = loaded
    assert (run.status, run.rows_read, run.rows_loaded > 0) == ("succeeded", 9, True)
    reasons = {r.row_number: r.reason for r in store.rejected_rows(run.id)}
    assert sorted(reasons) == [8, 9, 10]
    assert reasons[8] == ("district 'A' is not a known district code of redrawn on the "
                          "record's date (the boundaries of 2021-07-15: give the district "
                          "of then)")
    assert reasons[9] == ("district 'A1' is not a known district code of redrawn on the "
                          "record's date (the boundaries of 2015-01-01 to 2021-07-15: give "
                          "the district of then)")
    assert reasons[10] == ("the record's month 2021-07 is split by the boundaries beginning "
                           "on 2021-07-15: counts are per month on the boundaries of its first "
                           "day; load the boundaries with valid_from on the first of a month")
    assert "not counted by 2021, 2021-Q3" in run.message

    observed = store.observations(CITY)
    assert _users(observed, "2021-03") == {"A": 2.0, "B": 1.0}
    assert _users(observed, "2021-07") == {"A": 1.0}
    assert _users(observed, "2021-08") == {"A1": 1.0, "A2": 1.0}
    assert _users(observed, "2021-Q1") == {"A": 2.0, "B": 1.0}
    assert _users(observed, "2021-Q3") == {} and _users(observed, "2021") == {}


def test_records_on_the_old_boundaries_are_carried_onto_todays(loaded):
    store, _ = loaded
    rows = observations_at_level(store, CITY, "district").observations
    march = _users(rows, "2021-03")
    # A's two persons carried in proportion to area; B is B on both versions.
    assert march == pytest.approx({"A1": 0.8, "A2": 1.2, "B": 1.0}, abs=1e-3)
    assert set(rows.loc[rows["period"] == "2021-03", "estimate"]) == {
        "area-weighted, carried from the district boundaries of 2015-01-01 to 2021-07-15"}
    assert _users(rows, "2021-08") == {"A1": 1.0, "A2": 1.0}


def test_a_city_of_service_records_alone_computes_and_passes_its_audit(loaded):
    """No census: the count table is the service tables' alone, carried months included."""
    store, _ = loaded
    settings = DisclosureSettings(min_count=0)
    assert compute_city(store, CITY, settings) > 0
    assert audit_city(store, CITY, settings)["protected"].all()
