"""Typed settings, one small class per concern, all read from ``OBSERVATORY_*`` variables.

Nothing here is a module-level singleton: callers build the settings they need and pass them
on (the CLI at start-up, the API in its app factory, the tests in fixtures).
"""

from __future__ import annotations

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

    @property
    def protection(self) -> float:
        """The protection range in persons."""
        return float(self.min_count if self.protection_range is None else self.protection_range)


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


class FieldSettings(BaseSettings):
    """Field reports: what a photo may be and where photos are kept."""

    model_config = SettingsConfigDict(env_prefix="OBSERVATORY_FIELD_", extra="ignore",
                                      env_file=None)

    max_photo_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Largest photo accepted, in bytes."
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
