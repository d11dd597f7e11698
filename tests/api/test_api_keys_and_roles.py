"""API keys stored hashed, roles public < planner < officer < admin, every write authenticated,
ingest runs for officers only."""

from __future__ import annotations

import hashlib
import re

import pytest
from api_access import auth, seed_census
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.keys import create_api_key, hash_key
from observatory.store import Store

WRITE = {"post", "put", "patch", "delete"}


def test_a_key_is_shown_once_and_stored_only_as_its_hash(store: Store):
    key = create_api_key(store, "officer", "ingest desk")

    assert len(key) >= 40 and create_api_key(store, "officer", "again") != key
    assert store.api_key_role(hashlib.sha256(key.encode()).hexdigest()) == "officer"
    assert store.api_key_role(key) is None  # the plain key is not what is stored
    with pytest.raises(ValueError, match="unknown role"):
        create_api_key(store, "mayor", "no such role")


def test_every_write_route_refuses_a_caller_without_a_key(api: TestClient):
    paths = api.get("/openapi.json").json()["paths"]
    writes = [(method, path) for path, item in paths.items() for method in item if method in WRITE]
    assert ("post", "/cities/{city}/field-reports") in writes
    for method, path in writes:
        url = re.sub(r"\{city\}", CITY.slug, path)
        url = re.sub(r"\{[^}]+\}", "x", url)
        response = api.request(method.upper(), url)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_roles_rank_and_both_header_forms_are_accepted(api: TestClient, keys: dict):
    url = f"/cities/{CITY.slug}/field-reports/nope/publish"

    planner = api.post(url, headers=auth(keys["planner"]))
    assert planner.status_code == 403 and "'officer'" in planner.json()["detail"]
    # Officers and admins pass the role check and reach the route: no such report.
    assert api.post(url, headers=auth(keys["officer"])).status_code == 404
    bearer = {"Authorization": f"Bearer {keys['admin']}"}
    assert api.post(url, headers=bearer).status_code == 404


def test_an_unknown_key_is_refused_even_for_reading(api: TestClient):
    response = api.get("/collections", headers=auth("not-a-key"))

    assert response.status_code == 401
    assert "not known" in response.json()["detail"]


def test_ingest_runs_with_rejected_rows_are_for_officers(
    api: TestClient, keys: dict, seeded: Store, tmp_path
):
    (tmp_path / "census").mkdir()
    run = seed_census(seeded, tmp_path / "census")
    runs_url = f"/cities/{CITY.slug}/runs"

    assert api.get(runs_url).status_code == 401
    assert api.get(runs_url, headers=auth(keys["planner"])).status_code == 403
    listed = api.get(runs_url, headers=auth(keys["officer"])).json()
    assert {r["feed"] for r in listed} == {"boundaries", "census"}
    detail = api.get(f"/runs/{run.id}", headers=auth(keys["officer"])).json()
    assert detail["status"] == "succeeded" and detail["rows_loaded"] == 12
    assert detail["rejected_rows"] == []
    assert api.get("/runs/nope", headers=auth(keys["admin"])).status_code == 404
    assert hash_key(keys["officer"]) not in api.get(runs_url, headers=auth(keys["officer"])).text


def test_openapi_documents_the_new_resources(api: TestClient):
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/collections/{collection_id}/items",
        "/tiles/{layer}/{z}/{x}/{y}.mvt",
        "/cities/{city}/heatmaps/{layer}.tif",
        "/cities/{city}/hotspots",
        "/cities/{city}/field-reports",
        "/runs/{run_id}",
    ):
        assert path in paths
