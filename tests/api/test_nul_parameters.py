"""A NUL byte in any parameter of any operation is refused with 422 naming the parameter, on
both stores alike: PostgreSQL cannot be asked about such text, and nothing stored holds it."""

from __future__ import annotations

from api_access import seed_census, seed_events
from api_seed import CITY, DISTRICTS
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings

# Path parameters that name what the seeded store holds, so that only the NUL is wrong.
FILLED = {"city": CITY.slug, "indicator": "foreign_citizens_share", "code": next(iter(DISTRICTS)),
          "collection_id": f"{CITY.slug}.districts", "layer": "fire", "z": "0", "x": "0",
          "y": "0"}


def _url(path: str, names: list[str], nul_in: str | None = None) -> str:
    for name in names:
        path = path.replace("{" + name + "}", "a%00b" if name == nul_in else FILLED.get(name, "x"))
    return path


def test_a_nul_byte_in_any_parameter_is_refused_with_its_name(seeded, store_url, keys,
                                                               tmp_path):
    seed_events(seeded)
    seed_census(seeded, tmp_path)
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings())
    answers = {}
    with TestClient(app, raise_server_exceptions=False) as client:
        for path, operations in client.get("/openapi.json").json()["paths"].items():
            if "get" not in operations:
                continue
            params = operations["get"].get("parameters", [])
            in_path = [p["name"] for p in params if p["in"] == "path"]
            required = {p["name"]: "foreign_citizens_share" for p in params
                        if p["in"] == "query" and p.get("required")}
            for p in params:
                if p["in"] == "query":
                    url, query = _url(path, in_path), {**required, p["name"]: "a\x00b"}
                elif p["in"] == "path":
                    url, query = _url(path, in_path, p["name"]), required
                else:
                    continue
                answer = client.get(url, params=query, headers={"X-API-Key": keys["officer"]})
                answers[(path, p["in"], p["name"])] = (answer.status_code, answer.text)
    assert len(answers) > 60
    wrong = {key: found for key, found in answers.items() if found[0] != 422
             or f"{key[1]} parameter {key[2]!r} holds a NUL byte" not in found[1]}
    assert not wrong, wrong


def test_pages_refuse_a_nul_byte_too(seeded, store_url, tmp_path):
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings())
    asked = {"/en/cities/a%00b": ("path", "city"),
             f"/ar/cities/{CITY.slug}/districts/a%00b": ("path", "code"),
             f"/en/cities/{CITY.slug}/segregation?group=a%00b": ("query", "group"),
             "/en/compare?peer_group=a%00b": ("query", "peer_group")}
    with TestClient(app, raise_server_exceptions=False) as client:
        for url, (where, name) in asked.items():
            answer = client.get(url)
            assert answer.status_code == 422, (url, answer.status_code, answer.text[:300])
            assert f"{where} parameter {name!r} holds a NUL byte" in answer.text, url


def test_a_field_report_with_a_nul_byte_is_refused_and_nothing_stored(api, keys, seeded):
    every = ("submitted", "published", "rejected")
    before = len(seeded.events(CITY.slug, statuses=every))
    for field in ("category", "note"):
        answer = api.post(f"/cities/{CITY.slug}/field-reports",
                          data={"lon": "34.985", "lat": "32.185", "category": "waste",
                                "note": "", field: "a\x00b"},
                          headers={"X-API-Key": keys["officer"]})
        assert answer.status_code == 422, answer.text
        assert f"form field {field!r} holds a NUL byte" in answer.json()["detail"]
    assert len(seeded.events(CITY.slug, statuses=every)) == before
