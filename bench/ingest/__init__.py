"""``python -m bench.ingest [--quick]``: big point feeds to redacted district counts, the
project's job path against hand-written DuckDB SQL and naive geopandas; PostGIS bulk load
against raw COPY."""
