"""Which encoding a feature request asks for, in the OGC API Features convention: ``?f=`` wins,
else the first media type of the ``Accept`` header the route serves; GeoJSON pages otherwise."""

from __future__ import annotations

from typing import Literal

from observatory.services.exports import FILE_FORMATS, LAYER_FORMATS, LayerFormat

# json: the OGC page of GeoJSON features (paged by limit and offset); the others download the
# whole layer as one file (geojson too: a file with the columns every format has).
Encoding = Literal["json", "geojson", "gpkg", "parquet", "csv", "xlsx"]
PAGE_ENCODINGS = ("json",)
_BY_MEDIA_TYPE = {FILE_FORMATS[fmt].media_type.partition(";")[0]: fmt for fmt in LAYER_FORMATS
                  if fmt != "geojson"}


def download_format(f: Encoding | None, accept: str | None) -> LayerFormat | None:
    """The file format asked for, or None for a page of GeoJSON features."""
    if f is not None:
        return None if f in PAGE_ENCODINGS else f  # type: ignore[return-value]
    for media_type in _by_preference(accept or ""):
        if media_type in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media_type]
        if media_type in ("application/geo+json", "application/json", "*/*"):
            return None
    return None


def download_media_types() -> dict[str, dict]:
    """The ``content`` of a 200 answer that may be a download, for the OpenAPI document."""
    return {FILE_FORMATS[fmt].media_type.partition(";")[0]: {} for fmt in LAYER_FORMATS
            if fmt != "geojson"}


def _by_preference(accept: str) -> list[str]:
    """The media types of an ``Accept`` header, most wanted first (q=0: not wanted)."""
    ranked = []
    for position, media_range in enumerate(accept.split(",")):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type and quality > 0:
            ranked.append((-quality, position, media_type.lower()))
    return [media_type for *_, media_type in sorted(ranked)]
