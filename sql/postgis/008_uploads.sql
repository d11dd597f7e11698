-- The files officers upload (API and upload page, issue 14), remembered beyond the serving
-- process: a restart keeps the list, each upload's state and its run. The bytes are in the
-- upload folder; a personal-data feed's file is deleted once its ingest ends (file_kept).
-- uploaded_by: the key's hash prefix (Caller.submitter), never the key.
CREATE TABLE upload (
    id            TEXT PRIMARY KEY,
    city          TEXT NOT NULL,
    feed          TEXT NOT NULL,
    filename      TEXT NOT NULL,
    file_type     TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    path          TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('uploaded', 'submitted', 'finished',
                                                  'failed')),
    spec          TEXT,
    job_id        TEXT,
    run_id        TEXT,
    rows_loaded   BIGINT,
    rows_rejected BIGINT,
    message       TEXT NOT NULL DEFAULT '',
    file_kept     BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX upload_city ON upload (city, uploaded_at);
