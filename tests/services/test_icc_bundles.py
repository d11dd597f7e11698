"""A city's ICC scores leave in its benchmark bundle: scoring stores the questionnaire and areas
that scored them (the definition, its hash the values'), the bundle carries them, and a peer
observatory of the other store type shows the scores, ranked with its own."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.icc.scoring import AREAS_FILE
from observatory.demo.icc import YEARS, build_icc_answers, questionnaire_text, write_icc_answers
from observatory.models import City
from observatory.services.bundles import export_bundle, import_bundle
from observatory.services.city_reports import stored_icc
from observatory.services.comparison import ComparisonRequest, comparison, load_input
from observatory.services.errors import InvalidRequest
from observatory.services.icc_scores import score_icc
from observatory.store import Store, open_store

MIN = 15
HARRAN = City("harran", "Harran", "حران", "TR", "EPSG:32637", 310_000)
TARSUS = City("tarsus", "Tarsus", "طرسوس", "TR", "EPSG:32636", 350_000)
IDS = 19  # the demo questionnaire asks of all 17 areas: their scores, the index and the lens


def _files(folder: Path, seed: int) -> tuple[Path, dict[int, Path]]:
    """The demo's questionnaire and a city's answers to it for each year."""
    folder.mkdir(exist_ok=True)
    questionnaire = folder / "icc_questionnaire.yaml"
    questionnaire.write_text(questionnaire_text(), encoding="utf-8")
    answers = {}
    for year, chosen in build_icc_answers(np.random.default_rng(seed)).items():
        answers[year] = folder / f"answers_{seed}_{year}.yaml"
        write_icc_answers(chosen, answers[year])
    return questionnaire, answers


def _scored(store: Store, city: City, folder: Path, seed: int) -> None:
    store.upsert_city(city)
    questionnaire, answers = _files(folder, seed)
    for year in YEARS:
        score_icc(store, city.slug, year, answers[year], questionnaire, AREAS_FILE, 3)


def _icc_values(store: Store, city: str) -> pd.DataFrame:
    values = store.indicator_values(city)
    return (values[values["indicator_id"].str.match(r"^icc(\.|$)")]
            [["indicator_id", "period", "value", "score", "coverage", "definition_hash"]]
            .sort_values(["indicator_id", "period"]).reset_index(drop=True))


@pytest.mark.postgis
@pytest.mark.parametrize(("origin", "peer"), [("duckdb", "postgis"), ("postgis", "duckdb")])
def test_icc_scores_travel_to_a_peer_of_the_other_store_type(
        origin: str, peer: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    stores = {kind: open_store(request.getfixturevalue(f"{kind}_url"))
              for kind in (origin, peer)}
    for store in stores.values():
        store.init_schema()
    source, target = stores[origin], stores[peer]
    _scored(source, HARRAN, tmp_path, seed=3)

    stored = source.stored_definitions("harran")
    assert len(stored) == IDS * len(YEARS)
    values = _icc_values(source, "harran")
    assert len(values) == IDS * len(YEARS)
    [digest] = set(values["definition_hash"])  # one questionnaire both years
    for row in stored.to_dict("records"):
        assert row["definition_hash"] == digest == hashlib.sha256(
            row["definition"].encode("utf-8")).hexdigest()[:16]
        assert row["name_en"] and row["name_ar"] and row["name_ar"] != row["name_en"]
        assert (row["kind"], row["framework"], row["unit"], row["direction"]) == (
            "icc", "icc", "score 0–100", "higher")
    by_id = stored.drop_duplicates("definition_id").set_index("definition_id")
    assert by_id.loc["icc.commitment", ["name_en", "name_ar", "dimension"]].tolist() == [
        "ICC: Commitment", "المدن متعددة الثقافات: الالتزام", "commitment"]
    assert by_id.loc["icc", "name_ar"] == "مؤشر المدن متعددة الثقافات"
    text = json.loads(by_id.loc["icc", "definition"])
    assert sorted(text) == ["areas", "questionnaire"] and len(text["areas"]) == 17

    data = export_bundle(source, "harran", MIN, 3, origin="Harran statistics office")
    definitions = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(data))
                                         .read("indicator_definitions.csv")), dtype=str)
    assert len(definitions) == IDS  # one per score id: both years share the questionnaire
    assert set(definitions["definition_hash"]) == {digest}

    _scored(target, TARSUS, tmp_path, seed=11)  # the peer's own city, same questionnaire
    outcome = import_bundle(target, data, "harran.zip", MIN)
    assert (outcome.city, outcome.status, outcome.values) == ("harran", "imported",
                                                              IDS * len(YEARS))
    pd.testing.assert_frame_equal(_icc_values(target, "harran"), values, check_dtype=False)
    [record] = target.external_peers()
    assert {d["definition_id"] for d in record.definitions} == set(by_id.index)

    # The peer's views: the ICC benchmark's stored row and the comparison, where the
    # imported scores rank with the peer's own city (same definition: nothing flagged).
    latest = values[values["period"] == str(max(YEARS))]
    assert stored_icc(target, "harran").scores == dict(
        zip(latest["indicator_id"], latest["value"], strict=True))
    shown = comparison(load_input(target), ComparisonRequest(indicators=("icc",
                                                                         "icc.commitment")))
    for row in shown["indicators"]:
        entry = {e["city"]: e for e in row["values"]}["harran"]
        assert (entry["external"], entry["ranked"], entry["flags"]) == (True, True, [])
        assert entry["value"] == latest.set_index("indicator_id").loc[row["indicator_id"],
                                                                      "value"]
        assert row["definition_hash"] == digest and row["sample_size"] == 2
    for store in stores.values():
        store.close()


def test_scoring_a_year_again_replaces_its_definitions(store: Store, tmp_path: Path) -> None:
    _scored(store, HARRAN, tmp_path, seed=3)
    first = store.stored_definitions("harran")
    _scored(store, HARRAN, tmp_path, seed=3)  # the same files again: nothing changes
    pd.testing.assert_frame_equal(store.stored_definitions("harran"), first)

    questionnaire, answers = _files(tmp_path, seed=3)
    questionnaire.write_text(questionnaire.read_text(encoding="utf-8").replace(
        '{"yes": 3, partly: 1, "no": 0}', '{"yes": 5, partly: 1, "no": 0}', 1), encoding="utf-8")
    score_icc(store, "harran", 2025, answers[2025], questionnaire, AREAS_FILE, 3)
    stored = store.stored_definitions("harran")
    assert len(stored) == len(first)  # replaced, not added
    hashes = stored.groupby("period")["definition_hash"].unique().map(list).to_dict()
    assert hashes["2024"] == list(first[first["period"] == "2024"]["definition_hash"].unique())
    assert hashes["2025"] != hashes["2024"]
    values = _icc_values(store, "harran")
    assert (values.groupby("period")["definition_hash"].unique().map(list).to_dict()
            == hashes)

    after = zipfile.ZipFile(io.BytesIO(export_bundle(store, "harran", MIN, 3)))
    definitions = pd.read_csv(io.BytesIO(after.read("indicator_definitions.csv")), dtype=str)
    assert len(definitions) == 2 * IDS  # each score id with each year's questionnaire


def test_icc_values_whose_definition_is_not_stored_are_refused_with_the_fix(
        store: Store) -> None:
    store.upsert_city(HARRAN)
    store.put_indicator_values("harran", pd.DataFrame([{
        "district_code": None, "period": "2025", "indicator_id": "icc", "value": 50.0,
        "score": 50.0, "coverage": 1.0, "suppressed": False,
        "definition_hash": "0123456789abcdef"}]))  # scored before definitions were stored
    with pytest.raises(InvalidRequest, match=r"hashes 0123456789abcdef\). Fix: .*observatory "
                       r"icc score ANSWERS --city harran --year YEAR"):
        export_bundle(store, "harran", MIN, 3)
