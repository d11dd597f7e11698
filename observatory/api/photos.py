"""Field-report photos: type known by magic bytes (never the file name), a size limit, the
pixel dimensions checked before decoding, then decoded and re-encoded so that nothing but the
picture is kept (no EXIF, GPS position included, no XMP, ICC profile, comments or trailing
bytes: a JPEG/HTML polyglot comes out a plain JPEG), and stored under
``<photo dir>/<sha256 of the re-encoded file>.<ext>`` so the same photo is kept once."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile
from PIL import Image, ImageOps
from starlette.types import Scope

from observatory.http.body_limit import BodyLimitedRoute

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Re-encoding quality for the lossy formats: visually the same photo, a fresh file.
LOSSY_QUALITY = 90
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024
# Room in a report's body for the fields besides the photo (a 4,000-character note is at most
# 16 KB) and the multipart framing.
FORM_ROOM = 64 * 1024


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    media_type: str
    size_bytes: int
    path: Path


class PhotoLimitedRoute(BodyLimitedRoute):
    """A field report's body: a photo of at most the photo limit and the report's fields."""

    form_room = FORM_ROOM

    def file_limit(self, scope: Scope) -> int:
        return int(scope["app"].state.field_settings.max_photo_bytes)

    def refusal(self, file_limit: int) -> HTTPException:
        return HTTPException(
            413,
            f"The report is larger than {(file_limit + FORM_ROOM) / 1e6:.1f} MB, a photo of at "
            f"most {file_limit / 1e6:.1f} MB and the form's fields; send a smaller or more "
            "compressed image.",
        )


def sniff_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


async def read_photo(
    upload: UploadFile, *, max_bytes: int, allowed: list[str]
) -> tuple[bytes, str]:
    """The upload's bytes and type; 413 past ``max_bytes``, 415 for anything but ``allowed``."""
    data = bytearray()
    while chunk := await upload.read(_CHUNK):
        data += chunk
        if len(data) > max_bytes:
            raise HTTPException(
                413,
                f"The photo {upload.filename!r} is larger than "
                f"{max_bytes / 1e6:.1f} MB; send a smaller or more "
                "compressed image.",
            )
    media_type = sniff_type(bytes(data[:12]))
    if media_type not in allowed:
        found = media_type or "not an image this service recognises"
        raise HTTPException(
            415,
            f"The photo {upload.filename!r} is {found}; send one of "
            f"{', '.join(allowed)} (recognised by content, not name).",
        )
    return bytes(data), media_type


def clean_photo(data: bytes, media_type: str, *, max_pixels: int, filename: str | None) -> bytes:
    """The photo decoded and re-encoded in its own format, upright, with no metadata.

    Pillow reads only the header on ``open``: the declared size is refused before any pixel is
    decoded. Pillow's own process-wide bomb limit (``Image.MAX_IMAGE_PIXELS``) is left as it
    is, since other threads share it; past twice that limit ``open`` refuses by itself, and
    that refusal gets the same answer.
    """
    fmt = PILLOW_FORMATS[media_type]
    too_many = (f"The photo {filename!r} declares more than {max_pixels / 1e6:.0f} megapixels; "
                "send a smaller image (a phone's photo is 12-50 megapixels, scale it down).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below
            source = Image.open(io.BytesIO(data), formats=[fmt])
        with source:
            width, height = source.size
            if width * height > max_pixels:
                raise HTTPException(422, too_many)
            source.load()  # decoding proves it is an image of that type, not just its header
            upright = ImageOps.exif_transpose(source)
            return _encoded(upright, fmt, source.info)
    except Image.DecompressionBombError as exc:
        raise HTTPException(422, too_many) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise HTTPException(
            422,
            f"The photo {filename!r} starts like {media_type} but cannot be decoded as one "
            f"({exc}); send the original file from the camera or phone.",
        ) from exc


def _encoded(image: Image.Image, fmt: str, info: dict) -> bytes:
    """``image`` written afresh: only the pixels (and a palette's transparency) go along."""
    out = io.BytesIO()
    keep = {"transparency": info["transparency"]} if "transparency" in info else {}
    image.info = {}  # savers fall back on it for EXIF, ICC, XMP, comments: nothing to find
    if fmt == "PNG":
        image.save(out, fmt, optimize=True, **keep)
    else:
        image.save(out, fmt, quality=LOSSY_QUALITY)
    return out.getvalue()


def save_photo(data: bytes, media_type: str, photo_dir: Path) -> StoredPhoto:
    """Write the photo once under its hash; the rename makes a half-written file impossible."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = photo_dir / f"{sha256}.{EXTENSIONS[media_type]}"
    if not path.exists():
        photo_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=photo_dir, delete=False, suffix=".part") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    return StoredPhoto(sha256, media_type, len(data), path)


def stored_photo_file(photo_dir: Path, sha256: str) -> tuple[Path, str] | None:
    """The file holding the photo with this hash, and its type, if it is stored."""
    for media_type, ext in EXTENSIONS.items():
        path = photo_dir / f"{sha256}.{ext}"
        if path.is_file():
            return path, media_type
    return None
