"""Field-report photos: type known by magic bytes (never the file name), a size limit, and
storage under ``<photo dir>/<sha256>.<ext>`` so the same photo is kept once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    media_type: str
    size_bytes: int
    path: Path


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
