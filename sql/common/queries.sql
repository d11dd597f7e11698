-- Named queries that read the same in both dialects. Parameters are :name (SQLAlchemy text());
-- the DuckDB store rewrites them as $name when it loads this file (casts such as ::text stay).
-- An optional parameter is tested as CAST(:x AS <type>) IS NULL, which both dialects accept.
-- Batches (*_batch) are staged by each store: registered frames in DuckDB, COPY in PostGIS.
-- Queries that differ live in sql/<dialect>/queries.sql.

-- name: create_schema_migration
CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);

-- name: has_schema_migration
SELECT count(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name = 'schema_migration';

-- name: applied_schema_files
SELECT name FROM schema_migration ORDER BY name;

-- name: record_schema_file
INSERT INTO schema_migration (name, applied_at) VALUES (:name, :applied_at);

-- name: upsert_city
INSERT INTO city (slug, name_en, name_ar, country, local_crs, population)
VALUES (:slug, :name_en, :name_ar, :country, :local_crs, :population)
ON CONFLICT (slug) DO UPDATE SET
    name_en = excluded.name_en, name_ar = excluded.name_ar, country = excluded.country,
    local_crs = excluded.local_crs, population = excluded.population;

-- name: cities
SELECT slug, name_en, name_ar, country, local_crs, population FROM city ORDER BY slug;

-- name: find_run
SELECT * FROM ingest_run
WHERE city = :city AND feed = :feed AND content_hash = :content_hash AND status = 'succeeded'
ORDER BY started_at DESC LIMIT 1;

-- name: insert_run
INSERT INTO ingest_run (id, city, feed, source_name, content_hash, started_at, finished_at,
                        status, rows_read, rows_loaded, rows_rejected, message, spec_name)
VALUES (:id, :city, :feed, :source_name, :content_hash, :started_at, :finished_at,
        :status, :rows_read, :rows_loaded, :rows_rejected, :message, :spec_name);

-- name: runs
SELECT * FROM ingest_run WHERE CAST(:city AS TEXT) IS NULL OR city = :city
ORDER BY started_at DESC;

-- name: run
SELECT * FROM ingest_run WHERE id = :run_id;

-- name: insert_rejected
INSERT INTO rejected_row (run_id, row_number, column_name, reason, raw)
SELECT :run_id, row_number, column_name, reason, raw FROM rejected_batch;

-- name: rejected_rows
SELECT row_number, column_name, reason, raw FROM rejected_row
WHERE run_id = :run_id ORDER BY row_number NULLS FIRST;

-- Loading. A run replaces the rows of earlier runs of the same (city, feed, spec) within its
-- scope: the periods x variables it loads (observations), the layers x time range it loads
-- (events); never by the file's name. Runs from before 003_replacement_scope.sql have no spec:
-- their source name stands in for it, inside the same scope. A spec's `replaces:` retires
-- the named earlier runs' rows whole. Districts are versioned by valid_from instead.

-- name: delete_superseded_observations
DELETE FROM observation
WHERE city = :city AND level = :level AND period = ANY(:periods) AND variable = ANY(:variables)
  AND ingest_run IN (
    SELECT id FROM ingest_run
    WHERE city = :city AND feed = :feed AND id <> :run_id
      AND (spec_name = :spec_name OR spec_name IS NULL AND source_name = :source_name));

-- name: delete_superseded_events
DELETE FROM event
WHERE city = :city AND layer = ANY(:layers) AND occurred_at >= :start AND occurred_at <= :end
  AND ingest_run IN (
    SELECT id FROM ingest_run
    WHERE city = :city AND feed = :feed AND id <> :run_id
      AND (spec_name = :spec_name OR spec_name IS NULL AND source_name = :source_name));

-- name: retire_observations
DELETE FROM observation WHERE city = :city AND ingest_run = ANY(:replaced);

-- name: retire_events
DELETE FROM event WHERE city = :city AND ingest_run = ANY(:replaced);

-- name: rows_held
SELECT (SELECT count(*) FROM district WHERE ingest_run = :run_id)
     + (SELECT count(*) FROM observation WHERE ingest_run = :run_id)
     + (SELECT count(*) FROM event WHERE ingest_run = :run_id);

-- name: delete_same_vintage
DELETE FROM district WHERE city = :city AND level = :level AND valid_from = :valid_from;

-- name: close_earlier_versions
UPDATE district SET valid_to = :valid_from
WHERE city = :city AND level = :level AND valid_from < :valid_from
  AND (valid_to IS NULL OR valid_to > :valid_from);

-- name: next_version_start
SELECT min(valid_from) FROM district
WHERE city = :city AND level = :level AND valid_from > :valid_from;

-- name: upsert_observations
INSERT INTO observation (city, level, district_code, period, variable, dims, value, unit,
                         ingest_run)
SELECT :city, :level, district_code, period, variable, dims, value, unit, :run_id
FROM observation_batch
ON CONFLICT (city, level, district_code, period, variable, dims) DO UPDATE SET
    value = excluded.value, unit = excluded.unit, ingest_run = excluded.ingest_run;

-- Reading.

-- name: districts
SELECT code, name_en, name_ar, area_m2, parent_code, ST_AsBinary(geom) AS wkb
FROM district
WHERE city = :city AND level = :level AND valid_from <= :as_of
  AND (valid_to IS NULL OR valid_to > :as_of)
ORDER BY code;

-- name: version_districts
SELECT code, name_en, name_ar, area_m2, parent_code, ST_AsBinary(geom) AS wkb
FROM district WHERE city = :city AND level = :level AND valid_from = :valid_from ORDER BY code;

-- name: boundary_versions
SELECT level, valid_from, valid_to, count(*) AS areas FROM district WHERE city = :city
GROUP BY level, valid_from, valid_to ORDER BY level, valid_from;

-- Levels and crosswalks.

-- name: upsert_level
INSERT INTO geo_level (city, level, parent, name_en, name_ar, parent_prefix, parent_expression)
VALUES (:city, :level, :parent, :name_en, :name_ar, :parent_prefix, :parent_expression)
ON CONFLICT (city, level) DO UPDATE SET
    parent = excluded.parent, name_en = excluded.name_en, name_ar = excluded.name_ar,
    parent_prefix = excluded.parent_prefix, parent_expression = excluded.parent_expression;

-- name: levels
SELECT level, parent, name_en, name_ar, parent_prefix, parent_expression FROM geo_level
WHERE city = :city ORDER BY level;

-- name: delete_crosswalk
DELETE FROM crosswalk WHERE city = :city;

-- name: delete_crosswalk_not_reloaded
-- The weights the new crosswalk has no key for; upsert_crosswalk overwrites the others.
DELETE FROM crosswalk
WHERE city = :city AND NOT EXISTS (
    SELECT 1 FROM crosswalk_batch b
    WHERE b.from_level = crosswalk.from_level
      AND CAST(b.from_version AS DATE) = crosswalk.from_version
      AND b.from_code = crosswalk.from_code AND b.to_level = crosswalk.to_level
      AND CAST(b.to_version AS DATE) = crosswalk.to_version AND b.to_code = crosswalk.to_code);

-- name: upsert_crosswalk
INSERT INTO crosswalk (city, from_level, from_version, from_code, to_level, to_version, to_code,
                       weight, method)
SELECT :city, from_level, CAST(from_version AS DATE), from_code, to_level,
       CAST(to_version AS DATE), to_code, weight, method
FROM crosswalk_batch
ON CONFLICT (city, from_level, from_version, from_code, to_level, to_version, to_code)
DO UPDATE SET weight = excluded.weight, method = excluded.method;

-- name: crosswalk
SELECT from_level, from_version, from_code, to_level, to_version, to_code, weight, method
FROM crosswalk WHERE city = :city
ORDER BY from_level, from_version, from_code, to_level, to_version, to_code;

-- name: city_extent
SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom))
FROM (SELECT geom FROM district WHERE city = :city
      UNION ALL SELECT geom FROM event WHERE city = :city) AS city_geometry;

