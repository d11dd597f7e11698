from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.icc import IccError, benchmark, load_answers, load_areas, score
from indicators.icc.scoring import AREAS_FILE, load_questionnaire

EXAMPLE = AREAS_FILE.parent / "questionnaire.example.yaml"


def test_the_revised_index_has_17_areas_and_a_six_area_lens():
    areas = load_areas()
    assert len(areas) == 17 and len({a.id for a in areas}) == 17
    assert sorted(a.id for a in areas if a.lens) == sorted([
        "education", "neighbourhoods", "public_services", "business_labour",
        "cultural_civil_life", "public_space"])
    assert all(a.names["ar"] for a in areas)


def test_scores_per_area_index_and_lens(tmp_path):
    areas = load_areas()
    questionnaire = load_questionnaire(EXAMPLE, areas)
    answers_file = tmp_path / "answers.csv"
    answers_file.write_text("question,answer\ncommitment.1,yes\ncommitment.2,strategy only\n"
                            "education.1,some\n", encoding="utf-8")
    got = score(questionnaire, load_answers(answers_file), areas).set_index("id")
    assert got.loc["icc.commitment", "score"] == pytest.approx(100 * 5 / 7)
    assert got.loc["icc.education", "score"] == pytest.approx(100 / 3)
    assert got.loc["icc.welcome", "score"] == 0 and got.loc["icc.welcome", "coverage"] == 0
    assert np.isnan(got.loc["icc.language", "score"])  # no questions: not in the index
    assert got.loc["icc", "score"] == pytest.approx((100 * 5 / 7 + 100 / 3 + 0) / 3)
    assert got.loc["icc", "coverage"] == pytest.approx(3 / 17)
    assert got.loc["icc.intercultural_lens", "score"] == pytest.approx(100 / 3)


def test_weights_change_the_index(tmp_path):
    areas = [a.model_copy(update={"weight": 3.0}) if a.id == "commitment" else a
             for a in load_areas()]
    questionnaire = load_questionnaire(EXAMPLE, areas)
    got = score(questionnaire, {"commitment.1": "yes", "commitment.2": "yes"}, areas)
    assert got.set_index("id").loc["icc", "score"] == pytest.approx(300 / 5)


def test_bad_answers_say_what_is_wrong(tmp_path):
    areas = load_areas()
    questionnaire = load_questionnaire(EXAMPLE, areas)
    with pytest.raises(IccError, match="not one of its options"):
        score(questionnaire, {"commitment.1": "maybe"}, areas)
    with pytest.raises(IccError, match="does not have"):
        score(questionnaire, {"commitment.9": "yes"}, areas)
    bad = tmp_path / "answers.csv"
    bad.write_text("q,a\n", encoding="utf-8")
    with pytest.raises(IccError, match="question,answer"):
        load_answers(bad)


def test_benchmark_ranks_against_the_three_peer_groups():
    rng = np.random.default_rng(7)
    peers = pd.DataFrame({
        "city": [f"peer{i}" for i in range(92)] + ["ours"],
        "population": list(rng.integers(50_000, 900_000, 92)) + [600_000],
        "foreign_born_share": list(rng.uniform(0.02, 0.4, 92)) + [0.2],
        "icc": list(np.r_[np.linspace(71, 90, 16), np.linspace(20, 69, 76)]) + [70.0],
    })
    got = benchmark("ours", peers).set_index("group")
    everyone = got.loc["all cities"]
    assert (everyone["rank"], everyone["sample_size"]) == (17, 93)  # "17th of 93 at 70 %"
    assert everyone["best"] == pytest.approx(90.0)
    assert everyone["sample_average"] == pytest.approx(peers["icc"].mean())
    big = peers[peers["population"] > 200_000]
    assert got.loc["over 200,000 inhabitants", "sample_size"] == len(big)
    assert got.loc["over 200,000 inhabitants", "rank"] == (big["icc"] > 70).sum() + 1
