"""The malformed-file corpus (tests/ingest/malformed/manifest.yaml) through the real jobs, on
both stores: each file fails with a message naming file, row, column and a fix; a refused file
leaves nothing behind; a bad row is stored as a rejected row with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from ingest.errors import IngestError
from ingest.jobs import (
    ingest_admin,
    ingest_boundaries,
    ingest_census,
    ingest_events,
    ingest_points,
    ingest_raster,
)
from observatory.settings import PrivacySettings

CORPUS = Path(__file__).resolve().parent / "malformed"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
CASES = MANIFEST["cases"]
SECRETS = MANIFEST["secrets"]
CITY = "corpus"
SETUP_CODES = ["01", "02", "03"]
KEY = PrivacySettings(hash_key=SecretStr("corpus-test-key-" * 3))
# What the setup leaves, and so what every refused file must leave: exact counts, both stores.
SETUP_COUNTS = MANIFEST["file_cases_leave"]


def _run(store, case: dict):
    feed = case["feed"]
    if feed == "raster":  # no spec: the period is given
        return ingest_raster(store, CORPUS / case["file"], CITY, period="2025")
    path, spec = CORPUS / case["file"], CORPUS / "specs" / case["spec"]
    if feed == "census":
        return ingest_census(store, path, CITY, spec)
    if feed == "boundaries":
        return ingest_boundaries(store, path, CITY, spec)
    if feed == "admin":
        return ingest_admin(store, path, CITY, spec, privacy=KEY)
    if feed == "points":
        return ingest_points(store, path, CITY, spec)
    return ingest_events(store, path, CITY, spec)


def test_the_corpus_is_complete():
    files = {path.name for path in CORPUS.iterdir() if path.is_file()} - {"manifest.yaml"}
    listed = [case["file"] for case in CASES]
    assert len(listed) == len(set(listed)) >= 100
    assert files == set(listed)  # every file has its expected message, and only those
    assert {case["feed"] for case in CASES} == {"census", "boundaries", "admin", "events",
                                                "raster", "points"}
    assert {case["kind"] for case in CASES} == {"file", "row"}
    # every row case pins the run's exact counts
    assert [case["file"] for case in CASES
            if case["kind"] == "row" and not {"loaded", "rejected"} <= case.keys()] == []


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_malformed_file(store, case):
    ingest_boundaries(store, CORPUS / "setup" / "districts.geojson", CITY)
    before = _counts(store)
    assert before == SETUP_COUNTS
    if case["kind"] == "file":
        with pytest.raises(IngestError) as caught:
            _run(store, case)
        message = str(caught.value)
        assert case.get("names", case["file"]) in message
        if "row" in case:
            assert f"row {case['row']}" in message and caught.value.row == case["row"]
        if "column" in case:
            assert f"column {case['column']}" in message
        if "key" in case:
            assert f"key {case['key']}" in message
        assert " — fix: " in message and caught.value.fix
        for fragment in case["expect"]:
            assert fragment in message
        _assert_nothing_stored(store, case["file"])
        assert _counts(store) == before
        texts = [message]
    else:
        run = _run(store, case)
        assert run.status == "succeeded" and run.rows_loaded > 0
        assert (run.rows_loaded, run.rows_rejected) == (case["loaded"], case["rejected"])
        after = _counts(store)
        assert after["rejected"] - before["rejected"] == case["rejected"]
        stored = {"census": "observations", "events": "events"}.get(case["feed"])
        if stored:
            assert after[stored] - before[stored] == case["loaded"]
        if case["feed"] == "boundaries":
            assert after["districts"] == case["loaded"]
        rejected = store.rejected_rows(run.id)
        found = [r for r in rejected
                 if r.row_number == case["row"] and r.column == case["column"]]
        assert found, [(r.row_number, r.column, r.reason) for r in rejected]
        for fragment in case["expect"]:
            assert fragment in found[0].reason
        texts = [run.message] + [f"{r.reason} {r.raw}" for r in rejected]
    if case["feed"] == "admin":
        assert [s for s in SECRETS for text in texts if s in text] == []


def _counts(store) -> dict[str, int]:
    """Row counts of the corpus city in the store: what a run may add or must leave alone."""
    return {
        "observations": len(store.observations(CITY)),
        "events": len(store.events(CITY, statuses=("submitted", "published", "rejected"))),
        "districts": len(store.districts(CITY)),
        "rejected": sum(len(store.rejected_rows(run.id)) for run in store.runs(CITY)),
    }


def _assert_nothing_stored(store, source: str) -> None:
    """All or nothing: the refused file left no rows and no successful run."""
    assert store.observations(CITY).empty
    assert store.events(CITY, statuses=("submitted", "published", "rejected")).empty
    assert sorted(store.districts(CITY)["code"]) == SETUP_CODES
    assert not [run for run in store.runs(CITY)
                if run.source_name == source and run.status == "succeeded"]
