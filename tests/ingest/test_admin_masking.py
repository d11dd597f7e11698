"""A name typed into the wrong column of an administrative file is masked in the rejected rows:
it is nowhere in the store (its tables' text nor the DuckDB file's bytes), nor in what
`observatory runs show` prints, nor in the API's `/runs/{id}`. Both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from store_scan import file_bytes, text_values
from typer.testing import CliRunner

from ingest.jobs import ingest_admin, ingest_boundaries
from observatory.app import create_app
from observatory.cli import app as cli_app
from observatory.keys import create_api_key
from observatory.settings import ApiSettings, PrivacySettings, StoreSettings

CITY = "testville"
KEY = PrivacySettings(hash_key=SecretStr("k" * 40))
NAME = "Layla Haddad"  # a fake person, typed where a label belongs
SPEC = """\
feed: admin
person_id: {column: person_id}
names: [full_name]
nationality: {column: nationality, values: {SY: syrian, IQ: iraqi}}
sex: {column: sex, values: {F: female, M: male}}
birth_year: {column: birth_year}
district: {column: district, match: name_en}
service_area: {column: service_area, values: {Wohnen: housing}}
date: {column: date}
"""
HEADER = "person_id,full_name,nationality,sex,birth_year,district,service_area,date\n"
ROWS = [
    f"P-1,{NAME},SY,F,1988,Al-Zaytoun,{NAME},2025-03-04",  # the name in service_area
    f"P-2,{NAME},{NAME},F,1988,Al-Zaytoun,housing,2025-03-04",  # in nationality
    f"P-3,{NAME},SY,{NAME},1988,Al-Zaytoun,housing,2025-03-04",  # in sex
    f"P-4,{NAME},SY,F,{NAME},Al-Zaytoun,housing,2025-03-04",  # in birth_year
    f"P-5,{NAME},SY,F,1988,{NAME},Wohnen,2025-03-04",  # in district
    f"P-6,{NAME},SY,F,1988,Al-Nakheel,health,{NAME}",  # in date
    f'P-7,{NAME},IQ,M,1975,Al-Nakheel,"Haddad; date=x",2025-03-05',  # one that mimics a cell
    "P-8,Omar Youssef,IQ,M,1975,Al-Nakheel,work,2025-03-05",  # kept
]
NEEDLES = ("Layla", "Haddad")


@pytest.fixture
def loaded(store, store_url, boundaries: Path, tmp_path: Path):
    ingest_boundaries(store, boundaries, CITY)
    spec = tmp_path / "admin.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    data = tmp_path / "records.csv"
    data.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    run = ingest_admin(store, data, CITY, spec, privacy=KEY)
    assert (run.status, run.rows_loaded > 0, run.rows_rejected) == ("succeeded", True, 7)
    return store, store_url, run


def test_rejected_rows_show_labels_and_masks_only(loaded):
    store, _, run = loaded
    rows = {r.row_number: r for r in store.rejected_rows(run.id)}
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 8]
    name = "<masked: 12 chars, letters+space>"
    assert rows[2].column == "service_area"
    assert rows[2].reason.startswith(f"'{name}' is not a service area: map it under ")
    assert rows[2].raw == (f"person_id=; full_name=; nationality=SY; sex=F; "
                           f"birth_year=<masked: 4 chars, digits>; district=Al-Zaytoun; "
                           f"service_area={name}; date=<masked: 10 chars, digits+punctuation>")
    assert rows[3].reason.startswith(f"'{name}' is not in the spec's nationality.values")
    assert f"sex={name}" in rows[4].raw and rows[4].reason.startswith(f"'{name}'")
    assert rows[5].reason.startswith(f"'{name}' is not a birth year")
    assert rows[6].reason == f"district '{name}' is not a known district name_en of testville"
    assert "service_area=Wohnen" in rows[6].raw  # a source label the spec maps stays readable
    assert rows[7].reason.startswith(f"'{name}' is not a date")
    # A value that mimics "; column=value" is cut in two there, each piece masked.
    assert rows[8].reason.startswith(
        "'<masked: 14 chars, letters+space+punctuation+symbols>' is not a service area")
    assert "service_area=<masked: 6 chars, letters>; date=<masked: 1 chars, letters>" in (
        rows[8].raw)


def test_the_name_is_nowhere_in_the_store_the_cli_or_the_api(loaded):
    store, store_url, run = loaded
    values = text_values(store)
    assert any("<masked: 12 chars, letters+space>" in v for v in values)  # the scan sees them
    assert [v for v in values for needle in NEEDLES if needle in v] == []
    raw = file_bytes(store)
    assert store.backend != "duckdb" or b"is not a service area" in raw  # the bytes hold text
    assert not any(needle.encode() in raw for needle in NEEDLES)

    shown = CliRunner().invoke(cli_app, ["--database-url", store_url, "runs", "show", run.id,
                                         "--limit", "0"], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert "<masked: 12 chars, letters+space>" in shown.output
    assert not any(needle in shown.output for needle in NEEDLES)

    key = create_api_key(store, "officer", "masking test")
    api = create_app(StoreSettings(database_url=store_url), ApiSettings())
    with TestClient(api) as client:
        answer = client.get(f"/runs/{run.id}", headers={"X-API-Key": key})
    assert answer.status_code == 200
    assert len(answer.json()["rejected_rows"]) == 7
    assert not any(needle in answer.text for needle in NEEDLES)
