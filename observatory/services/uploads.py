"""Files an officer uploads to ingest: checked (type by extension and first bytes, size while
copying), kept in a folder of their own under the upload directory, then ingested with the spec
the officer gives, in the background through the serving process's :class:`IngestJobs` (one
writer at a time, as an embedded DuckDB file needs; the API and pages go on answering).

Uploads are remembered in the store (``upload``: file name, size, sha256, who, spec, status,
run), so a restart keeps the list and each one's end; the live progress of a running ingest is
the serving process's. The file and its spec stay in ``<upload dir>/<id>/``, except that a
personal-data feed's file (``FeedFamily.personal_data``, e.g. admin records) is deleted as soon
as its ingest ends, whatever the outcome: only the keyed hashes the ingest made are kept.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import yaml

from observatory.models import Upload, utcnow
from observatory.services.errors import InvalidRequest, NotFound, TooLarge, UnsupportedType
from observatory.services.ingest_jobs import (
    JOB_SETTINGS,
    IngestJobs,
    IngestOrder,
    JobStatus,
    settings_values,
)
from observatory.settings import UploadSettings
from observatory.store.base import Store

CHUNK = 1024 * 1024
# A file's type by its extension; its first bytes must agree (``_looks_like``).
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson",
              ".json": "geojson", ".gpkg": "gpkg", ".zip": "zip", ".tif": "tif",
              ".tiff": "tif", ".parquet": "parquet"}
TYPE_NAMES = {"csv": "CSV", "xlsx": "Excel workbook (XLSX)", "geojson": "GeoJSON",
              "gpkg": "GeoPackage", "zip": "zipped Shapefile", "tif": "GeoTIFF",
              "parquet": "Parquet"}
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def file_type_of(filename: str, allowed: list[str]) -> str:
    """The upload's type by its extension; :class:`UnsupportedType` naming the accepted
    types otherwise."""
    kind = EXTENSIONS.get(Path(filename).suffix.lower())
    if kind is None or kind not in allowed:
        accepted = ", ".join(TYPE_NAMES[t] for t in allowed)
        extensions = ", ".join(e for e, t in EXTENSIONS.items() if t in allowed)
        raise UnsupportedType(f"{filename!r} is not a file type uploads take; send one of "
                              f"{accepted} (by extension: {extensions}).")
    return kind


def _looks_like(kind: str, head: bytes) -> bool:
    """Whether the first bytes of a file are those of ``kind`` (a name can lie)."""
    if kind in ("xlsx", "zip"):
        return head.startswith(b"PK\x03\x04")
    if kind == "gpkg":
        return head.startswith(b"SQLite format 3\x00")
    if kind == "tif":
        return head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
    if kind == "parquet":
        return head.startswith(b"PAR1")
    if b"\x00" in head:  # text formats: binary bytes mean another format under a text name
        return False
    if kind == "geojson":
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    return True


class Uploads:
    """The uploads of the store, received and ingested by one serving process."""

    def __init__(self, settings: UploadSettings, folder: Path, jobs: IngestJobs,
                 store: Store) -> None:
        self.settings = settings
        self._folder = folder
        self._jobs = jobs
        self._store = store
        # An ingest may end (its record written by the worker) before the request that
        # submitted it has recorded it as submitted: the two writes take turns.
        self._recording = threading.Lock()

    def receive(self, city: str, feed: str, filename: str, source: BinaryIO,
                uploaded_by: str = "anonymous") -> Upload:
        """Check, keep and record the file ``source``: :class:`UnsupportedType` for a type not
        accepted (by extension, then by its first bytes), :class:`TooLarge` as soon as it
        passes the size limit (nothing is kept)."""
        from ingest.feeds import names

        if feed not in names():
            raise InvalidRequest(f"feed={feed!r} is not a feed; the feeds are "
                                 f"{', '.join(names())}")
        kind = file_type_of(filename, self.settings.types)
        head = source.read(CHUNK)
        if not _looks_like(kind, head[:64]):
            raise UnsupportedType(f"{filename!r} is named as a {TYPE_NAMES[kind]} but its "
                                  "content is not one; send the file as exported, or rename "
                                  "it to what it holds.")
        upload_id = uuid.uuid4().hex
        path = self._folder / upload_id / (_UNSAFE_NAME.sub("_", Path(filename).name) or "upload")
        path.parent.mkdir(parents=True)
        size, digest = 0, hashlib.sha256()
        try:
            with path.open("wb") as out:
                while head:
                    size += len(head)
                    if size > self.settings.max_bytes:
                        raise TooLarge(self._too_large(filename))
                    digest.update(head)
                    out.write(head)
                    head = source.read(CHUNK)
            upload = Upload(upload_id, city, feed, filename, kind, size, path,
                            digest.hexdigest(), uploaded_by, utcnow())
            self._store.save_upload(upload)
        except BaseException:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        return upload

    def _too_large(self, filename: str) -> str:
        limit = self.settings.max_bytes
        return (f"{filename!r} is larger than the upload limit of {limit / 1e6:.1f} MB "
                f"(OBSERVATORY_UPLOAD_MAX_BYTES={limit}); split it, or ingest it with "
                "`observatory ingest` on the server.")

    def get(self, city: str, upload_id: str) -> Upload:
        found = self._store.upload(upload_id)
        if found is None or found.city != city:
            raise NotFound(f"No upload {upload_id!r} of {city} (the id is mistyped?); the "
                           f"city's uploads and runs show under /cities/{city}/runs.")
        return found

    def of_city(self, city: str) -> list[Upload]:
        """The city's uploads, newest first."""
        return self._store.uploads(city)

    def ingest(self, upload: Upload, spec_text: str | None) -> JobStatus:
        """Submit the ingest of ``upload`` with ``spec_text`` (YAML; None or blank: the feed's
        default, where it has one); :class:`InvalidRequest` for a spec that is not a YAML
        mapping, options the feed does not take, or a file no longer kept."""
        if not upload.file_kept or not upload.path.is_file():
            raise InvalidRequest(f"{upload.filename!r} is no longer kept (a personal-data "
                                 "feed's file is deleted once ingested): upload it again.")
        from ingest.feeds import family

        spec = None
        options: dict[str, str | bool | None] = {}
        if spec_text and spec_text.strip():
            check_spec(spec_text)
            spec = upload.folder / "spec.yaml"
            spec.write_text(spec_text, encoding="utf-8")
            if family(upload.feed).takes_spec == "none":  # a raster: the YAML holds options
                options = _options(spec_text, upload.feed)
        order = IngestOrder(
            feed=upload.feed, file=upload.path.resolve(), city=upload.city,
            spec=None if spec is None else spec.resolve(), options=options,
            settings={name: settings_values(JOB_SETTINGS[name]())
                      for name in {*family(upload.feed).settings, "disclosure"}},
            compute=True,
        )
        with self._recording:
            try:
                status = self._jobs.submit(order, lambda final: self._ended(upload.id, final))
            except ValueError as exc:
                raise InvalidRequest(str(exc)) from exc
            self._store.update_upload(replace(upload, status="submitted", job_id=status.id,
                                              spec=spec_text if spec is not None else None))
        return status

    def _ended(self, upload_id: str, final: JobStatus) -> None:
        """Record the run of a finished ingest; delete a personal-data feed's file."""
        with self._recording:
            self._record_end(upload_id, final)

    def _record_end(self, upload_id: str, final: JobStatus) -> None:
        from ingest.feeds import family

        upload = self._store.upload(upload_id)
        if upload is None:
            return
        run = final.outcome.run if final.outcome is not None else None
        personal = family(upload.feed).personal_data
        if personal:
            upload.path.unlink(missing_ok=True)
        self._store.update_upload(replace(
            upload, status="finished" if final.exit_code == 0 else "failed",
            run_id=run.id if run else None,
            rows_loaded=run.rows_loaded if run else None,
            rows_rejected=run.rows_rejected if run else None,
            message=final.message or (run.message if run else ""),
            file_kept=upload.file_kept and not personal))

    def job(self, upload: Upload) -> JobStatus | None:
        """The ingest's live status; None before it is submitted, or when this process does
        not run it (it ended before a restart: the upload's record says how)."""
        if upload.job_id is None:
            return None
        return self._jobs.status(upload.job_id)


