"""The stores both servers read: a PostGIS database (``bench.postgis``) and optionally a DuckDB
file, each loaded with the synthetic city through the observatory's own store.
tipg reads the same PostGIS tables (``district``, ``indicator_value``) plus one view."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bench.api.case import CITY, ApiCase, districts, indicator_values
from observatory.models import IngestRun
from observatory.store import open_store

TIPG_VIEW_SQL = Path(__file__).with_name("tipg_view.sql").read_text(encoding="utf-8")
DATABASE = "bench_api"  # bench.postgis.postgis_database(DATABASE)


def load_city(store_url: str, case: ApiCase) -> dict:
    """The synthetic city through the store protocol; on PostGIS also tipg's view. Returns
    what was loaded."""
    store = open_store(store_url)
    try:
        store.init_schema()
        store.upsert_city(CITY)
        shapes = districts(case)
        store.load(IngestRun(CITY.slug, "boundaries", "bench-districts.gpkg", f"bench-{case.seed}"),
                   districts=shapes)
        values = store.put_indicator_values(CITY.slug, indicator_values(case))
    finally:
        store.close()
    if store.backend == "postgis":
        engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as con:
            con.execute(sa.text(TIPG_VIEW_SQL))
            con.execute(sa.text("ANALYZE"))  # fresh tables: give the planner statistics
        engine.dispose()
    return {"districts": len(shapes), "indicator_values": values}
