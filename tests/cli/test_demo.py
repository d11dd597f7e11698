"""`observatory demo --no-serve`: every demo feed ingested, every framework computed, and two
maps that open offline."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from demo_run import DEMO_SLUGS, DemoRun

from indicators.definitions import load_frameworks
from observatory.services.bundles import export_bundle
from observatory.services.comparison import ComparisonRequest, comparison, load_input
from observatory.settings import DisclosureSettings
from observatory.store import open_store

pytestmark = pytest.mark.slow

# per city: boundaries, 6 census tables, raster, service records, towers, incidents, service
# points, geotagged service requests (points)
DEMO_RUNS = 13
FEEDS = {"boundaries": 1, "census": 6, "raster": 1, "admin": 1, "cdr": 1, "events": 2,
         "points": 1}
# Two of the three cities, the small town beside the demo city: the multi-city run at a
# fraction of the time (tests/demo checks the metropolis's files).
SLUGS = list(DEMO_SLUGS)


def _remote_assets(html: str) -> list[str]:
    return re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']https?://[^\"']+", html)


def test_demo_ingests_every_feed_computes_and_writes_both_maps(demo_run: DemoRun):
    result, data_dir = demo_run, demo_run.data_dir
    assert result.output.count("status succeeded") == DEMO_RUNS * len(SLUGS)
    assert "OBSERVATORY_HASH_KEY is not set" in result.output
    for framework in ("cpi", "demography", "integration_gaps", "intercultural"):
        for slug in SLUGS:
            assert f"{slug}: {framework}:" in result.output
    for url in ("/en/cities/demo", "/ar/cities/demo", "/maps/demo/layers", "/docs",
                "/maps/demo/foreign_citizens_share"):
        assert f"http://127.0.0.1:8000{url}" in result.output

    store = open_store(f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}")
    try:
        populations = {c.slug: c.population for c in store.cities()}
        runs = store.runs("demo")
        values = store.indicator_values("demo")
        arabic_names = list(store.districts("demo")["name_ar"])
        layers = set(store.events("demo")["layer"])
        compared = comparison(load_input(store), ComparisonRequest(
            indicators=("cpi.governance", "cpi_voter_turnout")))
        disclosure = DisclosureSettings()
        bundle = zipfile.ZipFile(io.BytesIO(export_bundle(
            store, "demo", disclosure.min_count, disclosure.published_digits)))
    finally:
        store.close()
    assert set(populations) == set(SLUGS)
    assert populations["demo_town"] < 150_000 < populations["demo"] < 2_000_000
    assert len(runs) == DEMO_RUNS and {r.status for r in runs} == {"succeeded"}
    assert {feed: sum(r.feed == feed for r in runs) for feed in FEEDS} == FEEDS
    assert layers >= {"service", "fire", "waste", "carjacking"}
    cpi = {d.id for d in load_frameworks()["cpi"].indicators}
    assert values["indicator_id"].str.split(".").str[0].isin(cpi).sum() > 100
    # Access to welcome services needs the raster's centres and the service points.
    distance = values[(values["indicator_id"] == "welcome_service_distance")
                      & values["district_code"].notna()]
    assert distance["district_code"].nunique() == 30 and distance["value"].notna().all()
    # The city's ICC questionnaire, scored for two years: every area, the index and the lens.
    icc = values[values["indicator_id"].str.match(r"^icc(\.|$)")]
    assert icc.groupby("period")["indicator_id"].nunique().to_dict() == {"2024": 19, "2025": 19}
    for slug in SLUGS:
        assert f"ICC scores of {slug}, 2025: 19 value(s) stored" in result.output
    # Its bundle carries them, each with the questionnaire that scored it as its definition.
    exported = pd.read_csv(io.BytesIO(bundle.read("indicator_values.csv")), dtype=str)
    definitions = pd.read_csv(io.BytesIO(bundle.read("indicator_definitions.csv")), dtype=str)
    assert exported["indicator_id"].str.match(r"^icc(\.|$)").sum() == 2 * 19
    assert (definitions["kind"] == "icc").sum() == 19
    # Governance is ranked at the latest census year: the local elections of 2024 stand for
    # 2025 (holds_for), so its composite is whole there, not of low coverage.
    governance, turnout = compared["indicators"]
    assert governance["period"] == turnout["period"] == "2025"
    assert governance["sample_size"] == len(SLUGS)
    assert sorted(e["rank"] for e in governance["values"]) in ([1, 2], [1, 1])
    assert all(e["coverage"] == 1.0 and e["flags"] == [] for e in governance["values"])
    assert {e["carried_from"] for e in turnout["values"]} == {"2024"}
    carried = values[(values["indicator_id"] == "cpi_voter_turnout")
                     & (values["period"] == "2025")]
    assert carried["district_code"].isna().sum() == 1 and carried["estimate"].str.startswith(
        "latest available value, carried from 2024").all()

    maps = data_dir / "demo" / "maps"
    for name in ("foreign_citizens_share.html", "city_map.html"):
        path = maps / name
        assert path.is_file() and str(path.resolve()) in result.output
        html = path.read_text(encoding="utf-8")
        assert "L.map" in html, f"{name}: Leaflet must be inlined so that it opens offline"
        assert _remote_assets(html) == [], f"{name} loads assets from the network"
        missing = [n for n in arabic_names if n not in html]
        assert not missing, f"{name}: Arabic district names lost on the way: {missing}"
    assert "markercluster" in (maps / "city_map.html").read_text(encoding="utf-8").lower()


def test_demo_rerun_is_a_no_op_ingest(invoke, demo_data_dir):
    again = invoke("demo", "--no-serve", "--city", "demo",
                   env={"OBSERVATORY_HASH_KEY": "a configured key of thirty-two characters"})
    assert again.exit_code == 0, again.output
    assert again.output.count("status unchanged") == DEMO_RUNS
    assert "OBSERVATORY_HASH_KEY is not set" not in again.output
