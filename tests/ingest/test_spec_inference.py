"""Spec inference on files no shipped spec knows: the layout, the district column and its
match, the period, dimensions and values are read off the file and the city's districts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries
from ingest.spec import AdminSpec, CensusSpec
from observatory.services.dry_run import dry_run
from observatory.services.spec_inference import infer_spec
from observatory.settings import PrivacySettings

CITY = "testville"
# Windows-1256, two title lines, semicolons, Arabic district names, one row per sex.
ARABIC_TABLE = (
    "السكان حسب الحي والجنس\n"
    "المصدر: البلدية\n"
    "الحي;year;sex;syrians;others\n"
    "حي الزيتون;2024;M;120;30\n"
    "حي الزيتون;2024;F;110;25\n"
    "حي النخيل;2024;M;80;10\n"
    "حي النخيل;2024;F;75;12\n"
    "حي المجهول;2024;F;5;1\n"
)


@pytest.fixture
def city(store, boundaries: Path):
    ingest_boundaries(store, boundaries, CITY)
    return store


def test_a_windows_arabic_table_with_titles_is_read_and_matched_by_arabic_name(
        city, tmp_path: Path):
    data = tmp_path / "population.csv"
    data.write_bytes(ARABIC_TABLE.encode("cp1256"))
    found = infer_spec(city, CITY, data)
    assert found.feed == "census"
    assert found.spec == {
        "feed": "census", "format": "csv", "encoding": "cp1256", "delimiter": ";",
        "header_row": 3,
        "district": {"column": "الحي", "match": "name_ar"},
        "period": {"column": "year"},
        "dimensions": {"sex": {"column": "sex"}},
        "variables": [{"column": "syrians", "variable": "syrians", "unit": ""},
                      {"column": "others", "variable": "others", "unit": ""}],
    }
    assert "# 4 of 5 rows (80%) hold Arabic district names" in found.yaml
    assert "lines 1–2 are titles" in found.yaml
    CensusSpec.model_validate(found.spec)
    report = dry_run(city, CITY, "census", found.spec, data)
    assert report.counts == (("others", "2024", 4), ("syrians", "2024", 4))
    assert [(r.row_number, r.column) for r in report.rejected] == [(8, "الحي")]


def test_admin_records_flag_the_personal_columns_and_never_quote_them(city, tmp_path: Path):
    data = tmp_path / "records.csv"
    people = [("C-101", "Layla Haddad", "N0482913", "SY", "F", "1988", ("12 Olive Lane, "
               "Al-Zaytoun"), "housing", "2025-03-04"),
              ("C-102", "Omar Youssef", "IQ7730021", "IQ", "M", "1975", "شارع 4، حي النخيل",
               "work", "2025-03-11"),
              ("C-101", "Layla Haddad", "N0482913", "SY", "F", "1988", ("12 Olive Lane, "
               "Al-Zaytoun"), "health", "2025-04-02")]
    data.write_text("client_id,full_name,passport_no,nationality,gender,birth_year,address,"
                    "service,visit_date\n"
                    + "".join(",".join(f'"{v}"' for v in row) + "\n" for row in people),
                    encoding="utf-8")
    found = infer_spec(city, CITY, data)
    assert found.feed == "admin"
    spec = found.spec
    assert spec["person_id"] == {"column": "client_id"}
    assert spec["names"] == ["full_name"] and spec["document_numbers"] == ["passport_no"]
    assert spec["district"] == {"column": "address", "match": "address"}
    assert spec["sex"] == {"column": "gender", "values": {"F": "female", "M": "male"}}
    assert spec["date"] == {"column": "visit_date"}
    AdminSpec.model_validate(spec)
    shown = found.yaml + " ".join(found.notes)
    for row in people:
        for value in row[:3] + row[6:7]:
            assert value not in shown
    key = PrivacySettings(hash_key=SecretStr("k" * 40))
    report = dry_run(city, CITY, "admin", spec, data, settings={"privacy": key})
    assert report.rejected == () and report.rows_read == 3


def test_a_file_no_reader_knows_is_refused_naming_it(city, tmp_path: Path):
    data = tmp_path / "notes.docx"
    data.write_bytes(b"PK\x03\x04")
    with pytest.raises(IngestError, match="notes.docx"):
        infer_spec(city, CITY, data)


def test_a_parquet_file_of_points_is_proposed_for_the_points_feed(city, tmp_path: Path):
    """Coordinates, an ISO time and a category column: counted per district, year and
    category; the spec validates."""
    import pandas as pd

    from ingest.spec import PointCountsSpec

    data = tmp_path / "noise_complaints.parquet"
    pd.DataFrame({"longitude": [35.2, 35.21], "latitude": [31.9, 31.91],
                  "created": ["2025-03-01T10:00:00Z", "2025-04-02T11:00:00Z"],
                  "kind": ["music", "traffic"]}).to_parquet(data)
    found = infer_spec(city, "testville", data)
    assert found.feed == "points"
    assert found.spec["columns"] == {"lon": "longitude", "lat": "latitude", "time": "created"}
    assert found.spec["dimensions"] == {"kind": {"column": "kind"}}
    assert (found.spec["variable"], found.spec["unit"]) == ("noise_complaints", "complaints")
    PointCountsSpec.model_validate(found.spec)
    assert not found.notes


def test_events_in_metres_get_the_city_crs_and_times_without_offset_its_zone(store, tmp_path):
    """A table of points in the city's projected CRS, and one in degrees whose times have no
    offset: the first gets crs (the city's local CRS), the second the zone of its country."""
    from ingest.spec import EventsSpec
    from observatory.models import City

    store.upsert_city(City("zarqa", "Zarqa", country="JO", local_crs="EPSG:28192"))
    metres = tmp_path / "fires.csv"
    metres.write_text("x,y,time,severity\n251000.5,1160000.0,2025-03-01T10:00:00+03:00,2\n"
                      "252000.0,1161000.0,2025-03-02T11:00:00+03:00,1\n", encoding="utf-8")
    found = infer_spec(store, "zarqa", metres, "events")
    assert found.spec["crs"] == "EPSG:28192" and found.spec["point"] == {"lon": "x", "lat": "y"}
    assert "timezone" not in found.spec["time"]
    EventsSpec.model_validate(found.spec)
    degrees = tmp_path / "waste.csv"
    degrees.write_text("lon,lat,reported\n36.09,32.07,2025-03-01 10:00\n"
                       "36.10,32.08,2025-03-02 11:00\n", encoding="utf-8")
    found = infer_spec(store, "zarqa", degrees, "events")
    assert found.spec["time"]["timezone"] == "Asia/Amman" and "crs" not in found.spec
    assert any("Asia/Amman" in note and "CHECK" in note for note in found.notes)
    EventsSpec.model_validate(found.spec)
