"""The demo city's administrative records and incidents through the ingest jobs, on both stores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr

from ingest.jobs import ingest_admin, ingest_boundaries, ingest_events
from observatory.demo import generate_demo_city
from observatory.settings import PrivacySettings


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo_city(Path(tmp_path_factory.mktemp("demo")))


def test_demo_service_records_and_incidents(store, demo):
    ingest_boundaries(store, demo.boundaries, "demo", demo.boundaries_spec)
    records = pd.read_csv(demo.service_records, dtype=str)
    run = ingest_admin(store, demo.service_records, "demo", demo.service_records_spec,
                       privacy=PrivacySettings(hash_key=SecretStr("demo-key-" * 4)))
    assert run.status == "succeeded" and run.rows_rejected == 0
    observations = store.observations("demo", variables=["service_records", "service_users"])
    months = observations[observations["period"].str.fullmatch(r"\d{4}-\d{2}")
                          & ~observations["dims"].str.contains('"service_area":"all"')]
    by_variable = months.groupby("variable")["value"].sum()
    assert by_variable["service_records"] == len(records)
    # distinct persons per cell: at most the records, at least the distinct persons overall
    assert records["person_id"].nunique() <= by_variable["service_users"] < len(records)
    names = set(records["full_name_latin"]) | set(records["full_name_ar"])
    stored = set(observations["dims"]) | {run.message}
    assert not [text for text in stored if any(name in text for name in names)]

    incidents = ingest_events(store, demo.incidents, "demo", demo.incidents_spec)
    assert incidents.status == "succeeded" and incidents.rows_rejected == 0
    events = store.events("demo")
    assert set(events["layer"]) == {"fire", "waste", "carjacking"}
    assert len(events) == incidents.rows_loaded
