"""The real cities load beside the demo city in one store, through their shipped feed specs
(the commands of README.md, "Real cities beside the demo")."""

from __future__ import annotations

from pathlib import Path

from ingest.jobs import ingest_boundaries
from observatory.demo import DemoCity
from observatory.store import open_store

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs"


def test_vienna_berlin_and_chicago_load_beside_the_demo(demo: DemoCity, shared_data,
                                                        tmp_path) -> None:
    store = open_store(f"duckdb:///{tmp_path / 'observatory.duckdb'}")
    store.init_schema()
    try:
        runs = [
            ingest_boundaries(store, demo.boundaries, "demo", demo.boundaries_spec),
            ingest_boundaries(store, shared_data / "vienna" / "districts_epsg31256.geojson",
                              "vienna", SPECS / "vienna" / "boundaries.yaml"),
            ingest_boundaries(store, shared_data / "berlin" / "districts.geojson", "berlin",
                              SPECS / "berlin" / "boundaries.yaml"),
            ingest_boundaries(store, shared_data / "chicago" / "community_areas" /
                              "Chicago_2020.shp", "chicago", SPECS / "chicago" / "boundaries.yaml"),
        ]
        assert [(r.city, r.status) for r in runs] == [
            ("demo", "succeeded"), ("vienna", "succeeded"),
            ("berlin", "succeeded"), ("chicago", "succeeded")]
        assert [c.slug for c in store.cities()] == ["berlin", "chicago", "demo", "vienna"]
        assert {slug: len(store.districts(slug)) for slug in ("demo", "vienna", "berlin",
                                                              "chicago")} == {
            "demo": 30, "vienna": 23, "berlin": 12, "chicago": 77}
    finally:
        store.close()
