"""The tower feed is `cdr` everywhere; what earlier versions wrote as `towers` still reads.

A spec saying `feed: towers` loads as `cdr`, and runs recorded as `towers` become `cdr` through
the schema migration 002_feed_names.sql, so re-running their file is still a no-op."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from bigdata_city import CITY, add_city, lonlat, write_csv

from ingest.job_steps import content_hash_of
from ingest.jobs import ingest_cdr
from ingest.spec import load_cdr_spec
from observatory.models import OBSERVATION_COLUMNS, IngestRun, canonical_dims
from observatory.store import open_store

OLD_SPEC = ("feed: towers\nassign: containment\nperiod: month\n"
            "metrics:\n  home_location: {variable: residents_home_location, unit: subscribers}\n")
MIGRATION = "002_feed_names.sql"


def _forget_migration(url: str) -> None:
    """Make the store look as an earlier version left it: 002 not yet applied."""
    forget = f"DELETE FROM schema_migration WHERE name = '{MIGRATION}'"
    if url.startswith("duckdb:///"):
        con = duckdb.connect(url.removeprefix("duckdb:///"))
        try:
            con.execute(forget)
        finally:
            con.close()
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as con:
        con.execute(sa.text(forget))
    engine.dispose()


def test_a_spec_saying_towers_loads_as_cdr(tmp_path: Path):
    path = tmp_path / "towers.yaml"
    path.write_text(OLD_SPEC, encoding="utf-8")
    assert load_cdr_spec(path).feed == "cdr"


def test_an_old_towers_run_is_listed_as_cdr_and_its_file_stays_unchanged(store_url, tmp_path):
    store = open_store(store_url)
    store.init_schema()
    add_city(store, tmp_path)
    spec = tmp_path / "towers.yaml"
    spec.write_text(OLD_SPEC, encoding="utf-8")
    feed = write_csv(tmp_path / "towers.csv", ["site_id", "lon", "lat", "date", "metric",
                                                "count"],
                     [["A", *lonlat(500, 500), "2025-03-01", "home_location", 40]])
    # What the earlier version stored: the run under `towers`, its hash over the file, the
    # spec and the redaction threshold (15 by default).
    old = IngestRun(city=CITY, feed="towers", source_name="towers.csv",
                    content_hash=content_hash_of(feed, OLD_SPEC + "\nmin_count=15"),
                    rows_read=1)
    observations = pd.DataFrame({
        "district_code": ["01"], "period": ["2025-03"], "variable": ["residents_home_location"],
        "dims": [canonical_dims({})], "value": [40.0], "unit": ["subscribers"]})
    old = store.load(old, observations=observations[OBSERVATION_COLUMNS])
    store.close()
    _forget_migration(store_url)

    store = open_store(store_url)
    try:
        assert store.init_schema() == [MIGRATION]
        runs = {run.id: run.feed for run in store.runs(CITY)}
        assert runs[old.id] == "cdr" and "towers" not in runs.values()
        again = ingest_cdr(store, feed, CITY, spec)
        assert (again.status, again.id) == ("unchanged", old.id)
    finally:
        store.close()
