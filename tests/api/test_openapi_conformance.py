"""The OpenAPI document matches what the API answers: schemathesis drives every operation of
the API on the seeded city (its examples, boundary values and random inputs, a fixed seed and a
time budget) and checks that no answer is a server error and every status, content type and
body is the documented one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from api_access import seed_census, seed_events
from api_seed import CITY, DISTRICTS
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from observatory.app import create_app
from observatory.settings import ApiSettings, FieldSettings, StoreSettings
from observatory.store import Store

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
# Path parameters mostly name what the seeded store holds, so that the routes do their work
# instead of answering 404; the rest of the time they are whatever schemathesis makes up.
KNOWN = {
    "city": [CITY.slug],
    "collection_id": [f"{CITY.slug}.districts", f"{CITY.slug}.indicator.foreign_citizens_share",
                      f"{CITY.slug}.events.fire"],
    "indicator": ["foreign_citizens_share"],
    "code": list(DISTRICTS),
}
KNOWN["layer"] = [*KNOWN["collection_id"], "fire"]  # tiles take a layer id, heat maps a layer
CONFIG = {
    "seed": 12,
    "cache": {"enabled": False},  # nothing written into the repository
    "max-time": 25,  # seconds per backend: a budget for CI; every operation is reached before
    "generation": {"max-examples": 5},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "dictionaries": {name: {"values": values} for name, values in KNOWN.items()},
    "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.9} for name in KNOWN},
}


class AppServedElsewhere:
    """The app, its lifespan left to the TestClient that runs it, so that the store closes
    when the test ends."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


@dataclass
class Summary:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: set[str] = field(default_factory=set)  # one per operation, check and kind

    def add(self, scenario: events.ScenarioFinished) -> None:
        if not scenario.label:
            return
        self.operations.add(scenario.label)
        self.cases += len(scenario.recorder.cases)
        for checks in scenario.recorder.checks.values():
            for check in checks:
                if check.status == Status.FAILURE and check.failure_info is not None:
                    failure = check.failure_info.failure
                    first_line = str(getattr(failure, "message", "")).partition("\n")[0]
                    self.failures.add(f"{scenario.label}: {failure.title}: {first_line}")


@pytest.fixture
def api_schema(seeded: Store, store_url: str, keys: dict[str, str], tmp_path) -> Iterator:
    """The API on the seeded city, called with an officer's key (which may also submit field
    reports); schemathesis also sends requests without it, and with keys of its own."""
    seed_events(seeded)
    seed_census(seeded, tmp_path)
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings(),
                     FieldSettings(max_photo_bytes=20_000))
    config = {**CONFIG, "auth": {"openapi": {"APIKeyHeader": {"api_key": keys["officer"]}}}}
    with TestClient(app):
        yield schemathesis.openapi.from_asgi("/openapi.json", AppServedElsewhere(app),
                                             config=SchemathesisConfig.from_dict(config))


def test_the_api_answers_as_its_openapi_says(api_schema):
    summary, stop = Summary(), None
    for event in from_schema(api_schema).execute():
        if isinstance(event, events.ScenarioFinished):
            summary.add(event)
        elif isinstance(event, events.EngineFinished):
            stop = f"{event.stop_reason} after {event.running_time:.0f} s"
        elif isinstance(event, events.FatalError | events.NonFatalError):
            pytest.fail(f"schemathesis could not run: {event}")
    print(f"schemathesis: {len(summary.operations)} operations, {summary.cases} cases, "
          f"{len(summary.failures)} failures ({stop})")
    assert len(summary.operations) >= 29
    assert not summary.failures, "\n".join(sorted(summary.failures))


def test_a_malformed_multipart_report_is_a_documented_400(duckdb_url, tmp_path):
    """Starlette refuses a multipart body it cannot parse (a CR where a header line should end)
    before any route code runs; the answer must be one the OpenAPI document lists."""
    app = create_app(StoreSettings(database_url=duckdb_url, data_dir=tmp_path), ApiSettings())
    with TestClient(app) as client:
        answer = client.post(
            f"/cities/{CITY}/field-reports",
            content=b'--XX\r\nContent-Disposition: form-data; name="lon\r\r\n\r\n1\r\n--XX--\r\n',
            headers={"content-type": "multipart/form-data; boundary=XX"},
        )
        documented = client.get("/openapi.json").json()[
            "paths"]["/cities/{city}/field-reports"]["post"]["responses"]
    assert answer.status_code == 400
    assert answer.json() == {"detail": "Invalid multipart data."}
    assert "400" in documented
