-- Named queries of the DuckDB store that read differently in PostGIS (the shared ones are in
-- sql/common/queries.sql). Parameters are $name. Batches are frames registered by the store.

-- Districts and events are written as the observations below are: the rows a load replaces
-- (sql/common: delete_same_vintage; retire_events, delete_superseded_events) less the keys the
-- batch loads again, which the upserts then overwrite in place, so that the store does not
-- delete and re-insert a primary key in one transaction (DuckDB's ART limitation,
-- duckdb_store.DuckDBStore._replace_observations). Only a changed geometry is still rewritten
-- so, by DuckDB itself (update_changed_district_geometries).

-- name: delete_same_vintage_not_reloaded
DELETE FROM district
WHERE city = $city AND level = $level AND valid_from = $valid_from
  AND NOT EXISTS (SELECT 1 FROM district_batch b WHERE b.code = district.code);

-- name: upsert_districts
INSERT INTO district (city, level, code, parent_code, valid_from, valid_to, name_en, name_ar,
                      area_m2, geom, ingest_run)
SELECT $city, $level, code, parent_code, $valid_from, $valid_to, name_en, name_ar, area_m2,
       ST_GeomFromWKB(wkb), $run_id
FROM district_batch
ON CONFLICT (city, level, code, valid_from) DO UPDATE SET
    parent_code = excluded.parent_code, valid_to = excluded.valid_to,
    name_en = excluded.name_en, name_ar = excluded.name_ar, area_m2 = excluded.area_m2,
    ingest_run = excluded.ingest_run;

-- name: update_changed_district_geometries
-- Apart from the upsert, and only where the shape changed: DuckDB (1.5) rewrites a row whose
-- GEOMETRY is updated as a delete and an insert (a new rowid), the other columns in place.
UPDATE district SET geom = ST_GeomFromWKB(b.wkb)
FROM district_batch b
WHERE district.city = $city AND district.level = $level AND district.valid_from = $valid_from
  AND district.code = b.code AND ST_AsWKB(district.geom) <> b.wkb;

-- name: retire_events_not_reloaded
DELETE FROM event
WHERE city = $city AND ingest_run = ANY($replaced)
  AND NOT EXISTS (SELECT 1 FROM event_batch b WHERE b.id = event.id);

-- name: delete_superseded_events_not_reloaded
DELETE FROM event
WHERE city = $city AND layer = ANY($layers) AND occurred_at >= $start AND occurred_at <= $end
  AND ingest_run IN (
    SELECT id FROM ingest_run
    WHERE city = $city AND feed = $feed AND id <> $run_id
      AND (spec_name = $spec_name OR spec_name IS NULL AND source_name = $source_name))
  AND NOT EXISTS (SELECT 1 FROM event_batch b WHERE b.id = event.id);

-- name: upsert_replaced_events
-- Only the ids held by rows the load replaces (retired or superseded, as in the deletes above):
-- an id held by any other row (another city's, a field report, outside the scope) is left to
-- insert_new_events, whose primary key refuses it as a plain INSERT did.
INSERT INTO event (id, city, layer, occurred_at, geom, attributes, status, ingest_run)
SELECT id, $city, layer, occurred_at, ST_GeomFromWKB(wkb), attributes, status, $run_id
FROM event_batch
WHERE id IN (
    SELECT id FROM event
    WHERE city = $city AND (
        ingest_run = ANY($replaced)
        OR layer = ANY($layers) AND occurred_at >= $start AND occurred_at <= $end
           AND ingest_run IN (
             SELECT id FROM ingest_run
             WHERE city = $city AND feed = $feed AND id <> $run_id
               AND (spec_name = $spec_name OR spec_name IS NULL AND source_name = $source_name))))
ON CONFLICT (id) DO UPDATE SET
    layer = excluded.layer, occurred_at = excluded.occurred_at,
    attributes = excluded.attributes, status = excluded.status,
    ingest_run = excluded.ingest_run;

-- name: insert_new_events
-- The rest of the batch: the events upsert_replaced_events did not write.
INSERT INTO event (id, city, layer, occurred_at, geom, attributes, status, ingest_run)
SELECT id, $city, layer, occurred_at, ST_GeomFromWKB(wkb), attributes, status, $run_id
FROM event_batch b
WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = b.id AND e.ingest_run = $run_id);

