"""Every `observatory ingest` subcommand on the demo city's files, against a real store."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from observatory.store import open_store

HASH_KEY = {"OBSERVATORY_HASH_KEY": "a test key of at least thirty-two characters"}


@pytest.fixture
def demo_city(invoke, store_url, demo_files) -> str:
    """A store holding the demo city's boundaries and population census."""
    for args in (("boundaries", demo_files.boundaries, demo_files.boundaries_spec),
                 ("census", demo_files.census, demo_files.census_spec)):
        result = invoke("--database-url", store_url, "ingest", args[0], str(args[1]),
                        "--city", "demo", "--spec", str(args[2]))
        assert result.exit_code == 0, result.output
    return store_url


def _ingest(invoke, url, feed, path, *options, env=None):
    return invoke("--database-url", url, "ingest", feed, str(path), "--city", "demo", *options,
                  env=env)


def _observed(url: str, variable: str):
    store = open_store(url)
    try:
        return store.observations("demo", variables=[variable])
    finally:
        store.close()


def test_admin_records_land_as_counts_with_the_hash_key(invoke, demo_city, demo_files):
    result = _ingest(invoke, demo_city, "admin", demo_files.service_records,
                     "--spec", str(demo_files.service_records_spec), env=HASH_KEY)
    assert result.exit_code == 0, result.output
    assert "admin of service_records.csv" in result.output and "status succeeded" in result.output
    users = _observed(demo_city, "service_users")
    assert len(users) > 100 and users["value"].sum() > 0


def test_admin_without_a_hash_key_exits_2_with_the_fix(invoke, duckdb_url, demo_files):
    result = invoke("--database-url", duckdb_url, "ingest", "admin",
                    str(demo_files.service_records), "--city", "demo",
                    "--spec", str(demo_files.service_records_spec))
    assert result.exit_code == 2, result.output
    assert "OBSERVATORY_HASH_KEY" in result.output and "32 characters" in result.output
    assert "Traceback" not in result.output


def test_cdr_tower_aggregates_land_per_district_and_month(invoke, demo_city, demo_files):
    result = _ingest(invoke, demo_city, "cdr", demo_files.towers,
                     "--spec", str(demo_files.towers_spec))
    assert result.exit_code == 0, result.output
    assert "cdr of towers.csv" in result.output and "status succeeded" in result.output
    subscribers = _observed(demo_city, "mobile_home_subscribers")
    assert subscribers["period"].min() == "2024-01" and subscribers["period"].max() == "2026-06"
    assert subscribers["period"].nunique() == 30 and subscribers["district_code"].nunique() == 30
    assert not _observed(demo_city, "mobile_daytime_subscribers").empty


def test_events_incidents_and_service_points(invoke, demo_city, demo_files):
    for path, spec, loaded in ((demo_files.incidents, demo_files.incidents_spec, 3000),
                               (demo_files.service_points, demo_files.service_points_spec, 25)):
        result = _ingest(invoke, demo_city, "events", path, "--spec", str(spec))
        assert result.exit_code == 0, result.output
        assert f"loaded {loaded}, rejected 0" in result.output
    store = open_store(demo_city)
    try:
        services = store.events("demo", layer="service")
    finally:
        store.close()
    assert len(services) == 25
    assert any("مركز" in text or "المركز" in text for text in services["attributes"])


def test_points_are_counted_per_district(invoke, demo_city, demo_files, tmp_path: Path):
    incidents = gpd.read_file(demo_files.incidents).head(200)
    points = tmp_path / "reports.csv"
    points.write_text("lon,lat,time,kind\n" + "".join(
        f"{p.x},{p.y},2025-03-{1 + i % 28:02d} 10:00:00,{kind}\n"
        for i, (p, kind) in enumerate(zip(incidents.geometry, incidents["layer"]))),
        encoding="utf-8")
    spec = tmp_path / "reports.yaml"
    spec.write_text("feed: points\ndimensions:\n  category: {column: kind}\n"
                    "variable: incident_reports\nunit: reports\nredact: false\n",
                    encoding="utf-8")
    result = _ingest(invoke, demo_city, "points", points, "--spec", str(spec))
    assert result.exit_code == 0, result.output
    assert "points of reports.csv" in result.output
    assert _observed(demo_city, "incident_reports")["value"].sum() == 200


def test_raster_sums_population_per_district(invoke, demo_city, demo_files):
    result = _ingest(invoke, demo_city, "raster", demo_files.population_raster,
                     "--period", "2025")
    assert result.exit_code == 0, result.output
    assert "raster of population.tif" in result.output and "loaded 90" in result.output
    population = _observed(demo_city, "population")
    from_raster = population[population["dims"].str.contains("raster")]
    assert len(from_raster) == 30
    assert from_raster["value"].sum() == pytest.approx(demo_files.city.population, rel=0.02)


def test_raster_without_a_year_asks_for_the_period(invoke, demo_city, demo_files):
    result = _ingest(invoke, demo_city, "raster", demo_files.population_raster)
    assert result.exit_code == 2, result.output
    assert "--period" in result.output and "Traceback" not in result.output
