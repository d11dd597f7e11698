"""Field reports: submitted with a photo by a planner key, reviewed by an officer, on the map
layer once published; photos checked by content and size, stored and served by hash."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from api_access import MAX_PHOTO_BYTES, auth
from api_seed import CITY
from fastapi.testclient import TestClient
from PIL import Image

from maps.heat import render_png
from observatory.store import Store

URL = f"/cities/{CITY.slug}/field-reports"
FIELD_ITEMS = f"/collections/{CITY.slug}.events.field/items"
def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


PNG = render_png(np.arange(16.0).reshape(4, 4))  # a real PNG
JPEG = _jpeg()  # a real JPEG: photos are decoded
FORM = {"lon": "34.985", "lat": "32.185", "category": "waste", "note": "حاوية ممتلئة قرب المدرسة"}


def _pixels(data: bytes) -> list:
    with Image.open(io.BytesIO(data)) as image:
        return list(image.convert("RGBA").getdata())


def _submit(api: TestClient, key: str, photo=("bin.png", PNG, "image/png"), **fields):
    files = {"photo": photo} if photo else None
    return api.post(URL, data={**FORM, **fields}, files=files, headers=auth(key))


def test_a_report_goes_from_submitted_to_published_onto_the_map(
    api: TestClient, keys: dict, seeded: Store, tmp_path
):
    sent = _submit(api, keys["planner"])
    assert sent.status_code == 201, sent.text
    report = sent.json()
    assert report["status"] == "submitted"
    # What is stored is the photo re-encoded (no metadata), named by that file's hash.
    stored = tmp_path / "photos" / f"{report['photo']}.png"
    kept = stored.read_bytes()
    assert report["photo"] == hashlib.sha256(kept).hexdigest()
    assert _pixels(kept) == _pixels(PNG)
    (attachment,) = seeded.attachments(report["id"])
    assert (attachment.sha256, attachment.media_type, attachment.size_bytes) == (
        report["photo"],
        "image/png",
        len(kept),
    )

    # Awaiting review: invisible to the public, listed for officers, photo for officers only.
    assert api.get(URL).json()["features"] == []
    assert api.get(FIELD_ITEMS).status_code == 404
    assert api.get(URL, params={"status": "submitted"}).status_code == 403
    assert api.get(f"/photos/{report['photo']}").status_code == 404
    review = api.get(URL, params={"status": "submitted"}, headers=auth(keys["officer"])).json()
    (pending,) = review["features"]
    assert pending["properties"]["note"] == FORM["note"]
    assert api.get(f"/photos/{report['photo']}", headers=auth(keys["officer"])).content == kept

    published = api.post(f"{URL}/{report['id']}/publish", headers=auth(keys["officer"]))
    assert published.json() == {"id": report["id"], "status": "published"}
    (feature,) = api.get(FIELD_ITEMS).json()["features"]
    assert feature["id"] == report["id"]
    assert feature["geometry"]["coordinates"] == [34.985, 32.185]
    assert feature["properties"]["attributes"]["category"] == "waste"
    public = api.get(URL).json()["features"][0]["properties"]
    photo = api.get(public["photo_url"])
    assert photo.status_code == 200 and photo.content == kept
    assert photo.headers["content-type"] == "image/png"


def test_officers_reject_and_rejected_reports_stay_off_the_map(api: TestClient, keys: dict):
    report = _submit(api, keys["planner"], photo=None).json()
    assert report["photo"] is None

    planner = api.post(f"{URL}/{report['id']}/reject", headers=auth(keys["planner"]))
    assert planner.status_code == 403
    rejected = api.post(f"{URL}/{report['id']}/reject", headers=auth(keys["admin"]))
    assert rejected.json()["status"] == "rejected"
    assert api.get(URL).json()["features"] == []
    officer = api.get(URL, params={"status": "rejected"}, headers=auth(keys["officer"])).json()
    assert [f["id"] for f in officer["features"]] == [report["id"]]
    assert api.post(f"{URL}/nope/publish", headers=auth(keys["officer"])).status_code == 404


def test_submitting_needs_a_planner_key(api: TestClient, keys: dict):
    assert api.post(URL, data=FORM).status_code == 401
    assert _submit(api, keys["public"]).status_code == 403
    assert _submit(api, keys["planner"], photo=("x.jpg", JPEG, "image/jpeg")).status_code == 201


@pytest.mark.parametrize(
    "name, content",
    [
        ("holiday.jpg", b"GIF89a" + bytes(64)),  # a GIF renamed .jpg: the content decides
        ("notes.png", "ليست صورة".encode()),
    ],
)
def test_photos_that_are_not_jpeg_png_or_webp_are_415(
    api: TestClient, keys: dict, tmp_path, name, content
):
    refused = _submit(api, keys["planner"], photo=(name, content, "image/jpeg"))

    assert refused.status_code == 415
    assert "image/jpeg, image/png, image/webp" in refused.json()["detail"]
    assert api.get(URL, headers=auth(keys["officer"])).json()["features"] == []
    assert not (tmp_path / "photos").exists()


def test_a_photo_over_the_size_limit_is_413(api: TestClient, keys: dict):
    big = PNG + bytes(MAX_PHOTO_BYTES)
    refused = _submit(api, keys["planner"], photo=("big.png", big, "image/png"))

    assert refused.status_code == 413 and "MB" in refused.json()["detail"]


def test_a_location_outside_the_city_or_earth_is_422(api: TestClient, keys: dict):
    swapped = _submit(api, keys["planner"], lon="32.185", lat="34.985")
    assert swapped.status_code == 422 and "swapped" in swapped.json()["detail"]
    assert _submit(api, keys["planner"], lon="200").status_code == 422


def test_the_form_page_is_bilingual_and_posts_to_the_api(api: TestClient):
    page = api.get(f"{URL}/form")

    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "قلقيلية" in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'action="http://testserver{URL}"' in page.text


def test_photos_are_served_only_by_a_well_formed_hash(api: TestClient):
    assert api.get("/photos/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert api.get(f"/photos/{'0' * 64}").status_code == 404