-- name: update_changed_event_geometries
-- As update_changed_district_geometries: the points upsert_replaced_events kept that moved.
UPDATE event SET geom = ST_GeomFromWKB(b.wkb)
FROM event_batch b
WHERE event.id = b.id AND event.ingest_run = $run_id AND ST_AsWKB(event.geom) <> b.wkb;

-- The observations' replacement (sql/common: retire_observations,
-- delete_superseded_observations) less the keys the batch loads again, which upsert_observations
-- (sql/common) then overwrites in place.

-- name: retire_observations_not_reloaded
DELETE FROM observation
WHERE city = $city AND ingest_run = ANY($replaced)
  AND NOT EXISTS (
    SELECT 1 FROM observation_batch b
    WHERE b.district_code = observation.district_code AND b.period = observation.period
      AND b.variable = observation.variable AND b.dims = observation.dims
      AND observation.level = $level);

-- name: delete_superseded_observations_not_reloaded
DELETE FROM observation
WHERE city = $city AND level = $level AND period = ANY($periods) AND variable = ANY($variables)
  AND ingest_run IN (
    SELECT id FROM ingest_run
    WHERE city = $city AND feed = $feed AND id <> $run_id
      AND (spec_name = $spec_name OR spec_name IS NULL AND source_name = $source_name))
  AND NOT EXISTS (
    SELECT 1 FROM observation_batch b
    WHERE b.district_code = observation.district_code AND b.period = observation.period
      AND b.variable = observation.variable AND b.dims = observation.dims);

-- name: add_event
INSERT INTO event (id, city, layer, occurred_at, geom, attributes, status, submitter)
SELECT id, $city, layer, occurred_at, ST_GeomFromWKB(wkb), attributes, status, $submitter
FROM event_batch;

-- name: district_page_count
SELECT count(*) FROM district
WHERE city = $city AND level = $level AND valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
  AND ($code IS NULL OR code = $code)
  AND ($bbox IS NULL OR ST_Intersects_Extent(geom, ST_GeomFromWKB($bbox)));

-- name: district_page
SELECT code, name_en, name_ar, area_m2, ST_AsWKB(geom) AS wkb FROM district
WHERE city = $city AND level = $level AND valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
  AND ($code IS NULL OR code = $code)
  AND ($bbox IS NULL OR ST_Intersects_Extent(geom, ST_GeomFromWKB($bbox)))
ORDER BY code LIMIT $limit OFFSET $offset;

-- name: event_page_count
SELECT count(*) FROM event
WHERE city = $city AND layer = $layer AND list_contains($statuses, status)
  AND ($event_id IS NULL OR id = $event_id)
  AND ($start IS NULL OR occurred_at >= $start) AND ($end IS NULL OR occurred_at < $end)
  AND ($bbox IS NULL OR ST_Intersects_Extent(geom, ST_GeomFromWKB($bbox)));

-- name: event_page
SELECT id, layer, occurred_at, attributes, status, ST_AsWKB(geom) AS wkb FROM event
WHERE city = $city AND layer = $layer AND list_contains($statuses, status)
  AND ($event_id IS NULL OR id = $event_id)
  AND ($start IS NULL OR occurred_at >= $start) AND ($end IS NULL OR occurred_at < $end)
  AND ($bbox IS NULL OR ST_Intersects_Extent(geom, ST_GeomFromWKB($bbox)))
ORDER BY occurred_at, id LIMIT $limit OFFSET $offset;

-- name: district_tile
-- The envelope is written out where it is used, not joined from a CTE, and empty tiles are
-- told by count(geom), not by filtering on geom: either way DuckDB computed every
-- ST_AsMVTGeom twice (42 ms against 26 ms for a 374-district tile). An empty tile is NULL.
SELECT CASE WHEN count(geom) > 0 THEN ST_AsMVT(shapes, $layer, 4096, 'geom') END FROM (
    SELECT d.code, d.name_en, d.name_ar, d.area_m2,
           ST_AsMVTGeom(ST_Transform(d.geom, 'EPSG:4326', 'EPSG:3857', always_xy := true),
                        ST_Extent(ST_TileEnvelope($z, $x, $y)), 4096, 64, true) AS geom
    FROM district d
    WHERE d.city = $city AND d.level = $level AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to > $as_of)
      AND ST_Intersects_Extent(d.geom, ST_Transform(ST_TileEnvelope($z, $x, $y), 'EPSG:3857',
                                                    'EPSG:4326', always_xy := true))
) shapes;

