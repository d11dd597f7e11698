-- Named queries of the partitioned indicator engine (indicators/partitioned.py) over a city's
-- files: observations in Parquet, districts in GeoParquet. DuckDB, $name parameters.

-- name: district_codes
SELECT code FROM (
  SELECT DISTINCT district_code AS code FROM read_parquet($observations)
  WHERE district_code IS NOT NULL
  UNION
  SELECT DISTINCT CAST(code AS VARCHAR) FROM read_parquet($districts)
) ORDER BY code;

-- name: observation_part
-- The store's columns (sql/common/queries.sql, observations), in the file's order: the
-- engine's values do not depend on the order of its rows, and sorting took 3 times the read.
SELECT district_code, period, variable, dims, value, unit, ingest_run
FROM read_parquet($path)
WHERE list_contains($variables, variable)
  AND (CAST($low AS VARCHAR) IS NULL OR district_code BETWEEN $low AND $high);

-- name: observation_sums
SELECT period, variable, dims, unit, ingest_run, sum(value) AS value, count(*) AS rows
FROM read_parquet($path)
WHERE list_contains($variables, variable)
  AND (CAST($low AS VARCHAR) IS NULL OR district_code BETWEEN $low AND $high)
GROUP BY ALL;
