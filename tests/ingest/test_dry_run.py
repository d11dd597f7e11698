"""A dry run shows what an ingest would load and reject, and writes nothing, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from store_scan import file_bytes, text_values

from ingest.jobs import ingest_boundaries
from observatory.services.dry_run import dry_run
from observatory.settings import PrivacySettings

CITY = "testville"
CENSUS = """\
code,year,nationals,foreigners
01,2024,100,20
02,2024,80,-5
03,2024,10,10
01,2025,110,25
02,2025,90,30
"""
CENSUS_SPEC = {
    "feed": "census", "district": {"column": "code"}, "period": {"column": "year"},
    "variables": [
        {"column": "nationals", "variable": "population", "unit": "persons",
         "dims": {"citizenship": "national"}},
        {"column": "foreigners", "variable": "population", "unit": "persons",
         "dims": {"citizenship": "foreign"}},
    ],
}


def _state(store) -> tuple[list[str], bytes, list, int]:
    runs = sorted((run.id, run.rows_loaded) for run in store.runs())
    held = len(store.observations(CITY, every_level=True))
    values = sorted(text_values(store))
    return values, file_bytes(store), runs, held


@pytest.fixture
def city(store, boundaries: Path):
    ingest_boundaries(store, boundaries, CITY)
    return store


def test_dry_run_counts_samples_and_rejects_and_writes_nothing(city, tmp_path: Path):
    data = tmp_path / "census.csv"
    data.write_text(CENSUS, encoding="utf-8")
    before = _state(city)

    report = dry_run(city, CITY, "census", CENSUS_SPEC, data)

    assert report.rows_read == 5
    assert report.counts == (("population", "2024", 3), ("population", "2025", 4))
    assert len(report.sample) == 7
    assert report.sample[0] == {"district_code": "01", "period": "2024",
                                "variable": "population", "dims": '{"citizenship":"national"}',
                                "value": "100.0", "unit": "persons"}
    assert sorted((r.row_number, r.column, r.reason.split(":")[0]) for r in report.rejected) == [
        (3, "foreigners", "negative value -5"),
        (4, "code", ("district '03' is not a known district code of testville (codes look "
                    "like 01, 02)")),
    ]
    assert report.unchanged is None
    assert _state(city) == before


def test_a_dry_run_of_personal_records_masks_what_it_rejects(city, tmp_path: Path):
    data = tmp_path / "records.csv"
    data.write_text("person_id,full_name,nationality,address,service_area,date\n"
                    "P-1,Layla Haddad,SY,\"12 Olive Lane, Al-Zaytoun\",housing,2025-03-04\n"
                    "P-2,Omar Youssef,IQ,5 Unknown Street,housing,2025-03-06\n",
                    encoding="utf-8")
    spec = {"feed": "admin", "person_id": {"column": "person_id"}, "names": ["full_name"],
            "nationality": {"column": "nationality", "values": {"SY": "syrian"},
                            "default": "other_foreign"},
            "district": {"column": "address", "match": "address"},
            "date": {"column": "date"}}
    before = _state(city)
    report = dry_run(city, CITY, "admin", spec, data,
                     settings={"privacy": PrivacySettings(hash_key=SecretStr("k" * 40))})
    assert [(r.row_number, r.column) for r in report.rejected] == [(3, "address")]
    shown = report.rejected[0].reason + report.rejected[0].raw
    assert "Unknown Street" not in shown and "Omar" not in shown and "P-2" not in shown
    assert "<masked:" in shown
    assert _state(city) == before
