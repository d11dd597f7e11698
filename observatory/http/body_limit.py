"""Routes whose request body is cut off at a limit: a declared ``Content-Length`` over it is
refused before a byte is read, a chunked body as soon as the bytes received pass it, so that the
multipart parser never spools more than the limit (without this it would take in the whole body,
spooling it to disk, before the route could look at the file's size)."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send


class BodyLimitedRoute(APIRoute):
    """The shared cut-off; a subclass names its file limit, the room for the form's other
    fields and the multipart framing, and the refusal's message."""

    form_room: int = 0

    def file_limit(self, scope: Scope) -> int:
        raise NotImplementedError

    def refusal(self, file_limit: int) -> HTTPException:
        raise NotImplementedError

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        file_limit = self.file_limit(scope)
        limit = file_limit + self.form_room
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit:
                raise self.refusal(file_limit)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise self.refusal(file_limit)
            return message

        await super().handle(scope, limited, send)


class UploadLimitedRoute(BodyLimitedRoute):
    # Room besides the file for the spec (a textarea's YAML) and the multipart framing.
    form_room = 1024 * 1024

    def file_limit(self, scope: Scope) -> int:
        return int(scope["app"].state.upload_settings.max_bytes)

    def refusal(self, file_limit: int) -> HTTPException:
        return HTTPException(
            413,
            f"The upload is larger than the limit of {file_limit / 1e6:.1f} MB "
            f"(OBSERVATORY_UPLOAD_MAX_BYTES={file_limit}) and the form's fields; split the "
            "file, or ingest it with `observatory ingest` on the server.",
        )
