"""The demo files load through the real ingest jobs into each store, with nothing rejected."""

from ingest.jobs import ingest_boundaries, ingest_census


def test_boundaries_and_census_ingest_cleanly(demo, store) -> None:
    boundaries = ingest_boundaries(store, demo.boundaries, "demo", demo.boundaries_spec)
    assert (boundaries.status, boundaries.rows_loaded, boundaries.rows_rejected) == (
        "succeeded", 30, 0
    )
    city = store.city("demo")
    assert (city.name_ar, city.local_crs) == ("مدينة النور", "EPSG:32637")
    assert set(store.districts("demo")["name_ar"]) >= {"حي الزيتون", "الشيخ مقصود"}

    census = ingest_census(store, demo.census, "demo", demo.census_spec)
    assert (census.status, census.rows_rejected) == ("succeeded", 0)
    observations = store.observations("demo", variables=["population"], periods=["2025"])
    assert observations["value"].sum() == demo.city.population
    assert store.periods("demo", "population") == [str(year) for year in range(2019, 2026)]