-- name: observations
SELECT level, district_code, period, variable, dims, value, unit, ingest_run FROM observation
WHERE city = :city AND (CAST(:level AS TEXT) IS NULL OR level = :level)
  AND (CAST(:variables AS TEXT[]) IS NULL OR variable = ANY(:variables))
  AND (CAST(:periods AS TEXT[]) IS NULL OR period = ANY(:periods))
ORDER BY level, variable, period, district_code, dims;

-- name: periods
SELECT DISTINCT period FROM observation
WHERE city = :city AND (CAST(:variable AS TEXT) IS NULL OR variable = :variable) ORDER BY period;

-- name: events
SELECT id, layer, occurred_at, attributes::text AS attributes, status,
       ST_AsBinary(geom) AS wkb
FROM event
WHERE city = :city AND (CAST(:layer AS TEXT) IS NULL OR layer = :layer)
  AND (CAST(:start AS TIMESTAMPTZ) IS NULL OR occurred_at >= :start)
  AND (CAST(:end AS TIMESTAMPTZ) IS NULL OR occurred_at < :end)
  AND status = ANY(:statuses)
ORDER BY occurred_at, id;

-- name: event_layers
SELECT DISTINCT layer FROM event
WHERE city = :city AND status = ANY(:statuses) ORDER BY layer;

