"""Routes whose request body is cut off at the upload limit: a declared ``Content-Length`` over
it is refused before a byte is read, a chunked body as soon as the bytes received pass it, so
that the multipart parser never spools more than the limit."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

# Room besides the file for the spec (a textarea's YAML) and the multipart framing.
FORM_ROOM = 1024 * 1024


class UploadLimitedRoute(APIRoute):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        max_bytes = scope["app"].state.upload_settings.max_bytes
        limit = max_bytes + FORM_ROOM
        refusal = HTTPException(
            413,
            f"The upload is larger than the limit of {max_bytes / 1e6:.1f} MB "
            f"(OBSERVATORY_UPLOAD_MAX_BYTES={max_bytes}) and the form's fields; split the "
            "file, or ingest it with `observatory ingest` on the server.",
        )
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit:
                raise refusal
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise refusal
            return message

        await super().handle(scope, limited, send)
