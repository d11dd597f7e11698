-- The store's data version (DESIGN.md "Stores"): one row, one counter, raised in the same
-- transaction as every write (ingest, compute, import, field report), so that a server's
-- response cache, in this process or another, sees at once that what it keeps is stale.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