-- Field reports and API keys.

-- name: set_event_status
UPDATE event SET status = :status WHERE id = :event_id RETURNING id;

-- name: add_attachment
INSERT INTO attachment (id, event_id, sha256, media_type, size_bytes, path, created_at)
VALUES (:id, :event_id, :sha256, :media_type, :size_bytes, :path, :created_at);

-- name: attachments
SELECT id, event_id, sha256, media_type, size_bytes, path, created_at FROM attachment
WHERE event_id = :event_id ORDER BY created_at, id;

-- name: published_attachment
SELECT a.id, a.event_id, a.sha256, a.media_type, a.size_bytes, a.path, a.created_at
FROM attachment a JOIN event e ON e.id = a.event_id
WHERE a.sha256 = :sha256 AND e.status = 'published'
ORDER BY a.created_at LIMIT 1;

-- name: add_api_key
INSERT INTO api_key (key_hash, role, label, created_at)
VALUES (:key_hash, :role, :label, :created_at);

-- name: api_key_role
SELECT role FROM api_key WHERE key_hash = :key_hash;

-- Indicators.

-- name: delete_indicator_values
DELETE FROM indicator_value
WHERE city = :city AND (level, indicator_id, period) IN (
    SELECT DISTINCT level, indicator_id, period FROM value_batch);

-- name: insert_indicator_values
INSERT INTO indicator_value (city, level, district_code, period, indicator_id, value, score,
                             coverage, suppressed, definition_hash, source_runs, estimate,
                             computed_at)
SELECT :city, level, district_code, period, indicator_id, value, score, coverage,
       suppressed, definition_hash, source_runs, estimate, :computed_at
FROM value_batch;

-- name: upsert_stored_definitions
-- The definitions of values no definition file holds (009_stored_definitions.sql).
INSERT INTO stored_definition (city, period, definition_id, kind, framework, dimension,
                               subdimension, name_en, name_ar, unit, direction,
                               group_dimension, definition_hash, definition)
SELECT :city, period, definition_id, kind, framework, dimension, subdimension, name_en,
       name_ar, unit, direction, group_dimension, definition_hash, definition
FROM definition_batch
ON CONFLICT (city, period, definition_id) DO UPDATE SET
    kind = excluded.kind, framework = excluded.framework, dimension = excluded.dimension,
    subdimension = excluded.subdimension, name_en = excluded.name_en,
    name_ar = excluded.name_ar, unit = excluded.unit, direction = excluded.direction,
    group_dimension = excluded.group_dimension, definition_hash = excluded.definition_hash,
    definition = excluded.definition;