# Keys of an inferred raster proposal that describe the file rather than set an option.
DESCRIPTIVE = frozenset({"feed"})


def _options(text: str, feed: str) -> dict[str, str | bool | None]:
    """The feed's options as the editor's YAML sets them (``band: 2``, ``nodata: -9999``,
    ``unit: persons``); :class:`InvalidRequest` naming a key the feed does not take."""
    from ingest.feeds import family

    given = yaml.safe_load(text)
    allowed = {option.name for option in family(feed).cli_options}
    unknown = sorted(set(given) - allowed - DESCRIPTIVE)
    if unknown:
        raise InvalidRequest(f"The {feed} feed takes the options {', '.join(sorted(allowed))}, "
                             f"not {', '.join(map(str, unknown))}; fix it in the editor.")
    return {str(k): None if v is None else str(v) for k, v in given.items() if k in allowed}


def check_spec(text: str) -> None:
    """:class:`InvalidRequest` unless ``text`` is a YAML mapping, naming the line at fault."""
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidRequest(f"The spec is not valid YAML{where}: "
                             f"{getattr(exc, 'problem', exc)}. Fix it in the editor.") from None
    if not isinstance(parsed, dict):
        raise InvalidRequest("The spec must be a YAML mapping (feed:, district:, variables: "
                             "…); fix it in the editor.")


