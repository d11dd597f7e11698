"""One store protocol over one SQL store base (``sql_store.SQLStore``), two real backends:
embedded DuckDB (default) and PostGIS."""

from __future__ import annotations

from observatory.store.base import (
    ConflictError,
    ConstraintError,
    SchemaMissingError,
    Store,
    StoreError,
    UnavailableError,
)


def open_store(url: str, *, pool_size: int = 4) -> Store:
    """Open the store a ``duckdb:///…`` or ``postgresql://…`` URL names; ``pool_size``: see
    ``StoreSettings.pool_size``."""
    if url.startswith("duckdb://"):
        from observatory.store.duckdb_store import DuckDBStore

        return DuckDBStore(url)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from observatory.store.postgis_store import PostGISStore

        return PostGISStore(url, pool_size=pool_size)
    raise StoreError(
        f"Unknown store URL {url!r}: use duckdb:///path/to/file.duckdb or "
        "postgresql://user:pass@host:port/dbname"
    )


__all__ = ["ConflictError", "ConstraintError", "SchemaMissingError", "Store", "StoreError",
           "UnavailableError", "open_store"]
