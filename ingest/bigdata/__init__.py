"""Big-data feeds: mobile-phone tower aggregates and geotagged points, streamed through an
in-process DuckDB, whatever the store.

Rows are many and are never read into pandas: DuckDB reads the CSV/Parquet file, checks and
aggregates it, placing points in districts with a lon/lat grid; only the small aggregates (per
site, per district, per location near a border) come back to Python, where the exact
point-in-polygon tests, the Voronoi areal interpolation and the disclosure redaction run.
"""
