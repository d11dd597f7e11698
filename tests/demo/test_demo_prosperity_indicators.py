"""End to end on each store: the demo's files through the real ingest jobs, then the indicator
engine, give a City Prosperity Index and integration gaps for (nearly) every district."""

from __future__ import annotations

from indicators.compute import compute_city
from indicators.definitions import load_frameworks
from ingest.jobs import ingest_boundaries, ingest_census
from observatory.settings import DisclosureSettings


def test_demo_gives_the_cpi_and_the_gaps(demo, store) -> None:
    assert ingest_boundaries(store, demo.boundaries, "demo", demo.boundaries_spec).status == (
        "succeeded"
    )
    for table, spec in demo.census_tables:
        run = ingest_census(store, table, "demo", spec)
        assert (run.status, run.rows_rejected) == ("succeeded", 0), (table.name, run.message)

    assert compute_city(store, "demo", DisclosureSettings()) > 0
    values = store.indicator_values("demo")
    districts = values[values["district_code"].notna()]
    for definition in load_frameworks()["cpi"].indicators:
        rows = districts[(districts["indicator_id"] == definition.id)
                         & (districts["period"] == "2025")]
        assert rows["value"].notna().sum() >= 25, definition.id

    cpi = districts[(districts["indicator_id"] == "cpi") & (districts["coverage"] > 0)]
    assert set(cpi["period"]) == {str(year) for year in range(2019, 2026)}
    assert cpi["value"].between(20, 90).all(), cpi.loc[~cpi["value"].between(20, 90)]

    city = values[values["district_code"].isna()].set_index(["indicator_id", "period"])
    # Every sub-dimension of the Basic CPI has its indicator's data for the city, in the local
    # election year 2024 and in 2025, where the turnout of 2024 stands (holds_for: 4).
    cpi_framework = load_frameworks()["cpi"]
    for dimension in cpi_framework.dimensions:
        for sub in dimension.subdimensions:
            for year in ("2024", "2025"):
                key = (f"cpi.{dimension.id}.{sub.id}", year)
                assert city.loc[key, "coverage"] == 1.0 and city.loc[key, "value"] > 0, key
    assert city.loc[("cpi.governance", "2025"), "coverage"] == 1.0
    turnout = city.loc["cpi_voter_turnout"]
    assert turnout.loc["2025", "value"] == turnout.loc["2024", "value"]
    assert turnout.loc["2025", "estimate"].startswith("latest available value, carried from 2024")
    assert turnout.loc["2024", "estimate"] == ""
    assert city.loc[("gap_unemployment_foreign_vs_nationals", "2025"), "value"] > 0
    assert city.loc[("gap_women_employment_foreign_vs_nationals", "2025"), "value"] < 0
    assert districts["suppressed"].any()  # the thin cells reach the disclosure rule
