"""Administrative records with personal data, on both stores: counts land, identities do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from store_scan import text_values

from ingest.admin_privacy import keyed_hasher
from ingest.errors import IngestError
from ingest.jobs import ingest_admin, ingest_boundaries
from observatory.settings import DisclosureSettings, PrivacySettings

CITY = "testville"
KEY = PrivacySettings(hash_key=SecretStr("k" * 40))
HEADER = ("person_id,full_name_ar,full_name_en,document_number,nationality,sex,birth_year,"
          "address,service_area,date\n")
# Fake people. Person P-1 comes three times (twice for housing in March): one user, 2 records.
RECORDS = [
    ("P-1", "ليلى حداد", "Layla Haddad", "N0482913", "SY", "F", "1988",
     "12 Olive Lane, Al-Zaytoun", "housing", "2025-03-04"),
    ("P-1", "ليلى حداد", "Layla Haddad", "N0482913", "SY", "F", "1988",
     "12 Olive Lane, Al-Zaytoun", "Housing", "2025-03-20"),
    ("P-1", "ليلى حداد", "Layla Haddad", "N0482913", "SY", "F", "1988",
     "12 Olive Lane, Al-Zaytoun", "health", "2025-04-02"),
    ("P-2", "عمر يوسف", "Omar Youssef", "IQ7730021", "IQ", "M", "1975",
     "شارع النخيل 4، حي النخيل", "family reunification", "2025-03-11"),
    ("P-3", "سارة منصور", "Sara Mansour", "AB1234567", "DE", "F", "1990",
     "3 Palm Road, Al-Nakheel", "work", "2025-03-12"),
    # rejected: unknown service area; no district in the address; a date that is no date
    ("P-4", "خالد سليم", "Khaled Salim", "ZX9988776", "SY", "M", "1969",
     "7 Cedar St, Al-Zaytoun", "astrology", "2025-03-05"),
    ("P-5", "منى عباس", "Mona Abbas", "QQ5566778", "SY", "F", "2001",
     "5 Unknown Street", "housing", "2025-03-06"),
    ("P-6", "يوسف كرم", "Youssef Karam", "RT4455667", "IQ", "M", "1985",
     "9 Palm Road, Al-Nakheel", "work", "31/02/2025"),
]
PERSONAL = [value for record in RECORDS for value in record[:4]] + [
    record[7] for record in RECORDS]  # ids, names, document numbers, addresses

SPEC = """\
feed: admin
person_id: {column: person_id}
names: [full_name_ar, full_name_en]
document_numbers: [document_number]
nationality: {column: nationality, values: {SY: syrian, IQ: iraqi, LOCAL: national},
              default: other_foreign}
