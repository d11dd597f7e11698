-- The observatory's data model (DESIGN.md "Data model"), PostGIS dialect.
-- Geometry is EPSG:4326; metric work happens in each city's local CRS.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE city (
    slug        TEXT PRIMARY KEY,
    name_en     TEXT NOT NULL,
    name_ar     TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    local_crs   TEXT NOT NULL DEFAULT '',
    population  BIGINT
);

CREATE TABLE ingest_run (
    id            TEXT PRIMARY KEY,
    city          TEXT NOT NULL,
    feed          TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        TEXT NOT NULL,
    rows_read     BIGINT NOT NULL DEFAULT 0,
    rows_loaded   BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ingest_run_source ON ingest_run (city, feed, source_name);

CREATE TABLE rejected_row (
    run_id      TEXT NOT NULL,
    row_number  BIGINT,
    column_name TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rejected_row_run ON rejected_row (run_id);

-- One row per boundary version: districts get redrawn, indicators must survive that.
CREATE TABLE district (
    city        TEXT NOT NULL,
    code        TEXT NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    name_en     TEXT NOT NULL DEFAULT '',
    name_ar     TEXT NOT NULL DEFAULT '',
    area_m2     DOUBLE PRECISION,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    ingest_run  TEXT NOT NULL,
    PRIMARY KEY (city, code, valid_from)
);

-- Long and tidy; dims is canonical JSON text so that it can be part of the key.
CREATE TABLE observation (
    city          TEXT NOT NULL,
    district_code TEXT NOT NULL,
    period        TEXT NOT NULL,
    variable      TEXT NOT NULL,
    dims          TEXT NOT NULL DEFAULT '{}',
    value         DOUBLE PRECISION,
    unit          TEXT NOT NULL DEFAULT '',
    ingest_run    TEXT NOT NULL,
    PRIMARY KEY (city, district_code, period, variable, dims)
);

CREATE TABLE event (
    id           TEXT PRIMARY KEY,
    city         TEXT NOT NULL,
    layer        TEXT NOT NULL,
    occurred_at  TIMESTAMPTZ,
    geom         geometry(Point, 4326) NOT NULL,
    attributes   JSONB NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'published'
                 CHECK (status IN ('submitted', 'published', 'rejected')),
    ingest_run   TEXT,
    submitter    TEXT
);
CREATE INDEX event_city_layer ON event (city, layer);

CREATE TABLE attachment (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    path        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- district_code NULL is the city level; a (city, indicator_id, period) set is replaced whole.
CREATE TABLE indicator_value (
    city            TEXT NOT NULL,
    district_code   TEXT,
    period          TEXT NOT NULL,
    indicator_id    TEXT NOT NULL,
    value           DOUBLE PRECISION,
    score           DOUBLE PRECISION,
    coverage        DOUBLE PRECISION,
    suppressed      BOOLEAN NOT NULL DEFAULT FALSE,
    definition_hash TEXT NOT NULL DEFAULT '',
    source_runs     TEXT NOT NULL DEFAULT '',
    computed_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX indicator_value_lookup ON indicator_value (city, indicator_id, period);

CREATE TABLE api_key (
    key_hash    TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('public', 'planner', 'officer', 'admin')),
    label       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX district_geom ON district USING GIST (geom);
CREATE INDEX event_geom ON event USING GIST (geom);
