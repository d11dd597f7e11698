"""The one place the services' and the store's errors become HTTP answers: the status of each
error class and the same ``{"detail": message}`` body as an ``HTTPException``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from observatory.services.errors import (
    InvalidRequest,
    NotFound,
    ServiceError,
    TooLarge,
    UnsupportedType,
)
from observatory.store import ConflictError, SchemaMissingError, StoreError, UnavailableError

# Looked up along the error's class hierarchy, most specific first.
STATUS: dict[type[Exception], int] = {
    NotFound: 404,
    InvalidRequest: 422,
    TooLarge: 413,
    UnsupportedType: 415,
    ConflictError: 409,
    # The store is down, locked or not initialised: the request may succeed later, as the
    # message says how.
    UnavailableError: 503,
    SchemaMissingError: 503,
}


def status_of(error: Exception) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500 if isinstance(error, StoreError) else 400


async def known_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, known_error)
    app.add_exception_handler(StoreError, known_error)
