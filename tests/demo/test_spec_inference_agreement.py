"""Every demo file, loaded with the spec inferred from it, gives exactly the rows its shipped
spec gives (DuckDB; the comparison is in ``spec_agreement``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from spec_agreement import Agreement, Stores, agree, open_stores, rows

from observatory.demo import DemoCity
from observatory.settings import PrivacySettings

KEY = PrivacySettings(hash_key=SecretStr("k" * 40))
# (feed, file attribute, spec attribute, options); the service points are a list of places
# without a date: the period is given, as the officer would on the command line.
FILES = [
    ("census", "census", "census_spec", {}),
    ("census", "labour_force", "labour_force_spec", {}),
    ("census", "households", "households_spec", {}),
    ("census", "socioeconomic", "socioeconomic_spec", {}),
    ("census", "elections", "elections_spec", {}),
    ("admin", "service_records", "service_records_spec", {"privacy": KEY}),
    ("cdr", "towers", "towers_spec", {}),
    ("events", "incidents", "incidents_spec", {}),
    ("events", "service_points", "service_points_spec", {"period": "2025-01-01"}),
    ("points", "service_requests", "service_requests_spec", {}),
]


@pytest.fixture(scope="module")
def loaded(demo: DemoCity, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Stores, Agreement]]:
    """Two stores: the demo boundaries loaded with the shipped spec into one and with the
    inferred spec into the other (``boundaries``: the comparison), for the other files."""
    opened = open_stores(tmp_path_factory.mktemp("agreement"))
    yield opened, agree(opened, "demo", "boundaries", demo.boundaries, demo.boundaries_spec)
    opened.close()


def test_inferred_boundaries_load_the_shipped_districts(loaded):
    found = loaded[1]
    assert found.equal, f"{found.why}\n{found.yaml}"
    assert "code: {column: code}" in found.yaml and "name_ar: {column: name_ar}" in found.yaml


@pytest.mark.parametrize("feed, data, spec, options", FILES, ids=[f[1] for f in FILES])
def test_inferred_spec_loads_the_shipped_observations(loaded, demo: DemoCity, feed, data,
                                                      spec, options):
    options = dict(options)
    period = options.pop("period", None)
    found = agree(loaded[0], "demo", feed, getattr(demo, data), getattr(demo, spec),
                  period=period, **options)
    assert found.equal, f"{found.why}\n{found.yaml}"


def test_inferred_raster_options_load_the_shipped_observations(loaded, demo: DemoCity):
    """The raster feed takes options, not a spec: the inferred variable and band, with the
    period the officer gives (the demo raster's name holds no year, and the proposal says so),
    load what the demo's own options load."""
    from ingest.feeds import family
    from ingest.runner import run_feed
    from observatory.demo.census import YEARS
    from observatory.services.spec_inference import infer_spec

    stores = loaded[0]
    unasked = infer_spec(stores.inferred, "demo", demo.population_raster)
    assert "period" not in unasked.spec
    assert any("--period" in note for note in unasked.notes)
    found = infer_spec(stores.inferred, "demo", demo.population_raster, period=str(YEARS[-1]))
    assert (found.feed, found.spec["variable"], found.spec["band"]) == ("raster",
                                                                        "population", 1)
    assert found.spec["unit"] == "persons"
    added = []
    for store, options in ((stores.shipped, {"period": str(YEARS[-1])}),
                           (stores.inferred, {k: found.spec[k] for k in ("variable", "period")})):
        before = rows(store, "demo", "raster")
        run_feed(family("raster"), store, demo.population_raster, "demo", **options)
        added.append(rows(store, "demo", "raster") - before)
    assert added[0] == added[1] and len(added[0]) > 0
