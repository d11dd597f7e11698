-- Named queries of the PostGIS store that read differently in DuckDB (the shared ones are in
-- sql/common/queries.sql). Parameters are :name (SQLAlchemy text()).
-- Batches arrive by COPY into the temporary tables create_<batch> makes.

-- name: serialise_schema_changes
-- Several API workers starting at once apply the schema files one after the other.
SELECT pg_advisory_xact_lock(4242);

-- name: create_district_batch
CREATE TEMPORARY TABLE district_batch (
    code TEXT, parent_code TEXT, name_en TEXT, name_ar TEXT, area_m2 DOUBLE PRECISION,
    geom geometry
) ON COMMIT DROP;

-- name: insert_districts
INSERT INTO district (city, level, code, parent_code, valid_from, valid_to, name_en, name_ar,
                      area_m2, geom, ingest_run)
SELECT :city, :level, code, parent_code, :valid_from, :valid_to, name_en, name_ar, area_m2,
       ST_SetSRID(geom, 4326), :run_id
FROM district_batch;

-- name: create_observation_batch
CREATE TEMPORARY TABLE observation_batch (
    district_code TEXT, period TEXT, variable TEXT, dims TEXT, value DOUBLE PRECISION, unit TEXT
) ON COMMIT DROP;

-- name: repeated_observation_keys
SELECT district_code, period, variable, dims FROM observation_batch
GROUP BY district_code, period, variable, dims HAVING count(*) > 1
ORDER BY district_code, period, variable, dims LIMIT 3;

-- name: create_rejected_batch
CREATE TEMPORARY TABLE rejected_batch (
    row_number BIGINT, column_name TEXT, reason TEXT, raw TEXT
) ON COMMIT DROP;

-- name: create_value_batch
CREATE TEMPORARY TABLE value_batch (
    district_code TEXT, period TEXT, indicator_id TEXT, value DOUBLE PRECISION,
    score DOUBLE PRECISION, coverage DOUBLE PRECISION, suppressed BOOLEAN,
    definition_hash TEXT, source_runs TEXT, level TEXT, estimate TEXT
) ON COMMIT DROP;

-- name: create_definition_batch
CREATE TEMPORARY TABLE definition_batch (
    period TEXT, definition_id TEXT, kind TEXT, framework TEXT, dimension TEXT,
    subdimension TEXT, name_en TEXT, name_ar TEXT, unit TEXT, direction TEXT,
    group_dimension TEXT, definition_hash TEXT, definition TEXT
) ON COMMIT DROP;

-- name: create_crosswalk_batch
CREATE TEMPORARY TABLE crosswalk_batch (
    from_level TEXT, from_version DATE, from_code TEXT, to_level TEXT, to_version DATE,
    to_code TEXT, weight DOUBLE PRECISION, method TEXT
) ON COMMIT DROP;

-- name: create_event_batch
CREATE TEMPORARY TABLE event_batch (
    id TEXT, layer TEXT, occurred_at TIMESTAMPTZ, attributes JSONB, status TEXT, geom geometry
) ON COMMIT DROP;

-- name: insert_events
INSERT INTO event (id, city, layer, occurred_at, geom, attributes, status, ingest_run)
SELECT id, :city, layer, occurred_at, ST_SetSRID(geom, 4326), attributes, status, :run_id
FROM event_batch;

-- name: add_event
INSERT INTO event (id, city, layer, occurred_at, geom, attributes, status, submitter)
SELECT id, :city, layer, occurred_at, ST_SetSRID(geom, 4326), attributes, status, :submitter
FROM event_batch;

-- name: district_page_count
SELECT count(*) FROM district
WHERE city = :city AND level = :level AND valid_from <= :as_of AND (valid_to IS NULL OR valid_to > :as_of)
  AND (CAST(:code AS TEXT) IS NULL OR code = :code)
  AND (CAST(:minx AS float8) IS NULL
       OR ST_Intersects(geom, ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)));

-- name: district_page
SELECT code, name_en, name_ar, area_m2, ST_AsBinary(geom) AS wkb FROM district
WHERE city = :city AND level = :level AND valid_from <= :as_of AND (valid_to IS NULL OR valid_to > :as_of)
  AND (CAST(:code AS TEXT) IS NULL OR code = :code)
  AND (CAST(:minx AS float8) IS NULL
       OR ST_Intersects(geom, ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)))
ORDER BY code LIMIT :limit OFFSET :offset;

-- name: district_features
-- district_page with the geometry as GeoJSON text, written by PostGIS for the feature API.
SELECT code, name_en, name_ar, area_m2, ST_AsGeoJSON(geom) AS geometry FROM district
WHERE city = :city AND level = :level AND valid_from <= :as_of AND (valid_to IS NULL OR valid_to > :as_of)
  AND (CAST(:code AS TEXT) IS NULL OR code = :code)
  AND (CAST(:minx AS float8) IS NULL
       OR ST_Intersects(geom, ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)))
ORDER BY code LIMIT :limit OFFSET :offset;

-- name: indicator_period
-- The requested period if the indicator has values in it, else the latest; NULL: none.
SELECT max(period) FROM indicator_value
WHERE city = :city AND level = :level AND indicator_id = :indicator_id
  AND (CAST(:period AS TEXT) IS NULL OR period = :period);

-- name: indicator_features
SELECT d.code, d.name_en, d.name_ar, d.area_m2, v.indicator_id, v.period, v.value, v.score,
       v.coverage, v.suppressed, ST_AsGeoJSON(d.geom) AS geometry
FROM district d
LEFT JOIN indicator_value v
  ON v.city = d.city AND v.level = d.level AND v.district_code = d.code
     AND v.indicator_id = :indicator_id
 AND v.period = :period