sex: {column: sex, values: {F: female, M: male}}
birth_year: {column: birth_year}
district: {column: address, match: address}
service_area: {column: service_area}
date: {column: date}
"""


@pytest.fixture
def city(store, boundaries: Path):
    ingest_boundaries(store, boundaries, CITY)
    return store


def _files(tmp_path: Path, records=RECORDS) -> tuple[Path, Path]:
    spec = tmp_path / "admin.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    data = tmp_path / "service_records.csv"
    data.write_text(HEADER + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in records),
                    encoding="utf-8")
    return data, spec


def _cells(store, grains: bool = False) -> dict[tuple, float]:
    """(district, month, variable, service area, nationality group[, sex]) -> count; with
    ``grains`` the quarter, year and all-areas cells too (the roll-up's grains)."""
    cells = {}
    for row in store.observations(CITY).itertuples():
        if not grains and ("Q" in row.period or len(row.period) == 4 or '"all"' in row.dims):
            continue
        dims = json.loads(row.dims)
        key = (row.district_code, row.period, row.variable, dims.pop("service_area"),
               dims.pop("citizenship"), *dims.values())
        assert key not in cells
        cells[key] = row.value
    return cells


def test_counts_records_and_distinct_persons_per_cell(city, tmp_path):
    data, spec = _files(tmp_path)
    run = ingest_admin(city, data, CITY, spec, privacy=KEY,
                       disclosure=DisclosureSettings(min_count=15))
    assert (run.status, run.rows_rejected) == ("succeeded", 3)
    assert run.message.startswith("8 records -> 4 cells")
    cells = _cells(city)
    assert cells[("01", "2025-03", "service_records", "housing", "syrian", "female")] == 2
    assert cells[("01", "2025-03", "service_users", "housing", "syrian", "female")] == 1
    assert cells[("01", "2025-04", "service_users", "health", "syrian", "female")] == 1
    assert cells[("02", "2025-03", "service_users", "family_reunification", "iraqi", "male")] == 1
    assert cells[("02", "2025-03", "service_users", "work", "other_foreign", "female")] == 1
    assert len(cells) == 8  # 4 cells x (records, users)
    assert "4 of them count 15 or fewer persons" in run.message
    # The coarser grains count distinct persons from the hashed ids: P-1 is one user of 3
    # records in 2025 (2 in Q1, 1 in Q2), and one user of all areas in March (2 records).
    grains = _cells(city, grains=True)
    p1 = {key[1:4]: value for key, value in grains.items()
          if key[0] == "01" and key[4:] == ("syrian", "female")}
    assert p1 == {
        ("2025-03", "service_records", "housing"): 2, ("2025-03", "service_users", "housing"): 1,
        ("2025-03", "service_records", "all"): 2, ("2025-03", "service_users", "all"): 1,
        ("2025-04", "service_records", "health"): 1, ("2025-04", "service_users", "health"): 1,
        ("2025-04", "service_records", "all"): 1, ("2025-04", "service_users", "all"): 1,
        ("2025-Q1", "service_records", "housing"): 2, ("2025-Q1", "service_users", "housing"): 1,
        ("2025-Q1", "service_records", "all"): 2, ("2025-Q1", "service_users", "all"): 1,
        ("2025-Q2", "service_records", "health"): 1, ("2025-Q2", "service_users", "health"): 1,
        ("2025-Q2", "service_records", "all"): 1, ("2025-Q2", "service_users", "all"): 1,
        ("2025", "service_records", "housing"): 2, ("2025", "service_users", "housing"): 1,
        ("2025", "service_records", "health"): 1, ("2025", "service_users", "health"): 1,
        ("2025", "service_records", "all"): 3, ("2025", "service_users", "all"): 1}

    rejected = {r.row_number: r for r in city.rejected_rows(run.id)}
    assert sorted(rejected) == [7, 8, 9]
    # Free text that is no label of the spec is masked: its length and character classes.
    assert rejected[7].column == "service_area" and (
        "'<masked: 9 chars, letters>' is not a service area" in rejected[7].reason)
    assert rejected[8].column == "address" and "names no single known district" in (
        rejected[8].reason)
    assert rejected[9].column == "date" and (
        "'<masked: 10 chars, digits+punctuation>' is not a date" in rejected[9].reason)
    # The raw row keeps the spec's labels, identifying columns blank, other values masked.
    assert rejected[7].raw.startswith("person_id=; full_name_ar=; full_name_en=; "
                                      "document_number=; nationality=SY; sex=M; "
                                      "birth_year=<masked: 4 chars, digits>")
    assert "address=; service_area=<masked: 9 chars, letters>" in rejected[7].raw


def test_no_identifier_name_document_or_address_anywhere_in_the_store(city, tmp_path):
    data, spec = _files(tmp_path)
    run = ingest_admin(city, data, CITY, spec, privacy=KEY)
    assert run.status == "succeeded"
    values = text_values(city)
    assert any("service_users" in v for v in values)  # the scan does see the loaded rows
    assert any("<masked: 9 chars, letters>" in v for v in values)  # and the rejected ones
    hits = [(needle, v) for needle in PERSONAL for v in values if needle in v]
    assert hits == []
    keyed = keyed_hasher(KEY, source="")
    assert not any(keyed(pid) in v for pid in ("P-1", "P-2") for v in values)


def test_refuses_to_run_without_a_long_enough_key(city, tmp_path):
    data, spec = _files(tmp_path)
    for privacy in (PrivacySettings(hash_key=None), PrivacySettings(hash_key=SecretStr("short"))):
        with pytest.raises(IngestError, match=r"fix: set OBSERVATORY_HASH_KEY to a secret of at "
                                              r"least 32 characters"):
            ingest_admin(city, data, CITY, spec, privacy=privacy)
    assert [run.feed for run in city.runs(CITY)] == ["boundaries"]


def test_key_is_read_from_the_environment(city, tmp_path, monkeypatch):
    data, spec = _files(tmp_path)
    monkeypatch.setenv("OBSERVATORY_HASH_KEY", "e" * 32)
    assert ingest_admin(city, data, CITY, spec).status == "succeeded"


def test_rerun_is_a_no_op_and_a_corrected_file_replaces(city, tmp_path):
    data, spec = _files(tmp_path)
    first = ingest_admin(city, data, CITY, spec, privacy=KEY)
    again = ingest_admin(city, data, CITY, spec, privacy=KEY)
    assert again.status == "unchanged" and again.id == first.id

    # Corrected service area for P-4 (and sex, so that P-4 shares the cell of P-1).
    fixed = [r[:5] + ("F", r[6], r[7], "housing") + r[9:] if r[0] == "P-4" else r
             for r in RECORDS]
    _files(tmp_path, fixed)
    replaced = ingest_admin(city, data, CITY, spec, privacy=KEY)
    assert replaced.status == "succeeded" and replaced.rows_rejected == 2
    cells = _cells(city)
    assert cells[("01", "2025-03", "service_users", "housing", "syrian", "female")] == 2
    assert cells[("01", "2025-03", "service_records", "housing", "syrian", "female")] == 3
    assert len(cells) == 8


def test_district_by_code_and_a_repeated_record_id(city, tmp_path):
    spec = tmp_path / "admin.yaml"
    spec.write_text(
        "feed: admin\nperson_id: {column: pid}\nrecord_id: {column: case}\n"
        "nationality: {column: nat, values: {national: national}}\n"
        "district: {column: district}\n"
        "service_area: {column: area, values: {سكن: housing}}\n"
        "date: {column: day, format: '%d/%m/%Y'}\n", encoding="utf-8")
    data = tmp_path / "records.csv"
    data.write_text("pid;case;nat;district;area;day\n"
                    "A;C1;national;01;سكن;03/03/2025\n"
                    "B;C1;national;01;سكن;04/03/2025\n"
                    "C;C2;national;09;سكن;05/03/2025\n", encoding="utf-8")
    run = ingest_admin(city, data, CITY, spec, privacy=KEY)
    rejected = city.rejected_rows(run.id)
    assert [(r.row_number, r.column) for r in rejected] == [(3, "case"), (4, "district")]
    assert rejected[0].reason == "the record id repeats the one of row 2"
    assert "C1" not in rejected[0].raw
    assert ("district '<masked: 2 chars, digits>' is not a known district code of testville"
            in rejected[1].reason)
    cells = _cells(city)
    assert cells == {("01", "2025-03", "service_records", "housing", "national"): 1,
                     ("01", "2025-03", "service_users", "housing", "national"): 1}


def test_the_groups_of_a_register_can_be_another_dimension(city, tmp_path):
    """A register of countries of birth stores its groups under ``birthplace``, so service
    demand per foreign-born resident can be built like per foreign citizen."""
    spec = tmp_path / "admin.yaml"
    spec.write_text(
        "feed: admin\nperson_id: {column: pid}\ngroup_dimension: birthplace\n"
        "nationality: {column: born, values: {here: native_born}, default: foreign_born}\n"
        "district: {column: district}\nservice_area: {column: area}\ndate: {column: day}\n",
        encoding="utf-8")
    data = tmp_path / "records.csv"
    data.write_text("pid,born,district,area,day\nA,SY,01,housing,2025-03-03\n"
                    "B,here,01,housing,2025-03-04\n", encoding="utf-8")
    assert ingest_admin(city, data, CITY, spec, privacy=KEY).status == "succeeded"
    dims = sorted(city.observations(CITY)["dims"].unique())
    assert dims == ['{"birthplace":"foreign_born","service_area":"all"}',
                    '{"birthplace":"foreign_born","service_area":"housing"}',
                    '{"birthplace":"native_born","service_area":"all"}',
                    '{"birthplace":"native_born","service_area":"housing"}']
