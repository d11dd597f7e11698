"""Typed settings, one small class per concern, all read from ``OBSERVATORY_*`` variables.

Nothing here is a module-level singleton: callers build the settings they need and pass them
on (the CLI at start-up, the API in its app factory, the tests in fixtures).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_COMMON = SettingsConfigDict(env_prefix="OBSERVATORY_", extra="ignore", env_file=None)


class StoreSettings(BaseSettings):
    """Where the data live."""

    model_config = _COMMON

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory for the embedded database, the demo city and generated maps.",
    )
    database_url: str = Field(
        default="",
        description=(
            "Store to use: duckdb:///path/to/file.duckdb (embedded, the default: "
            "<data_dir>/observatory.duckdb) or postgresql://user:pass@host:port/db (PostGIS)."
        ),
    )

    pool_size: int = Field(
        default=4,
        ge=1,
        description=(
            "PostGIS: connections one API process keeps and the most queries it runs at once; "
            "further requests wait their turn, which keeps tail latency low when the database "
            "shares few cores. Raise it for a database server with more cores."
        ),
    )

    @model_validator(mode="after")
    def _default_to_embedded(self) -> StoreSettings:
        if not self.database_url:
            self.database_url = f"duckdb:///{(self.data_dir / 'observatory.duckdb').as_posix()}"
        return self

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("duckdb://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                f"OBSERVATORY_DATABASE_URL={value!r} is not a store this observatory knows: use "
                "duckdb:///path/to/file.duckdb or postgresql://user:pass@host:port/dbname"
            )
        return value


class ApiSettings(BaseSettings):
    """How the web service listens and draws maps."""

    model_config = _COMMON

    host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    port: int = Field(default=8000, description="Port the API listens on.")
    basemap_url: str | None = Field(
        default=None,
        description=(
            "XYZ tile URL template for a basemap (e.g. a municipal tile server). Unset: maps draw "
            "with no basemap, so they work with no internet connection."
        ),
    )
    basemap_attribution: str = Field(default="", description="Attribution shown for the basemap.")
    workers: int = Field(
        default=1,
        ge=1,
        description=(
            "API worker processes (`observatory serve --workers`): more than one needs PostGIS, "
            "since an embedded DuckDB file is opened by one process at a time."
        ),
    )
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description=(
            "Bytes of vector tiles, feature pages and map pages one API process keeps in memory, "
            "per role, until the store's data change (any ingest or compute, from any process); "
            "0 turns the cache off."
        ),
    )


class DisclosureSettings(BaseSettings):
    """Statistical disclosure control (methodology §5–6)."""

    model_config = _COMMON

    min_count: int = Field(
        default=15,
        description="Counts at or below this are never published (the rule is: publish if > min_count).",
    )
    published_digits: int = Field(
        default=3, ge=1, le=15,
        description="Significant digits of every published value and score (0.0303858… is "
        "published as 0.0304), so that an exact ratio does not reveal its counts.",
    )
    protection_range: float | None = Field(
        default=None, gt=0,
        description="Width, in persons, that the interval an attacker can derive for a "
        "suppressed count must reach (capped at the count's denominator); default: min_count. "
        "A release with a narrower interval is refused (observatory audit).",
    )
    solver_threads: int | None = Field(
        default=None, ge=1,
        description="Threads that solve the disclosure plan's and the audit's linear programs "
        "(one table component each; the pattern does not depend on it); default: the "
        "machine's CPUs.",
    )

    @property
    def threads(self) -> int:
        """Threads for the disclosure plan's linear programs."""
        return self.solver_threads or os.cpu_count() or 1

    @property
    def protection(self) -> float:
        """The protection range in persons."""
        return float(self.min_count if self.protection_range is None else self.protection_range)


class BoundarySettings(BaseSettings):
    """How much a boundary file may change the city before it is refused (docs/ingest.md)."""

    model_config = _COMMON

    max_boundary_loss: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "Largest share of a city's current districts a boundary file may remove (their "
            "codes absent from it) before it is refused as a partial or recoded file; "
            "`observatory ingest boundaries --replace-boundaries` loads it anyway."
        ),
    )
    identity_overlap: float = Field(
        default=0.9,
        gt=0.5,
        le=1,
        description=(
            "A redrawn area keeps the identity of an area of the previous boundary version "
            "when each holds at least this share of the other (docs/geography.md); reported "
            "at ingest and on the changed-boundaries page."
        ),
    )