-- name: indicator_tile
WITH chosen AS (
    -- NULL when the indicator has no values (in the requested period): then no shapes.
    SELECT (SELECT max(period) FROM indicator_value
            WHERE city = $city AND level = $level AND indicator_id = $indicator_id
              AND ($period IS NULL OR period = $period)) AS period
)
SELECT CASE WHEN count(geom) > 0 THEN ST_AsMVT(shapes, $layer, 4096, 'geom') END FROM (
    SELECT d.code, d.name_en, d.name_ar, chosen.period,
           CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
           CASE WHEN v.suppressed THEN NULL ELSE v.score END AS score,
           v.coverage, coalesce(v.suppressed, false) AS suppressed,
           coalesce(v.estimate, '') AS estimate,
           ST_AsMVTGeom(ST_Transform(d.geom, 'EPSG:4326', 'EPSG:3857', always_xy := true),
                        ST_Extent(ST_TileEnvelope($z, $x, $y)), 4096, 64, true) AS geom
    FROM district d CROSS JOIN chosen
    LEFT JOIN indicator_value v
      ON v.city = d.city AND v.level = d.level AND v.district_code = d.code
     AND v.indicator_id = $indicator_id
     AND v.period = chosen.period
    WHERE d.city = $city AND d.level = $level AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to > $as_of)
      AND chosen.period IS NOT NULL
      AND ST_Intersects_Extent(d.geom, ST_Transform(ST_TileEnvelope($z, $x, $y), 'EPSG:3857',
                                                    'EPSG:4326', always_xy := true))
) shapes;

-- name: event_tile
SELECT CASE WHEN count(geom) > 0 THEN ST_AsMVT(shapes, $layer, 4096, 'geom') END FROM (
    SELECT e.id, e.layer, e.attributes,
           strftime(e.occurred_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS occurred_at,
           ST_AsMVTGeom(ST_Transform(e.geom, 'EPSG:4326', 'EPSG:3857', always_xy := true),
                        ST_Extent(ST_TileEnvelope($z, $x, $y)), 4096, 64, true) AS geom
    FROM event e
    WHERE e.city = $city AND e.layer = $event_layer AND list_contains($statuses, e.status)
      AND ST_Intersects_Extent(e.geom, ST_Transform(ST_TileEnvelope($z, $x, $y), 'EPSG:3857',
                                                    'EPSG:4326', always_xy := true))
) shapes;


-- name: event_tile_grid
-- More points than a tile should carry: their exact count per cell of a :cell-metre grid
-- (web mercator), drawn at the mean of the cell's points (sql/common: event_tile_over).
SELECT CASE WHEN count(geom) > 0 THEN ST_AsMVT(cells, $layer, 4096, 'geom') END FROM (
    SELECT CAST(count(*) AS INTEGER) AS count,
           ST_AsMVTGeom(ST_Point(avg(mx), avg(my)), ST_Extent(ST_TileEnvelope($z, $x, $y)),
                        4096, 64, true) AS geom
    FROM (
        SELECT ST_X(e.geom) * 20037508.342789244 / 180 AS mx,
               ln(tan(pi() / 4 + radians(ST_Y(e.geom)) / 2)) * 6378137 AS my
        FROM event e
        WHERE e.city = $city AND e.layer = $event_layer AND list_contains($statuses, e.status)
          AND ST_X(e.geom) BETWEEN $west AND $east AND ST_Y(e.geom) BETWEEN $south AND $north
    ) AS points
    GROUP BY floor((mx - $tile_minx) / $cell), floor((my - $tile_miny) / $cell)
) cells;

-- name: event_tile_over
-- Whether the tile holds more than :limit points (it stops counting there).
SELECT count(*) > $limit FROM (
    SELECT 1 FROM event e
    WHERE e.city = $city AND e.layer = $event_layer AND list_contains($statuses, e.status)
      AND ST_X(e.geom) BETWEEN $west AND $east AND ST_Y(e.geom) BETWEEN $south AND $north
    LIMIT $limit_plus_one
) AS found;
