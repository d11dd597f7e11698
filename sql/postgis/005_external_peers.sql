-- Cities imported from other observatories' benchmark bundles (`observatory bundle import`):
-- read-only peers. Their published city-level values sit in indicator_value like any city's
-- (district_code NULL, level 'district'), so city-level reads see them; this table says where
-- they came from. One row per peer: a newer bundle of the city replaces the row and the values.
CREATE TABLE external_peer (
    city                TEXT PRIMARY KEY,  -- the slug in this store
    bundle_id           TEXT NOT NULL,     -- sha256 over the bundle's resource checksums
    origin              TEXT NOT NULL,     -- the observatory that exported it
    origin_city         TEXT NOT NULL,     -- the city's slug there
    observatory_version TEXT NOT NULL,
    format_version      INTEGER NOT NULL,
    exported_at         TIMESTAMPTZ NOT NULL,
    imported_at         TIMESTAMPTZ NOT NULL,
    checksums           TEXT NOT NULL,     -- JSON: resource path -> sha256
    provenance          TEXT NOT NULL,     -- JSON: origin, threshold, ingest runs' source hashes
    definitions         TEXT NOT NULL      -- JSON: the indicator definitions and their hashes
);
