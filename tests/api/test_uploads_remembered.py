"""Uploads are remembered in the store: after the app restarts (a new app on the same store),
an upload's record (file name, size, sha256, who, spec, state, run) is still served, on both
stores; a personal-data feed's file is deleted once its ingest ends."""

from __future__ import annotations

import hashlib
import time

import pytest
from api_access import CENSUS_SPEC, auth, finished_upload, write_census
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.keys import hash_key
from observatory.settings import ApiSettings, StoreSettings, UploadSettings

pytestmark = pytest.mark.parametrize("store_url", ["duckdb", "postgis"], indirect=True)
URL = f"/cities/{CITY.slug}/uploads"


def _app(store_url, tmp_path):
    return create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings(),
                      upload_settings=UploadSettings(upload_dir=tmp_path / "uploads"))



def test_an_upload_and_its_run_survive_a_restart(seeded, keys, store_url, tmp_path):
    table, _ = write_census(tmp_path)
    body = table.read_bytes()
    officer = auth(keys["officer"])
    with TestClient(_app(store_url, tmp_path)) as client:
        answer = client.post(URL, headers=officer, data={"feed": "census", "spec": CENSUS_SPEC},
                             files={"file": ("census_2026.csv", body, "text/csv")})
        assert answer.status_code == 202, answer.text
        before = finished_upload(client, f"{URL}/{answer.json()['id']}", officer)
        assert (before["state"], before["run_status"]) == ("finished", "succeeded"), before
    with TestClient(_app(store_url, tmp_path)) as client:  # the restarted server
        after = client.get(f"{URL}/{before['id']}", headers=officer)
    assert after.status_code == 200, after.text
    found = after.json()
    kept = {key: found[key] for key in ("id", "filename", "size_bytes", "sha256", "uploaded_by",
                                        "run_id", "rows_loaded", "rows_rejected", "file_kept")}
    assert kept == {"id": before["id"], "filename": "census_2026.csv", "size_bytes": len(body),
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "uploaded_by": f"key:{hash_key(keys['officer'])[:16]}",
                    "run_id": before["run_id"], "rows_loaded": 12, "rows_rejected": 0,
                    "file_kept": True}
    assert (found["state"], found["run_status"], found["done"]) == ("finished", "succeeded", 0)
    record = seeded.upload(before["id"])
    assert record is not None and record.spec == CENSUS_SPEC and record.status == "finished"
    assert [u.id for u in seeded.uploads(CITY.slug)] == [before["id"]]


def test_a_file_not_yet_ingested_is_still_listed_after_a_restart(seeded, keys, store_url,
                                                                  tmp_path):
    """The page's first step keeps the file without ingesting it: the record says so."""
    from observatory.services.uploads import Uploads

    with TestClient(_app(store_url, tmp_path)) as client:
        uploads: Uploads = client.app.state.uploads  # type: ignore[attr-defined]
        table, _ = write_census(tmp_path)
        with table.open("rb") as source:
            kept = uploads.receive(CITY.slug, "census", "census.csv", source, "key:abc")
    with TestClient(_app(store_url, tmp_path)) as client:
        status = client.get(f"{URL}/{kept.id}", headers=auth(keys["officer"])).json()
    assert (status["state"], status["uploaded_by"], status["run_id"]) == ("uploaded", "key:abc",
                                                                         None)
    assert kept.path.is_file()


def test_a_personal_data_file_is_deleted_once_its_ingest_ends(seeded, keys, store_url,
                                                              tmp_path):
    """Administrative records without a spec: the ingest fails, and the file goes all the
    same (whatever the outcome, only what the ingest made of it may stay)."""
    officer = auth(keys["officer"])
    body = b"case_id,name,district\n1,Amal Haddad,101\n"
    with TestClient(_app(store_url, tmp_path)) as client:
        answer = client.post(URL, headers=officer, data={"feed": "admin"},
                             files={"file": ("records.csv", body, "text/csv")})
        assert answer.status_code == 202, answer.text
        status = finished_upload(client, f"{URL}/{answer.json()['id']}", officer)
        # The record is written just after the job's end: wait for it.
        deadline = time.monotonic() + 20
        while seeded.upload(status["id"]).file_kept and time.monotonic() < deadline:
            time.sleep(0.05)
    record = seeded.upload(status["id"])
    assert (record.status, record.file_kept, record.path.exists()) == ("failed", False, False)
    assert record.sha256 == hashlib.sha256(body).hexdigest()
    assert "Amal" not in record.message


def test_an_ingest_cut_by_a_restart_shows_as_interrupted(seeded, keys, store_url, tmp_path):
    """A record left ``submitted`` by a server that stopped mid-ingest: the new server runs
    no such job, and says so rather than showing it waiting for ever."""
    from observatory.models import Upload, utcnow

    path = tmp_path / "uploads" / "cut" / "census.csv"
    seeded.save_upload(Upload("cut", CITY.slug, "census", "census.csv", "csv", 10, path,
                              "0" * 64, "key:abc", utcnow(), status="submitted",
                              job_id="a-job-of-the-old-server", spec=CENSUS_SPEC))
    with TestClient(_app(store_url, tmp_path)) as client:
        status = client.get(f"{URL}/cut", headers=auth(keys["officer"])).json()
        other_city = client.get("/cities/elsewhere/uploads/cut", headers=auth(keys["officer"]))
    assert (status["state"], status["run_id"]) == ("interrupted", None)
    assert "restarted during the ingest" in status["message"]
    assert other_city.status_code == 404
