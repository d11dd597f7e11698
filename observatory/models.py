"""Plain records passed between the layers. No database or web code here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path


@dataclass(frozen=True)
class City:
    slug: str
    name_en: str
    name_ar: str = ""
    country: str = ""
    local_crs: str = ""  # projected CRS for areas and distances, e.g. "EPSG:31256"
    population: int | None = None

    def name_in(self, lang: str) -> str:
        """The Arabic name on Arabic pages when there is one, else the English."""
        return (self.name_ar if lang == "ar" else "") or self.name_en


@dataclass(frozen=True)
class Upload:
    """A file an officer uploaded, as the store remembers it (``upload`` table): the bytes
    are at ``path`` while ``file_kept``; ``status`` uploaded, submitted (its ingest queued or
    running), finished or failed, with the run once it ended."""

    id: str
    city: str
    feed: str
    filename: str  # as the officer named it
    file_type: str  # csv, xlsx, geojson, gpkg, zip, tif, parquet
    size_bytes: int
    path: Path
    sha256: str
    uploaded_by: str  # Caller.submitter: the key's hash prefix, never the key
    uploaded_at: datetime
    status: str = "uploaded"
    spec: str | None = None  # the YAML the ingest ran with
    job_id: str | None = None  # the serving process's job, while it runs
    run_id: str | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    message: str = ""
    file_kept: bool = True

    @property
    def folder(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class RejectedRow:
    row_number: int | None  # 1-based line (CSV) or feature number; None for file-level problems
    column: str | None
    reason: str
    raw: str = ""


@dataclass
class IngestRun:
    city: str
    feed: str  # boundaries, census, admin, cdr, points, raster, events
    source_name: str  # file name as given by the officer, for the record (never a replacement key)
    content_hash: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    status: str = "running"  # running, succeeded, failed, unchanged
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    # The spec's identity, part of what a run replaces (the spec file's name; "" for a feed
    # without spec; None for runs recorded before it was kept).
    spec_name: str | None = ""


@dataclass(frozen=True)
class Attachment:
    """A photo or document attached to an event; the file lives at ``path``, named by hash."""

    id: str
    event_id: str
    sha256: str
    media_type: str
    size_bytes: int
    path: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class DistrictFeatures:
    """A page of district features as the feature API writes them: plain property rows and
    each district's geometry as GeoJSON text, so that a page needs no frame and no parsing."""

    columns: tuple[str, ...]
    rows: list[tuple]  # one per district, values in ``columns`` order (None: missing)
    geometries: list[str]  # GeoJSON text, one per row
    matched: int  # districts matching in all pages
    period: str | None = None  # indicator pages: the period shown; None: no values there


DISTRICT_FEATURE_COLUMNS = ("code", "name_en", "name_ar", "area_m2")
INDICATOR_FEATURE_COLUMNS = DISTRICT_FEATURE_COLUMNS + (
    "indicator_id", "period", "value", "score", "coverage", "suppressed")

# A city without declared levels has this one; its observations and values belong to it.
DEFAULT_LEVEL = "district"


@dataclass(frozen=True)
class Level:
    """A named geographic level of a city (districts, forecast areas, planning areas…) with its
    parent level (None: the top level). ``parent_prefix`` or ``parent_expression``: the codes
    encode the nesting (a code's first n characters, or the expression's value, being its
    parent's code), so that a table of codes without boundaries still rolls up."""

    name: str
    parent: str | None = None
    name_en: str = ""
    name_ar: str = ""
    parent_prefix: int | None = None
    parent_expression: str | None = None  # over the number ``code``: ``code // 100 * 100``

    def name_in(self, lang: str) -> str:
        return (self.name_ar if lang == "ar" else "") or self.name_en or self.name


def ordered_levels(levels: Sequence[Level]) -> list[Level]:
    """Top level first, then each level after its parent (siblings by name)."""
    by_parent: dict[str | None, list[Level]] = {}
    for level in levels:
        by_parent.setdefault(level.parent, []).append(level)
    known = {level.name for level in levels}
    roots = [lv for lv in levels if lv.parent is None or lv.parent not in known]
    out: list[Level] = []
    todo = sorted(roots, key=lambda lv: lv.name)
    while todo:
        level = todo.pop(0)
        if level in out:
            continue
        out.append(level)
        todo[:0] = sorted(by_parent.get(level.name, []), key=lambda lv: lv.name)
    return out


# Column contracts for the frames handed to and returned by the store.
DISTRICT_COLUMNS = ["code", "name_en", "name_ar", "area_m2", "geometry"]
OBSERVATION_COLUMNS = ["district_code", "period", "variable", "dims", "value", "unit"]
# attributes: JSON text; status: submitted, published or rejected; geometry: Point, EPSG:4326.
EVENT_COLUMNS = ["id", "layer", "occurred_at", "attributes", "status", "geometry"]
INDICATOR_VALUE_COLUMNS = [
    "district_code",  # None for the city level
    "period",
    "indicator_id",
    "value",
    "score",
    "coverage",
    "suppressed",
    "definition_hash",
]
# A definition as a benchmark bundle carries it: its text (canonical JSON) and the first 16 hex
# digits of the text's sha256, the definition_hash of the values computed with it. The store
# keeps those no definition file holds (a city's ICC questionnaire), each with its ``period``.
DEFINITION_COLUMNS = ["definition_id", "kind", "framework", "dimension", "subdimension",
                      "name_en", "name_ar", "unit", "direction", "group_dimension",
                      "definition_hash", "definition"]


def canonical_dims(dims: dict[str, object] | None) -> str:
    """Dimension keys as a canonical JSON text: the same dimensions always give the same key."""
    import json

    if not dims:
        return "{}"
    return json.dumps({str(k): str(v) for k, v in sorted(dims.items())}, ensure_ascii=False,
                      separators=(",", ":"))


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()


@dataclass(frozen=True)
class ExternalPeer:
    """A city imported from another observatory's benchmark bundle: read-only, its published
    city-level values only. ``checksums``: resource path → sha256; ``provenance``: the origin's
    version, disclosure threshold and ingest runs; ``definitions``: the bundle's definitions
    (id, hash, unit, group dimension …), one dict each."""

    city: str
    bundle_id: str
    origin: str
    origin_city: str
    observatory_version: str
    format_version: int
    exported_at: datetime
    imported_at: datetime
    checksums: dict[str, str]
    provenance: dict
    definitions: list[dict]
