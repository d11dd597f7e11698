"""The benchmark bundle as a file: a zipped Frictionless Data Package (``datapackage.json``
and four CSV resources), each resource with its sha256 in the descriptor, and the observatory's
own block (format, format version, origin, threshold) beside the standard keys.

Written and read with the standard library and pandas (the descriptor follows the Data Package
spec v2 and reads as v1: ``profile``, ``resources[].path``, ``hash`` as ``sha256:<hex>``,
``bytes``, Table Schema ``fields``). A file that does not match its checksum, a format version
this observatory does not know, or a resource missing or malformed is refused here
(:class:`BundleRefused`), before anything is loaded."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from observatory.services.errors import InvalidRequest

FORMAT = "observatory-benchmark-bundle"
FORMAT_VERSION = 1
READABLE_VERSIONS = (1,)
DESCRIPTOR = "datapackage.json"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# A fixed time for every zip entry: the same content gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# (name, Table Schema type, description) per column, per resource.
Fields = tuple[tuple[str, str, str], ...]
RESOURCES: dict[str, tuple[str, str, Fields]] = {
    "city": ("city.csv", "The city the bundle describes (one row).", (
        ("slug", "string", "the city's slug at its origin"),
        ("name_en", "string", "name in English"),
        ("name_ar", "string", "name in Arabic"),
        ("country", "string", "ISO 3166 country code"),
        ("population", "integer", "residents (the latest census); empty: unknown"),
    )),
    "indicator_values": ("indicator_values.csv",
                         "Published city-level values: suppressed values never leave.", (
        ("indicator_id", "string", "indicator, group share (<id>.<group>) or composite"),
        ("definition_id", "string", "the definition (or composite framework) it comes from"),
        ("definition_hash", "string", "hash of that definition when the value was computed"),
        ("period", "string", "period of the value, e.g. 2024"),
        ("value", "number", "the published value, rounded as published"),
        ("score", "number", "its standardised score 0–100; empty: not scored"),
        ("coverage", "number", "share of its inputs present, 0–1"),
        ("unit", "string", "unit of the value"),
        ("suppressed", "boolean", "always false: a bundle carries no suppressed value"),
        ("estimate", "string", "method of counts carried across boundaries; empty: none"),
        ("source_runs", "string", "ids of the ingest runs it rests on (see ingest_runs)"),
    )),
    "indicator_definitions": ("indicator_definitions.csv",
                              "The definitions the values were computed with.", (
        ("definition_id", "string", "indicator definition id or framework id"),
        ("kind", "string", "indicator, framework (its composites) or icc (an ICC score)"),
        ("framework", "string", "framework the definition belongs to"),
        ("dimension", "string", "dimension within the framework"),
        ("subdimension", "string", "sub-dimension within the dimension"),
        ("name_en", "string", "name in English"),
        ("name_ar", "string", "name in Arabic"),
        ("unit", "string", "unit of its values"),
        ("direction", "string", "higher, lower or neutral: which way is better"),
        ("group_dimension", "string", "group dimension it compares by; empty: none"),
        ("definition_hash", "string", "first 16 hex digits of the sha256 of `definition`"),
        ("definition", "string", "the definition as canonical JSON"),
    )),
    "ingest_runs": ("ingest_runs.csv", "Provenance: the ingest runs the values rest on.", (
        ("run_id", "string", "the run's id at the origin"),
        ("feed", "string", "feed family: census, boundaries, admin …"),
        ("spec_name", "string", "the feed spec's file name"),
        ("content_hash", "string", "sha256 of the source file loaded"),
        ("finished_at", "datetime", "when the run finished (UTC)"),
        ("rows_loaded", "integer", "rows it loaded"),
    )),
}


class BundleRefused(InvalidRequest):
    """A bundle this observatory does not load; the message says why and what to do."""

    def __init__(self, where: str, problem: str, fix: str) -> None:
        super().__init__(f"{where}: {problem} — nothing was loaded. Fix: {fix}")


@dataclass(frozen=True)
class Bundle:
    """A bundle's descriptor and its resources as frames (every column text, '' for empty)."""

    source: str  # the file's name, for messages
    descriptor: dict
    tables: dict[str, pd.DataFrame]

    @property
    def meta(self) -> dict:
        return self.descriptor["observatory"]

    @property
    def id(self) -> str:
        return str(self.descriptor["id"])

    @property
    def exported_at(self) -> datetime:
        return pd.Timestamp(self.descriptor["created"]).tz_convert("UTC").to_pydatetime()

    def checksums(self) -> dict[str, str]:
        return {r["path"]: r["hash"].removeprefix("sha256:")
                for r in self.descriptor["resources"]}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bundle_id(checksums: Mapping[str, str]) -> str:
    """What identifies a bundle's content: the sha256 over its resources' paths and sha256s,
    so that the same published values give the same id whenever they are exported."""
    listing = "\n".join(f"{path} {digest}" for path, digest in sorted(checksums.items()))
    return sha256(listing.encode("utf-8"))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_bundle(name: str, title: str, created: datetime, meta: dict,
                 tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The zipped package: ``datapackage.json`` first, then one CSV per resource."""
    files = {RESOURCES[r][0]: csv_bytes(tables[r][[f[0] for f in RESOURCES[r][2]]])
             for r in RESOURCES}
    checksums = {path: sha256(data) for path, data in files.items()}
    descriptor = {
        "$schema": PROFILE,
        "profile": "data-package",  # v1 readers
        "name": name,
        "id": bundle_id(checksums),
        "title": title,
        "created": created.isoformat(),
        "version": f"{FORMAT_VERSION}.0.0",
        "resources": [_resource(r, files[RESOURCES[r][0]], checksums[RESOURCES[r][0]])
                      for r in RESOURCES],
        "observatory": {"format": FORMAT, "format_version": FORMAT_VERSION, **meta},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in {DESCRIPTOR: json.dumps(descriptor, indent=2, ensure_ascii=False)
                           .encode("utf-8"), **files}.items():
            archive.writestr(zipfile.ZipInfo(path, _ZIP_TIME), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _resource(name: str, data: bytes, digest: str) -> dict:
    path, description, fields = RESOURCES[name]
    return {
        "name": name, "path": path, "type": "table", "profile": "tabular-data-resource",
        "description": description, "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8", "bytes": len(data), "hash": f"sha256:{digest}",
        "schema": {"fields": [{"name": n, "type": t, "description": d} for n, t, d in fields]},
    }


def read_bundle(data: bytes, source: str) -> Bundle:
    """The bundle in ``data`` (the file named ``source``), its checksums and format checked."""
    try:
        return _read(zipfile.ZipFile(io.BytesIO(data)), source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        if isinstance(exc, BundleRefused):
            raise
        raise BundleRefused(source, f"not a readable zip archive ({exc}), so not a benchmark "
                            "bundle", "pass the .zip file `observatory bundle export` wrote "
                            "again: this copy is damaged or truncated") from None


def _read(archive: zipfile.ZipFile, source: str) -> Bundle:
    with archive:
        names = set(archive.namelist())
        if DESCRIPTOR not in names:
            raise BundleRefused(source, f"the archive has no {DESCRIPTOR}",
                                "pass the .zip file `observatory bundle export` wrote")
        descriptor = _descriptor(archive.read(DESCRIPTOR), source)
        where = f"{source}, {DESCRIPTOR}"
        listed = {r.get("name"): r for r in descriptor.get("resources", [])
                  if isinstance(r, dict)}
        if extra := sorted(names - {DESCRIPTOR} - {str(r.get("path")) for r in listed.values()}):
            raise BundleRefused(source, f"the archive holds files its descriptor does not list "
                                f"({', '.join(extra)})", "ask the origin for a fresh export")
        tables = {}
        for name, (path, _, fields) in RESOURCES.items():
            resource = listed.get(name)
            if resource is None or resource.get("path") != path or path not in names:
                raise BundleRefused(where, f"the resource {name!r} ({path}) is missing",
                                    "ask the origin for a complete export")
            content = archive.read(path)
            declared = str(resource.get("hash", "")).removeprefix("sha256:")
            if sha256(content) != declared:
                raise BundleRefused(
                    f"{source}, {path}", f"wrong checksum: the descriptor declares sha256 "
                    f"{declared[:12] or '(none)'}…, the file has {sha256(content)[:12]}…, so "
                    "it was changed or damaged after export",
                    "ask the origin for a fresh export; never edit a bundle by hand")
            tables[name] = _table(content, f"{source}, {path}", [f[0] for f in fields])
    if descriptor.get("id") != bundle_id({RESOURCES[r][0]: str(listed[r]["hash"])
                                          .removeprefix("sha256:") for r in RESOURCES}):
        raise BundleRefused(where, "the bundle id does not match its resources' checksums",
                            "ask the origin for a fresh export")
    return Bundle(source, descriptor, tables)


def _descriptor(raw: bytes, source: str) -> dict:
    where = f"{source}, {DESCRIPTOR}"
    try:
        descriptor = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused(where, f"not valid JSON ({exc})",
                            "ask the origin for a fresh export") from None
    meta = descriptor.get("observatory") if isinstance(descriptor, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleRefused(where, f"not an observatory benchmark bundle (key observatory.format "
                            f"is not {FORMAT!r})",
                            "pass a file `observatory bundle export` wrote")
    version = meta.get("format_version")
    if version not in READABLE_VERSIONS:
        raise BundleRefused(
            where, f"unknown format version {version!r} at key observatory.format_version "
            f"(this observatory reads version {', '.join(map(str, READABLE_VERSIONS))})",
            "upgrade this observatory, or ask the origin to export in version "
            f"{FORMAT_VERSION}")
    for key in ("created", "id", "resources"):
        if key not in descriptor:
            raise BundleRefused(where, f"the key {key!r} is missing",
                                "ask the origin for a fresh export")
    try:
        pd.Timestamp(descriptor["created"]).tz_convert("UTC")
    except (TypeError, ValueError):
        raise BundleRefused(where, f"key created: {descriptor['created']!r} is not a time "
                            "with its UTC offset", "ask the origin for a fresh export") from None
    return descriptor


def _table(content: bytes, where: str, columns: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False,
                            encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BundleRefused(where, f"not a readable UTF-8 CSV ({exc})",
                            "ask the origin for a fresh export") from None
    if list(frame.columns) != columns:
        missing = [c for c in columns if c not in frame.columns]
        raise BundleRefused(where, f"columns {list(frame.columns)}, expected {columns}"
                            + (f" (missing: {', '.join(missing)})" if missing else ""),
                            "ask the origin for an export in this format version")
    return frame
