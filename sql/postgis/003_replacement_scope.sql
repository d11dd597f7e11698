-- A run's replacement scope is what its data is, not its file's name (docs/ingest.md,
-- "Replacement"): a run replaces the rows of earlier runs of the same city, feed and spec in
-- the periods x variables (events: layers x time range) it loads. spec_name is the spec's
-- identity (its file name; '' for a feed without spec). Runs recorded before this file have
-- none (NULL); they count as the same spec when their source name matches, within that scope.
ALTER TABLE ingest_run ADD COLUMN spec_name TEXT;
