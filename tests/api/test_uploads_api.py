"""``POST /cities/{city}/uploads``: an officer's census CSV with its spec is kept and ingested in
the background, its progress and run follow, and the run's rejected rows download as CSV; a
file of the wrong type or over the size limit is refused before anything is kept."""

from __future__ import annotations

import csv
import io

import pytest
from api_access import CENSUS_SPEC, auth, finished_upload, write_census
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings, UploadSettings

pytestmark = pytest.mark.parametrize("store_url", ["duckdb"], indirect=True)
URL = f"/cities/{CITY.slug}/uploads"
LIMIT = 4_000


@pytest.fixture
def uploading(seeded, store_url, tmp_path):
    settings = UploadSettings(max_bytes=LIMIT, upload_dir=tmp_path / "uploads")
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings(),
                     upload_settings=settings)
    with TestClient(app) as client:
        yield client



def test_an_officer_uploads_a_census_and_gets_its_rejected_rows(uploading, keys, tmp_path):
    table, _ = write_census(tmp_path)
    # A fifth row names a district the city does not have: rejected, the others load.
    table.write_text(table.read_text(encoding="utf-8") + "999,2026,1,2,3\n", encoding="utf-8")
    officer = auth(keys["officer"])
    answer = uploading.post(URL, headers=officer, data={"feed": "census", "spec": CENSUS_SPEC},
                            files={"file": ("census_2026.csv", table.read_bytes(), "text/csv")})
    assert answer.status_code == 202, answer.text
    assert answer.json()["state"] in ("waiting", "running", "finished")
    status = finished_upload(uploading, f"{URL}/{answer.json()['id']}", officer)
    assert (status["state"], status["run_status"]) == ("finished", "succeeded"), status
    assert (status["rows_loaded"], status["rows_rejected"]) == (12, 1)
    assert (tmp_path / "uploads" / status["id"] / "census_2026.csv").is_file()
    report = uploading.get(f"/runs/{status['run_id']}/rejected.csv", headers=officer)
    assert report.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [(r["row"], r["column"]) for r in rows] == [("7", "DISTRICT_CODE")], rows
    assert "999" in rows[0]["raw"]


def test_uploads_are_for_officers_with_limits(uploading, keys, tmp_path):
    small = {"file": ("census.csv", b"a,b\n1,2\n", "text/csv")}
    assert uploading.post(URL, data={"feed": "census"}, files=small).status_code == 401
    planner = uploading.post(URL, headers=auth(keys["planner"]), data={"feed": "census"},
                             files=small)
    assert planner.status_code == 403
    officer = auth(keys["officer"])
    wrong = uploading.post(URL, headers=officer, data={"feed": "census"},
                           files={"file": ("tool.exe", b"MZ\x90\x00", "application/x-msdos")})
    assert wrong.status_code == 415
    assert "'tool.exe' is not a file type uploads take" in wrong.json()["detail"]
    disguised = uploading.post(URL, headers=officer, data={"feed": "boundaries"},
                               files={"file": ("areas.gpkg", b"code,name\n1,x\n", "text/csv")})
    assert disguised.status_code == 415
    assert "named as a GeoPackage but its content is not one" in disguised.json()["detail"]
    big = uploading.post(URL, headers=officer, data={"feed": "census"},
                         files={"file": ("big.csv", b"x" * (LIMIT + 1), "text/csv")})
    assert big.status_code == 413
    assert "larger than the upload limit of 0.0 MB" in big.json()["detail"]
    huge = uploading.post(URL, headers=officer, data={"feed": "census"},
                          files={"file": ("huge.csv", b"x" * (LIMIT + 2 * 1024 * 1024),
                                          "text/csv")})
    assert huge.status_code == 413
    assert "OBSERVATORY_UPLOAD_MAX_BYTES=4000" in huge.json()["detail"]
    bad_spec = uploading.post(URL, headers=officer, data={"feed": "census", "spec": "a: [1"},
                              files=small)
    assert bad_spec.status_code == 422
    assert "The spec is not valid YAML at line" in bad_spec.json()["detail"]
    assert not any((tmp_path / "uploads").glob("*/*")), "a refused file was kept"


