-- The explicit secondary ART indexes on indicator_value and event go. Each key of theirs is
-- shared by many rows (every district of an indicator's period, every event of a layer), and
-- every compute and events ingest deletes and re-inserts those rows in one transaction: the
-- pattern with which DuckDB 1.5 can fail its commit or revert with "FATAL Error: Failed to
-- delete all rows from index", which invalidates the database (duckdb/duckdb#23645; the ART
-- limitations: https://duckdb.org/docs/stable/sql/indexes#limitations-of-art-indexes). No
-- query used them: DuckDB scans with a multi-column ART index only for point lookups on
-- literals, never for these queries' optional filters; the zone maps serve the scans.
DROP INDEX IF EXISTS indicator_value_lookup;
DROP INDEX IF EXISTS event_city_layer;