-- name: stored_definitions
SELECT period, definition_id, kind, framework, dimension, subdimension, name_en, name_ar, unit,
       direction, group_dimension, definition_hash, definition
FROM stored_definition WHERE city = :city
ORDER BY definition_id, period;

-- name: indicator_periods
SELECT DISTINCT indicator_id, period FROM indicator_value
WHERE city = :city AND level = :level AND (CAST(:indicator_id AS TEXT) IS NULL OR indicator_id = :indicator_id)
ORDER BY indicator_id, period;

-- name: indicator_values
SELECT district_code, period, indicator_id, value, score, coverage, suppressed, definition_hash,
       source_runs, estimate, computed_at
FROM indicator_value
WHERE city = :city AND level = :level AND (CAST(:indicator_id AS TEXT) IS NULL OR indicator_id = :indicator_id)
  AND (CAST(:period AS TEXT) IS NULL OR period = :period)
  AND (CAST(:codes AS TEXT[]) IS NULL OR district_code = ANY(:codes))
ORDER BY indicator_id, period, district_code NULLS FIRST;

-- name: published_values
-- Every city's published values (not suppressed, with a value) at its top level, in one read:
-- what a comparison of cities takes (city-level rows have no district_code). The top level as
-- in top_level; a city without declared levels has `district`.
WITH top AS (
    SELECT c.slug AS city, COALESCE(min(g.level), 'district') AS level
    FROM city c LEFT JOIN geo_level g ON g.city = c.slug AND g.parent IS NULL
    GROUP BY c.slug
)
SELECT v.city, v.district_code, v.period, v.indicator_id, v.value, v.coverage,
       v.definition_hash, v.estimate
FROM indicator_value v JOIN top t ON t.city = v.city AND t.level = v.level
WHERE NOT v.suppressed AND v.value IS NOT NULL
ORDER BY v.city, v.indicator_id, v.period, v.district_code NULLS FIRST;

-- name: ensure_default_level
-- A city loaded without declared levels has one, `district`.
INSERT INTO geo_level (city, level, name_en, name_ar)
SELECT :city, 'district', 'Districts', 'الأحياء'
WHERE NOT EXISTS (SELECT 1 FROM geo_level WHERE city = :city);

-- name: top_level
SELECT level FROM geo_level WHERE city = :city AND parent IS NULL ORDER BY level LIMIT 1;

-- External peers (benchmark bundles, 005_external_peers.sql).

-- name: external_peers
SELECT city, bundle_id, origin, origin_city, observatory_version, format_version, exported_at,
       imported_at, checksums, provenance, definitions
FROM external_peer ORDER BY city;

-- name: external_peer_exported_at
SELECT exported_at FROM external_peer WHERE city = :city;

-- name: is_external_city
SELECT count(*) FROM external_peer WHERE city = :city;

-- name: delete_city_indicator_values
DELETE FROM indicator_value WHERE city = :city;