def test_the_upload_pages_take_a_file_then_its_spec_and_show_the_run(uploading, keys,
                                                                     tmp_path):
    """The officer's pages in both languages: the form, the review with the spec editor, the
    ingest's progress and its run report with the rejected rows as CSV."""
    assert uploading.get(f"/en/cities/{CITY.slug}/upload").status_code == 401
    uploading.post("/en/sign-in", data={"key": keys["officer"], "next_url": "/en/cities"})
    arabic = uploading.get(f"/ar/cities/{CITY.slug}/upload")
    assert arabic.status_code == 200
    assert '<html lang="ar" dir="rtl">' in arabic.text and "رفع ملف" in arabic.text
    assert 'name="file"' in arabic.text and "CSV" in arabic.text
    table, _ = write_census(tmp_path)
    table.write_text(table.read_text(encoding="utf-8") + "999,2026,1,2,3\n", encoding="utf-8")
    sent = uploading.post("/en/uploads", data={"city": CITY.slug, "feed": "census"},
                          files={"file": ("census_2026.csv", table.read_bytes(), "text/csv")},
                          follow_redirects=False)
    assert sent.status_code == 303, sent.text
    review_url = sent.headers["location"]
    review = uploading.get(review_url)
    assert 'id="spec-editor"' in review.text and 'value="ingest"' in review.text
    wrong = uploading.post("/en/uploads", data={"city": CITY.slug, "feed": "census"},
                           files={"file": ("notes.docx", b"PK\x03\x04", "application/zip")})
    assert wrong.status_code == 422 and 'id="upload-error"' in wrong.text
    started = uploading.post(review_url, data={"spec": CENSUS_SPEC, "action": "ingest"},
                             follow_redirects=False)
    assert started.status_code == 303
    upload_id = review_url.rsplit("/", 1)[1]
    assert finished_upload(uploading, f"{review_url}/status.json", {})["state"] == "finished"
    done = uploading.get(review_url)
    assert 'id="run-report"' in done.text
    status = uploading.get(f"{URL}/{upload_id}", headers=auth(keys["officer"])).json()
    run_page = uploading.get(f"/en/cities/{CITY.slug}/runs/{status['run_id']}")
    assert 'id="rejected-csv"' in run_page.text and "999" in run_page.text
    report = uploading.get(f"/en/cities/{CITY.slug}/runs/{status['run_id']}/rejected.csv")
    assert report.headers["content-type"] == "text/csv; charset=utf-8"
    assert "DISTRICT_CODE" in report.content.decode("utf-8-sig")


def test_a_raster_upload_takes_its_band_nodata_and_unit_from_the_editor(uploading, keys, seeded,
                                                                        tmp_path):
    """The raster feed takes options, not a spec: the YAML the editor holds (as inferred,
    corrected) sets them; a key the feed does not take is refused before anything runs."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    people = np.full((10, 40), 2.0, dtype="float32")
    people[0, 0] = -1.0  # the declared nodata, in district 101
    raster = tmp_path / "residents.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=40, height=10, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=-1.0,
                       transform=from_origin(34.97, 32.19, 0.001, 0.001)) as out:
        out.write(people, 1)
    officer = auth(keys["officer"])
    refused = uploading.post(URL, headers=officer, data={"feed": "raster",
                                                         "spec": "feed: raster\nlayer: 2\n"},
                             files={"file": ("residents.tif", raster.read_bytes(),
                                             "image/tiff")})
    assert refused.status_code == 422, refused.text
    assert "takes the options band, nodata, period, unit, variable, not layer" in \
        refused.json()["detail"]
    options = ("feed: raster\nvariable: residents\nperiod: '2025'\nband: 1\nnodata: -1.0\n"
               "unit: residents\n")
    answer = uploading.post(URL, headers=officer, data={"feed": "raster", "spec": options},
                            files={"file": ("residents.tif", raster.read_bytes(), "image/tiff")})
    assert answer.status_code == 202, answer.text
    status = finished_upload(uploading, f"{URL}/{answer.json()['id']}", officer)
    assert status["run_status"] == "succeeded", status
    found = seeded.observations(CITY.slug).set_index(["district_code", "variable"])
    assert set(found.loc[(slice(None), "residents"), "unit"]) == {"residents"}
    assert found.loc[("101", "residents"), "value"] == pytest.approx(2.0 * 99, rel=1e-6)
    assert found.loc[("102", "residents"), "value"] == pytest.approx(2.0 * 100, rel=1e-6)
