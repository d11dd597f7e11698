-- Geographic levels (DESIGN.md "Data model"): a city has named levels, each with its parent and
-- its own boundary versions; observations and indicator values belong to a level. A store from
-- before this file has one level per city, `district`. DuckDB cannot change a primary key in
-- place, so the three keyed tables are rebuilt with `level` in their key.

CREATE TABLE geo_level (
    city          TEXT NOT NULL,
    level         TEXT NOT NULL,
    parent        TEXT,              -- NULL: the city's top level
    name_en       TEXT NOT NULL DEFAULT '',
    name_ar       TEXT NOT NULL DEFAULT '',
    parent_prefix INTEGER,           -- codes encode nesting: a code's first n characters are its parent's
    parent_expression TEXT,          -- … or this expression over the number `code` is
    PRIMARY KEY (city, level)
);
INSERT INTO geo_level (city, level, name_en, name_ar)
SELECT DISTINCT city, 'district', 'Districts', 'الأحياء' FROM (
    SELECT city FROM district UNION SELECT city FROM observation
    UNION SELECT city FROM indicator_value) AS used;

CREATE TABLE district_v4 (
    city        TEXT NOT NULL,
    level       TEXT NOT NULL DEFAULT 'district',
    code        TEXT NOT NULL,
    parent_code TEXT,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    name_en     TEXT NOT NULL DEFAULT '',
    name_ar     TEXT NOT NULL DEFAULT '',
    area_m2     DOUBLE,
    geom        GEOMETRY NOT NULL,
    ingest_run  TEXT NOT NULL,
    PRIMARY KEY (city, level, code, valid_from)
);
INSERT INTO district_v4 (city, code, valid_from, valid_to, name_en, name_ar, area_m2, geom, ingest_run)
SELECT city, code, valid_from, valid_to, name_en, name_ar, area_m2, geom, ingest_run FROM district;
DROP TABLE district;
ALTER TABLE district_v4 RENAME TO district;

CREATE TABLE observation_v4 (
    city          TEXT NOT NULL,
    level         TEXT NOT NULL DEFAULT 'district',
    district_code TEXT NOT NULL,
    period        TEXT NOT NULL,
    variable      TEXT NOT NULL,
    dims          TEXT NOT NULL DEFAULT '{}',
    value         DOUBLE,
    unit          TEXT NOT NULL DEFAULT '',
    ingest_run    TEXT NOT NULL,
    PRIMARY KEY (city, level, district_code, period, variable, dims)
);
INSERT INTO observation_v4 (city, district_code, period, variable, dims, value, unit, ingest_run)
SELECT city, district_code, period, variable, dims, value, unit, ingest_run FROM observation;
DROP TABLE observation;
ALTER TABLE observation_v4 RENAME TO observation;

-- `estimate` names the method when a value was carried from other boundaries (a crosswalk);
-- '' when it was computed from data loaded (or summed exactly) onto these areas.
CREATE TABLE indicator_value_v4 (
    city            TEXT NOT NULL,
    level           TEXT NOT NULL DEFAULT 'district',
    district_code   TEXT,
    period          TEXT NOT NULL,
    indicator_id    TEXT NOT NULL,
    value           DOUBLE,
    score           DOUBLE,
    coverage        DOUBLE,
    suppressed      BOOLEAN NOT NULL DEFAULT FALSE,
    definition_hash TEXT NOT NULL DEFAULT '',
    source_runs     TEXT NOT NULL DEFAULT '',
    estimate        TEXT NOT NULL DEFAULT '',
    computed_at     TIMESTAMPTZ NOT NULL
);
INSERT INTO indicator_value_v4 (city, district_code, period, indicator_id, value, score, coverage,
                                suppressed, definition_hash, source_runs, computed_at)
SELECT city, district_code, period, indicator_id, value, score, coverage, suppressed,
       definition_hash, source_runs, computed_at FROM indicator_value;
DROP TABLE indicator_value;
ALTER TABLE indicator_value_v4 RENAME TO indicator_value;
CREATE INDEX indicator_value_lookup ON indicator_value (city, level, indicator_id, period);

-- Weights that carry counts from the areas of one boundary version onto those of a later one
-- (same level, or an ancestor level when the old level has no later geometry). Rewritten for
-- the city by every boundaries ingest, in its transaction.
CREATE TABLE crosswalk (
    city         TEXT NOT NULL,
    from_level   TEXT NOT NULL,
    from_version DATE NOT NULL,
    from_code    TEXT NOT NULL,
    to_level     TEXT NOT NULL,
    to_version   DATE NOT NULL,
    to_code      TEXT NOT NULL,
    weight       DOUBLE NOT NULL,
    method       TEXT NOT NULL,
    PRIMARY KEY (city, from_level, from_version, from_code, to_level, to_version, to_code)
);
