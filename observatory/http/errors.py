"""The one place the services' errors become HTTP answers: the status of each error class and
the same ``{"detail": message}`` body as an ``HTTPException``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from observatory.services.errors import InvalidRequest, NotFound, ServiceError

STATUS = {NotFound: 404, InvalidRequest: 422}


def status_of(error: ServiceError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


async def service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, service_error)
