"""The store's own errors reach an HTTP client as answers that say what is wrong, never as 500s
with a driver's traceback: one set of handlers for every route."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from observatory.http.errors import add_error_handlers
from observatory.services.errors import InvalidRequest, NotFound
from observatory.store import (
    ConflictError,
    ConstraintError,
    SchemaMissingError,
    StoreError,
    UnavailableError,
)


@pytest.mark.parametrize(("error", "status"), [
    (NotFound("no such district 'X'"), 404),
    (InvalidRequest("period must be a year"), 422),
    (ConflictError("the key is taken"), 409),
    (UnavailableError("PostGIS at … is not reachable. Start it"), 503),
    (SchemaMissingError("Fix: run `observatory init` on this store"), 503),
    (ConstraintError("value refused"), 500),
    (StoreError("something else"), 500),
])
def test_each_error_class_has_its_status_and_keeps_its_message(error, status):
    app = FastAPI()
    add_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    answer = TestClient(app).get("/boom")
    assert answer.status_code == status
    assert answer.json() == {"detail": str(error)}
