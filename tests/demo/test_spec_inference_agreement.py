"""Every demo file, loaded with the spec inferred from it, gives exactly the rows its shipped
spec gives (DuckDB; the comparison is in ``spec_agreement``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from spec_agreement import Stores, agree, open_stores

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
]


@pytest.fixture(scope="module")
def loaded(demo: DemoCity, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Stores, tuple[bool, str, str]]]:
    """Two stores: the demo boundaries loaded with the shipped spec into one and with the
    inferred spec into the other (``boundaries``: the comparison), for the other files."""
    opened = open_stores(tmp_path_factory.mktemp("agreement"))
    yield opened, agree(opened, "demo", "boundaries", demo.boundaries, demo.boundaries_spec)
    opened.close()


def test_inferred_boundaries_load_the_shipped_districts(loaded):
    equal, text, why = loaded[1]
    assert equal, f"{why}\n{text}"
    assert "code: {column: code}" in text and "name_ar: {column: name_ar}" in text


@pytest.mark.parametrize("feed, data, spec, options", FILES, ids=[f[1] for f in FILES])
def test_inferred_spec_loads_the_shipped_observations(loaded, demo: DemoCity, feed, data,
                                                      spec, options):
    options = dict(options)
    period = options.pop("period", None)
    equal, text, why = agree(loaded[0], "demo", feed, getattr(demo, data), getattr(demo, spec),
                             period=period, **options)
    assert equal, f"{why}\n{text}"