WHERE d.city = :city AND d.level = :level AND d.valid_from <= :as_of AND (d.valid_to IS NULL OR d.valid_to > :as_of)
  AND (CAST(:code AS TEXT) IS NULL OR d.code = :code)
  AND (CAST(:minx AS float8) IS NULL
       OR ST_Intersects(d.geom, ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)))
ORDER BY d.code LIMIT :limit OFFSET :offset;

-- name: event_page_count
SELECT count(*) FROM event
WHERE city = :city AND layer = :layer AND status = ANY(:statuses)
  AND (CAST(:event_id AS TEXT) IS NULL OR id = :event_id)
  AND (CAST(:start AS TIMESTAMPTZ) IS NULL OR occurred_at >= :start)
  AND (CAST(:end AS TIMESTAMPTZ) IS NULL OR occurred_at < :end)
  AND (CAST(:minx AS float8) IS NULL
       OR geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326));

-- name: event_page
SELECT id, layer, occurred_at, attributes::text AS attributes, status,
       ST_AsBinary(geom) AS wkb FROM event
WHERE city = :city AND layer = :layer AND status = ANY(:statuses)
  AND (CAST(:event_id AS TEXT) IS NULL OR id = :event_id)
  AND (CAST(:start AS TIMESTAMPTZ) IS NULL OR occurred_at >= :start)
  AND (CAST(:end AS TIMESTAMPTZ) IS NULL OR occurred_at < :end)
  AND (CAST(:minx AS float8) IS NULL
       OR geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326))
ORDER BY occurred_at, id LIMIT :limit OFFSET :offset;

-- name: district_tile
-- The envelope is written out where it is used, not joined from a CTE: joined, it made
-- ST_AsMVTGeom 70 % slower (8.1 ms against 4.7 ms for a 374-district tile). ST_AsMVT of no rows
-- is an empty bytea (the route answers 204).
SELECT ST_AsMVT(shapes, :layer, 4096, 'geom') FROM (
    SELECT d.code, d.name_en, d.name_ar, d.area_m2,
           ST_AsMVTGeom(ST_Transform(d.geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true)
               AS geom
    FROM district d
    WHERE d.city = :city AND d.level = :level AND d.valid_from <= :as_of AND (d.valid_to IS NULL OR d.valid_to > :as_of)
      AND d.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)
) shapes;

-- name: indicator_tile
WITH chosen AS (
    -- NULL when the indicator has no values (in the requested period): then no shapes. A
    -- scalar subquery, so that the planner takes the period as a constant for the join.
    SELECT (SELECT max(period) FROM indicator_value
            WHERE city = :city AND level = :level AND indicator_id = :indicator_id
              AND (CAST(:period AS TEXT) IS NULL OR period = :period)) AS period
)
SELECT ST_AsMVT(shapes, :layer, 4096, 'geom') FROM (
    SELECT d.code, d.name_en, d.name_ar, chosen.period,
           CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
           CASE WHEN v.suppressed THEN NULL ELSE v.score END AS score,
           v.coverage, coalesce(v.suppressed, false) AS suppressed,
           coalesce(v.estimate, '') AS estimate,
           ST_AsMVTGeom(ST_Transform(d.geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true)
               AS geom
    FROM district d CROSS JOIN chosen
    LEFT JOIN indicator_value v
      ON v.city = d.city AND v.level = d.level AND v.district_code = d.code
     AND v.indicator_id = :indicator_id
     AND v.period = chosen.period
    WHERE d.city = :city AND d.level = :level AND d.valid_from <= :as_of AND (d.valid_to IS NULL OR d.valid_to > :as_of)
      AND chosen.period IS NOT NULL
      AND d.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)
) shapes;

-- name: event_tile
SELECT ST_AsMVT(shapes, :layer, 4096, 'geom') FROM (
    SELECT e.id, e.layer, e.attributes::text AS attributes,
           to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24\:MI\:SS"Z"') AS occurred_at,
           ST_AsMVTGeom(ST_Transform(e.geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true)
               AS geom
    FROM event e
    WHERE e.city = :city AND e.layer = :event_layer AND e.status = ANY(:statuses)
      AND e.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)
) shapes;


-- name: event_tile_grid
-- More points than a tile should carry: their exact count per cell of a :cell-metre grid
-- (web mercator), drawn at the mean of the cell's points (sql/common: event_tile_over).
SELECT ST_AsMVT(cells, :layer, 4096, 'geom') FROM (
    SELECT count(*)::integer AS count,
           ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(avg(mx), avg(my)), 3857),
                        ST_TileEnvelope(:z, :x, :y), 4096, 64, true) AS geom
    FROM (
        SELECT ST_X(e.geom) * 20037508.342789244 / 180 AS mx,
               ln(tan(pi() / 4 + radians(ST_Y(e.geom)) / 2)) * 6378137 AS my
        FROM event e
        WHERE e.city = :city AND e.layer = :event_layer AND e.status = ANY(:statuses)
          AND e.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
          AND ST_X(e.geom) BETWEEN :west AND :east AND ST_Y(e.geom) BETWEEN :south AND :north
    ) AS points
    GROUP BY floor((mx - :tile_minx) / :cell), floor((my - :tile_miny) / :cell)
) cells;

-- name: event_tile_over
-- Whether the tile holds more than :limit points (it stops counting there).
SELECT count(*) > :limit FROM (
    SELECT 1 FROM event e
    WHERE e.city = :city AND e.layer = :event_layer AND e.status = ANY(:statuses)
      AND e.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
      AND ST_X(e.geom) BETWEEN :west AND :east AND ST_Y(e.geom) BETWEEN :south AND :north
    LIMIT :limit_plus_one
) AS found;
