"""Typed settings, one small class per concern, all read from ``OBSERVATORY_*`` variables.

Nothing here is a module-level singleton: callers build the settings they need and pass them
on (the CLI at start-up, the API in its app factory, the tests in fixtures).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
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

    @model_validator(mode="after")
    def _default_to_embedded(self) -> "StoreSettings":
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
