-- Geographic levels (DESIGN.md "Data model"): a city has named levels, each with its parent and
-- its own boundary versions; observations and indicator values belong to a level. A store from
-- before this file has one level per city, `district`. The keyed tables get `level` in
-- their primary key.

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

ALTER TABLE district ADD COLUMN level TEXT NOT NULL DEFAULT 'district';
ALTER TABLE district ADD COLUMN parent_code TEXT;
ALTER TABLE district DROP CONSTRAINT district_pkey;
ALTER TABLE district ADD PRIMARY KEY (city, level, code, valid_from);

ALTER TABLE observation ADD COLUMN level TEXT NOT NULL DEFAULT 'district';
ALTER TABLE observation DROP CONSTRAINT observation_pkey;
ALTER TABLE observation ADD PRIMARY KEY (city, level, district_code, period, variable, dims);

-- `estimate` names the method when a value was carried from other boundaries (a crosswalk);
-- '' when it was computed from data loaded (or summed exactly) onto these areas.
DROP INDEX indicator_value_lookup;
ALTER TABLE indicator_value ADD COLUMN level TEXT NOT NULL DEFAULT 'district';
ALTER TABLE indicator_value ADD COLUMN estimate TEXT NOT NULL DEFAULT '';
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
    weight       DOUBLE PRECISION NOT NULL,
    method       TEXT NOT NULL,
    PRIMARY KEY (city, from_level, from_version, from_code, to_level, to_version, to_code)
);
