"""Big-data feeds: mobile-phone tower aggregates and geotagged points, streamed through an
in-process DuckDB (spatial extension loaded from its wheel), whatever the store.

Rows are many and are never read into pandas: DuckDB reads the CSV/Parquet file, checks and
aggregates it; only the small aggregates (per site, per district) come back to Python, where
the Voronoi areal interpolation and the disclosure redaction run.
"""