class PrivacySettings(BaseSettings):
    """Personal data in administrative records (methodology §6)."""

    model_config = _COMMON

    hash_key: SecretStr | None = Field(
        default=None,
        description=(
            "Secret key (at least 32 characters) for the keyed hash (HMAC-SHA256) that replaces "
            "person identifiers at ingest. Kept in configuration, never stored with the data; "
            "administrative-record ingest refuses to run without it."
        ),
    )


class RejectedRowSettings(BaseSettings):
    """How much of an ingest's rejected rows the store keeps (the rest is counted)."""

    model_config = _COMMON

    rejected_rows_kept: int = Field(
        default=1000, ge=1,
        description="Rejected rows stored per ingest run; the run's message counts the rest.",
    )
    rejected_text_chars: int = Field(
        default=200, ge=20,
        description="Longest raw text, column name or quoted value kept for a rejected row; "
        "longer ones are cut and end with \"… (+N chars)\".",
    )
    rejected_reason_chars: int = Field(
        default=600, ge=100,
        description="Longest reason kept for a rejected row (the text saying how to fix it).",
    )


class FieldSettings(BaseSettings):
    """Field reports: what a photo may be and where photos are kept."""

    model_config = SettingsConfigDict(env_prefix="OBSERVATORY_FIELD_", extra="ignore",
                                      env_file=None)

    max_photo_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Largest photo accepted, in bytes; a "
        "report's body is refused as soon as it passes this (plus 64 KiB for the other fields)."
    )
    max_photo_pixels: int = Field(
        default=40_000_000, gt=0, le=80_000_000,
        description="Most pixels (width x height) a photo may declare; checked from its header "
        "before it is decoded. At most 80 million: decoding takes about 4 bytes a pixel.",
    )
    photo_types: list[str] = Field(
        default=["image/jpeg", "image/png", "image/webp"],
        description="Photo types accepted, recognised by the file's first bytes (never its "
        "name): any of image/jpeg, image/png, image/webp.",
    )
    photo_dir: Path | None = Field(
        default=None,
        description="Where photos are stored as <sha256>.<ext>; default: <data_dir>/photos.",
    )

    @field_validator("photo_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"image/jpeg", "image/png", "image/webp"})
        if unknown:
            raise ValueError(f"photo types {unknown} cannot be recognised; use any of "
                             "image/jpeg, image/png, image/webp")
        return value

    def photos_in(self, data_dir: Path) -> Path:
        return self.photo_dir or data_dir / "photos"


class ResourceSettings(BaseSettings):
    """Bounds on what one input may cost, so that a hostile or broken file ends with a message
    instead of exhausting the machine."""

    model_config = _COMMON

    memory_limit: str = Field(
        default="1GB",
        description="Memory each DuckDB connection the observatory opens may use (DuckDB's "
        "memory_limit, e.g. 1GB or 512MB); beyond it DuckDB spills to temp_directory.",
    )
    temp_directory: Path | None = Field(
        default=None,
        description="Where DuckDB spills what does not fit in memory_limit; default: "
        "observatory-duckdb in the system's temporary directory.",
    )
    max_table_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0,
        description="Largest census, administrative or event table (CSV, or XLSX once "
        "uncompressed) read, in bytes: such tables are read whole, at about 10 times their "
        "size in memory. Big feeds (cdr, points) stream and have no such limit.",
    )
    max_vector_bytes: int = Field(
        default=256 * 1024 * 1024, gt=0,
        description="Largest boundary or event vector file (GeoJSON, GeoPackage, Shapefile "
        "once unzipped) read, in bytes: features are read whole, at a few times their size in "
        "memory.",
    )
    max_field_chars: int = Field(
        default=10_000, gt=0,
        description="Longest field accepted; a longer one makes its row a rejected row.",
    )
    max_parquet_bytes: int = Field(
        default=16 * 1024**3, gt=0,
        description="Largest Parquet file of a big feed (cdr, points), in bytes; a folder of "
        "parts is checked part by part.",
    )
    max_parquet_row_group_bytes: int = Field(
        default=512 * 1024**2, gt=0,
        description="Largest row group of a Parquet file uncompressed, as its footer declares; "
        "checked before a row is read (pages are decompressed whole).",
    )
    max_raster_bytes: int = Field(
        default=2 * 1024**3, gt=0,
        description="Largest population raster file (GeoTIFF) opened, in bytes; it is read "
        "window by window, never whole.",
    )
    max_raster_decoded_bytes: int = Field(
        default=8 * 1024**3, gt=0,
        description="Largest raster by its declared size once decoded (width x height x bands "
        "x bytes per pixel), checked from its header before any pixel is decoded.",
    )
    max_raster_block_bytes: int = Field(
        default=64 * 1024**2, gt=0,
        description="Largest internal block (tile or strip) of a raster, decoded: GDAL decodes "
        "whole blocks, so one block of a whole image would be read whole.",
    )

    def duckdb_config(self) -> dict[str, str | bool | int | float | list[str]]:
        """Connection settings for ``duckdb.connect(config=…)``."""
        spill = self.temp_directory or Path(tempfile.gettempdir()) / "observatory-duckdb"
        return {"memory_limit": self.memory_limit, "temp_directory": str(spill)}


