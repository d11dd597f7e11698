-- The definitions of indicator values that no definition file holds: a city's ICC
-- questionnaire and areas (`observatory icc score`), the city's own, scored into values whose
-- definition_hash is that of the text here. Stored with the values, in the same transaction,
-- so that a benchmark bundle carries them beside the values. One row per city, period and
-- indicator id: scoring a period again overwrites its rows in place (not deleted and
-- re-inserted under their key: DuckDB's ART limitation, see DuckDBStore._replace_observations).
-- The columns are a bundle's indicator_definitions.csv (observatory.models.DEFINITION_COLUMNS).
CREATE TABLE stored_definition (
    city            TEXT NOT NULL,
    period          TEXT NOT NULL,
    definition_id   TEXT NOT NULL,  -- the indicator id of the values (icc, icc.<area> …)
    kind            TEXT NOT NULL,  -- icc: a score of an ICC questionnaire
    framework       TEXT NOT NULL,
    dimension       TEXT NOT NULL DEFAULT '',
    subdimension    TEXT NOT NULL DEFAULT '',
    name_en         TEXT NOT NULL,
    name_ar         TEXT NOT NULL,
    unit            TEXT NOT NULL,
    direction       TEXT NOT NULL,
    group_dimension TEXT NOT NULL DEFAULT '',
    definition_hash TEXT NOT NULL,  -- first 16 hex digits of the sha256 of `definition`
    definition      TEXT NOT NULL,  -- canonical JSON
    PRIMARY KEY (city, period, definition_id)
);