def upload_status(upload: Upload, job: JobStatus | None) -> dict:
    """Where an upload is, as the API and the page's progress poller show it: ``state``
    ``uploaded`` (no ingest yet), ``waiting``, ``running``, ``finished`` or ``interrupted``
    (submitted, and the server restarted before the ingest's end was recorded); ``done`` of
    ``total`` and ``label`` the ingest's progress; once finished, its run (``run_id``,
    ``run_status``, rows loaded and rejected) or, without a run, ``message`` saying why. The
    live job when this process runs it, else the store's record."""
    run = job.outcome.run if job is not None and job.outcome is not None else None
    state: str
    if job is not None:
        state = job.state
        message = job.message or (run.message if run else "")
        run_id, run_status = (run.id, run.status) if run else (None, None)
        loaded, rejected = (run.rows_loaded, run.rows_rejected) if run else (None, None)
    else:
        state = {"uploaded": "uploaded", "submitted": "interrupted"}.get(upload.status,
                                                                         "finished")
        message = upload.message or ("the server restarted during the ingest: see the city's "
                                     "runs, or ingest the upload again"
                                     if state == "interrupted" else "")
        run_id, loaded, rejected = upload.run_id, upload.rows_loaded, upload.rows_rejected
        run_status = None if run_id is None else (
            "succeeded" if upload.status == "finished" else "failed")
    return {
        "id": upload.id, "city": upload.city, "feed": upload.feed, "filename": upload.filename,
        "file_type": upload.file_type, "size_bytes": upload.size_bytes,
        "sha256": upload.sha256, "uploaded_by": upload.uploaded_by,
        "uploaded_at": upload.uploaded_at.isoformat(), "file_kept": upload.file_kept,
        "state": state, "done": job.done if job else 0, "total": job.total if job else 0,
        "label": job.label if job else "", "message": message,
        "run_id": run_id, "run_status": run_status,
        "rows_loaded": loaded, "rows_rejected": rejected,
    }
