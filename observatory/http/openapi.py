"""What the OpenAPI document says a route answers when it refuses: the statuses of
:mod:`observatory.http.errors` and of the security dependencies, each with its body.

Every refusal is ``{"detail": ...}``: a message (the services' errors, ``HTTPException``) or, for
a 422 from FastAPI's own validation, its list of problems. So the 422 body documents both."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Refusal(BaseModel):
    detail: str  # what is wrong and what to do instead


class ValidationProblem(BaseModel):
    """One problem FastAPI's validation found (it may carry more keys, e.g. input, ctx)."""

    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class InvalidRequestBody(BaseModel):
    detail: str | list[ValidationProblem]


WHY = {
    400: "A parameter is malformed; the message says what was expected",
    401: "No API key where one is needed, or a key that is not known",
    403: "The API key's role is too low for this",
    404: "Not in the store, or not visible to the caller",
    409: "The write conflicts with what the store holds",
    413: "The upload is larger than the limit",
    415: "The upload is not of a type this route takes",
    422: "A parameter is out of range, or cannot be combined or computed as asked",
    503: "The store is unavailable, locked or not initialised; the message says how to fix it",
}


# For routes that answer with a page: its refusals stay JSON, which a route declared with
# ``response_class=HTMLResponse`` would document as HTML.
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "An HTML page"}
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router that may refuse with these statuses."""
    return {
        status: {"model": InvalidRequestBody if status == 422 else Refusal,
                 "description": WHY[status]}
        for status in statuses
    }
