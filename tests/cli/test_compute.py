"""`observatory compute` writes indicator values computed from what was ingested."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.store import open_store


@pytest.fixture
def ingested(invoke, store_url, boundaries, census_spec, tmp_path: Path) -> str:
    districts, spec = boundaries
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT02,80,20\n", encoding="utf-8")
    for args in (("boundaries", str(districts), "--city", "testville", "--spec", str(spec)),
                 ("census", str(census), "--city", "testville", "--spec", str(census_spec))):
        result = invoke("--database-url", store_url, "ingest", *args)
        assert result.exit_code == 0, result.output
    return store_url


def test_compute_writes_the_foreign_citizens_share(invoke, ingested):
    result = invoke("--database-url", ingested, "compute", "--city", "testville")
    assert result.exit_code == 0, result.output
    assert "testville:" in result.output and "indicator value(s) written" in result.output

    store = open_store(ingested)
    try:
        values = store.indicator_values("testville", "foreign_citizens_share", "2025")
    finally:
        store.close()
    by_district = values.set_index(values["district_code"].fillna("city"))["value"]
    assert by_district["T01"] == 0.286  # 40 / 140, published at 3 significant digits
    assert by_district["city"] == pytest.approx(60 / 240)


def test_compute_without_city_covers_every_city(invoke, ingested):
    result = invoke("--database-url", ingested, "compute")
    assert result.exit_code == 0, result.output
    assert "testville:" in result.output


def test_compute_for_an_unknown_city_names_the_known_ones(invoke, ingested):
    result = invoke("--database-url", ingested, "compute", "--city", "atlantis")
    assert result.exit_code == 1
    assert "'atlantis'" in result.output and "testville" in result.output
    assert "Traceback" not in result.output


def test_compute_one_framework_writes_only_its_indicators(invoke, ingested):
    from indicators.definitions import load_frameworks

    result = invoke("--database-url", ingested, "compute", "--framework", "demography")
    assert result.exit_code == 0, result.output
    assert "testville: demography:" in result.output
    assert "cpi" not in result.output and "intercultural" not in result.output

    store = open_store(ingested)
    try:
        written = set(store.indicator_values("testville")["indicator_id"])
    finally:
        store.close()
    demography = {d.id for d in load_frameworks()["demography"].indicators}
    assert "foreign_citizens_share" in written
    # Per-group values are <definition>.<group>; nothing comes from another framework.
    assert {i.split(".")[0] for i in written} <= demography, written


def test_compute_with_an_unknown_framework_lists_the_known_ones(invoke, ingested):
    result = invoke("--database-url", ingested, "compute", "--framework", "happiness")
    assert result.exit_code == 2
    assert "'happiness'" in result.output and "cpi" in result.output
    assert "integration_gaps" in result.output