class ValueSettings(BaseSettings):
    """What values an input may plausibly hold."""

    model_config = _COMMON

    earliest_year: int = Field(
        default=1900, description="Earliest year a period (census year, month, day) may be in."
    )
    latest_year: int | None = Field(
        default=None,
        description="Latest year a period may be in; default: next year (a forecast or an "
        "export dated ahead by a clock is plausible, year 2999 is not).",
    )

    def latest(self) -> int:
        return self.latest_year or date.today().year + 1


UPLOAD_TYPES = ("csv", "xlsx", "geojson", "gpkg", "zip", "tif", "parquet")


class UploadSettings(BaseSettings):
    """Files an officer uploads to ingest (the upload page and ``POST /cities/{city}/uploads``):
    how large, of which types, and where they are kept."""

    model_config = SettingsConfigDict(env_prefix="OBSERVATORY_UPLOAD_", extra="ignore",
                                      env_file=None)

    max_bytes: int = Field(
        default=200 * 1024 * 1024, gt=0,
        description="Largest file accepted, in bytes; the request is cut off as soon as its "
        "body passes this (plus 1 MiB for the spec and the form), before the file is kept.",
    )
    types: list[str] = Field(
        default=list(UPLOAD_TYPES),
        description="File types accepted, by extension and checked against the file's first "
        "bytes: any of csv, xlsx, geojson, gpkg, zip (a zipped Shapefile), tif (GeoTIFF), "
        "parquet.",
    )
    upload_dir: Path | None = Field(
        default=None, description="Where uploaded files and their specs are kept, one folder "
        "per upload; default: <data_dir>/uploads.",
    )

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(UPLOAD_TYPES))
        if unknown:
            raise ValueError(f"upload types {unknown} cannot be checked; use any of "
                             f"{', '.join(UPLOAD_TYPES)}")
        return value

    def folder_in(self, data_dir: Path) -> Path:
        return self.upload_dir or data_dir / "uploads"


class ClusterSettings(BaseSettings):
    """Where big feeds run with ``--engine dask`` (README: "When one machine is not enough")."""

    model_config = _COMMON

    dask_scheduler: str | None = Field(
        default=None,
        description=(
            "Dask scheduler that `observatory ingest points|cdr … --engine dask` sends the "
            "partitions to, e.g. tcp://scheduler:8786; unset: a local cluster on this machine."
        ),
    )


def settings_environment(*groups: BaseSettings) -> dict[str, str]:
    """The ``OBSERVATORY_*`` variables that rebuild ``groups`` as they are: how settings reach
    processes started afresh (``observatory serve --workers``). Unset values are left out."""
    environment = {}
    for group in groups:
        prefix = group.model_config.get("env_prefix", "")
        for name, value in group.model_dump(mode="json").items():
            if value is None:
                continue
            raw = getattr(group, name)
            if isinstance(raw, SecretStr):
                value = raw.get_secret_value()
            environment[f"{prefix}{name}".upper()] = (
                value if isinstance(value, str) else json.dumps(value))
    return environment
