-- Feeds are named once, by the feed registry (ingest.feeds): the mobile-phone tower feed is
-- `cdr`, as its command `observatory ingest cdr` is. Earlier versions recorded its runs as
-- `towers`; renamed here so that their re-run check and the run lists use the one name.
UPDATE ingest_run SET feed = 'cdr' WHERE feed = 'towers';