-- name: upsert_external_peer
-- A newer bundle of the peer overwrites its row in place (not deleted and re-inserted under
-- its key: DuckDB's ART limitation, see DuckDBStore._replace_observations).
INSERT INTO external_peer (city, bundle_id, origin, origin_city, observatory_version,
                           format_version, exported_at, imported_at, checksums, provenance,
                           definitions)
VALUES (:city, :bundle_id, :origin, :origin_city, :observatory_version, :format_version,
        :exported_at, :imported_at, :checksums, :provenance, :definitions)
ON CONFLICT (city) DO UPDATE SET
    bundle_id = excluded.bundle_id, origin = excluded.origin, origin_city = excluded.origin_city,
    observatory_version = excluded.observatory_version,
    format_version = excluded.format_version, exported_at = excluded.exported_at,
    imported_at = excluded.imported_at, checksums = excluded.checksums,
    provenance = excluded.provenance, definitions = excluded.definitions;

-- name: own_city_count
-- A city of this store's own: loaded here (its runs), or listed and not an external peer.
SELECT (SELECT count(*) FROM ingest_run WHERE city = :city)
     + (SELECT count(*) FROM city
        WHERE slug = :city AND slug NOT IN (SELECT city FROM external_peer));

-- name: data_version
SELECT version FROM data_version WHERE id = 1;

-- name: bump_data_version
UPDATE data_version SET version = version + 1 WHERE id = 1;

-- Big event layers (DESIGN.md "Maps"): past a few thousand points a tile or a page carries
-- exact counts per grid cell instead of the points (the tiles: sql/<dialect>: event_tile_grid).

-- name: event_layer_sizes
SELECT layer, count(*) AS events,
       count(DISTINCT CAST(occurred_at AT TIME ZONE 'UTC' AS DATE)) AS days,
       min(ST_X(geom)) AS west, min(ST_Y(geom)) AS south,
       max(ST_X(geom)) AS east, max(ST_Y(geom)) AS north
FROM event
WHERE city = :city AND status = ANY(:statuses)
GROUP BY layer ORDER BY layer;

-- name: event_cells
-- Events of the layers given in [:start, :end) counted per grid cell (lon/lat, :cell degrees
-- from :west, :south); each cell's point is the mean of its events: the heat surface's binned
-- input, a few numbers per occupied cell whatever the number of events.
SELECT count(*) AS events, avg(ST_X(geom)) AS lon, avg(ST_Y(geom)) AS lat
FROM event
WHERE city = :city AND layer = ANY(:layers) AND status = ANY(:statuses)
  AND (CAST(:start AS TIMESTAMPTZ) IS NULL OR occurred_at >= :start)
  AND (CAST(:end AS TIMESTAMPTZ) IS NULL OR occurred_at < :end)
GROUP BY floor((ST_X(geom) - :west) / :cell), floor((ST_Y(geom) - :south) / :cell)
ORDER BY lon, lat;

-- name: event_day_cells
-- Events of one layer counted per grid cell (lon/lat, :cell degrees) and day (UTC); each
-- cell's point is the mean of its events.
SELECT CAST(occurred_at AT TIME ZONE 'UTC' AS DATE) AS day, count(*) AS events,
       avg(ST_X(geom)) AS lon, avg(ST_Y(geom)) AS lat
FROM event
WHERE city = :city AND layer = :layer AND status = ANY(:statuses)
GROUP BY floor((ST_X(geom) - :west) / :cell), floor((ST_Y(geom) - :south) / :cell),
         CAST(occurred_at AT TIME ZONE 'UTC' AS DATE)
ORDER BY day, lon, lat;

-- name: save_upload
INSERT INTO upload (id, city, feed, filename, file_type, size_bytes, sha256, path, uploaded_by,
                    uploaded_at, status, spec, job_id, run_id, rows_loaded, rows_rejected,
                    message, file_kept)
VALUES (:id, :city, :feed, :filename, :file_type, :size_bytes, :sha256, :path, :uploaded_by,
        :uploaded_at, :status, :spec, :job_id, :run_id, :rows_loaded, :rows_rejected,
        :message, :file_kept);

-- name: update_upload
UPDATE upload SET status = :status, spec = :spec, job_id = :job_id, run_id = :run_id,
                  rows_loaded = :rows_loaded, rows_rejected = :rows_rejected,
                  message = :message, file_kept = :file_kept
WHERE id = :id;

-- name: upload
SELECT id, city, feed, filename, file_type, size_bytes, sha256, path, uploaded_by, uploaded_at,
       status, spec, job_id, run_id, rows_loaded, rows_rejected, message, file_kept
FROM upload WHERE id = :id;

-- name: city_uploads
SELECT id, city, feed, filename, file_type, size_bytes, sha256, path, uploaded_by, uploaded_at,
       status, spec, job_id, run_id, rows_loaded, rows_rejected, message, file_kept
FROM upload WHERE city = :city ORDER BY uploaded_at DESC, id;
