"""`observatory icc score` stores the ICC scores; `observatory icc benchmark` ranks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.store import open_store

QUESTIONNAIRE = """\
questions:
  - {id: c1, area: commitment, options: {"yes": 3, partly: 1, "no": 0}}
  - {id: c2, area: commitment, options: {"yes": 1, "no": 0}}
  - {id: e1, area: education, options: {all: 4, some: 2, none: 0}}
"""
AREAS = """\
areas:
  - {id: commitment, names: {en: Commitment, ar: الالتزام}, weight: 3}
  - {id: education, names: {en: Education, ar: التعليم}, lens: true}
  - {id: welcome, names: {en: Welcome, ar: الاستقبال}}
"""


@pytest.fixture
def icc_files(tmp_path: Path) -> dict[str, Path]:
    files = {"questionnaire": QUESTIONNAIRE, "areas": AREAS,
             "answers": "answers:\n  c1: partly\n  c2: \"yes\"\n  e1: some\n"}
    paths = {name: tmp_path / f"{name}.yaml" for name in files}
    for name, text in files.items():
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def city(invoke, store_url, boundaries) -> str:
    districts, spec = boundaries
    result = invoke("--database-url", store_url, "ingest", "boundaries", str(districts),
                    "--city", "testville", "--spec", str(spec))
    assert result.exit_code == 0, result.output
    return store_url


def _score(invoke, url, files, *extra):
    return invoke("--database-url", url, "icc", "score", str(files["answers"]),
                  "--city", "testville", "--year", "2025",
                  "--questionnaire", str(files["questionnaire"]),
                  "--areas", str(files["areas"]), *extra)


def _icc_values(url: str):
    store = open_store(url)
    try:
        values = store.indicator_values("testville", period="2025")
    finally:
        store.close()
    return values.set_index("indicator_id")


def test_score_stores_areas_index_and_lens_at_city_level(invoke, city, icc_files):
    result = _score(invoke, city, icc_files)
    assert result.exit_code == 0, result.output
    assert "4 value(s) stored for testville, period 2025" in result.output
    assert "1 area(s) have no questions" in result.output

    values = _icc_values(city)
    assert sorted(values.index) == ["icc", "icc.commitment", "icc.education",
                                    "icc.intercultural_lens"]
    assert values["district_code"].isna().all()
    assert values.loc["icc.commitment", "value"] == pytest.approx(100 * 2 / 4)
    assert values.loc["icc.education", "score"] == pytest.approx(50.0)
    # Weighted 3:1 over the two scored areas; welcome (no questions) lowers the coverage.
    assert values.loc["icc", "value"] == pytest.approx((3 * 50 + 50) / 4)
    assert values.loc["icc", "coverage"] == pytest.approx(4 / 5)
    assert values["definition_hash"].nunique() == 1 and values["definition_hash"].iloc[0]


def test_a_changed_questionnaire_changes_the_definition_hash(invoke, city, icc_files):
    assert _score(invoke, city, icc_files).exit_code == 0
    before = _icc_values(city)["definition_hash"].iloc[0]
    icc_files["questionnaire"].write_text(QUESTIONNAIRE.replace('"yes": 1', '"yes": 2'),
                                          encoding="utf-8")
    assert _score(invoke, city, icc_files).exit_code == 0
    after = _icc_values(city)
    assert after["definition_hash"].iloc[0] != before
    assert after.loc["icc.commitment", "value"] == pytest.approx(100 * 3 / 5)


def test_an_answer_that_is_not_an_option_exits_2(invoke, city, icc_files):
    icc_files["answers"].write_text("answers:\n  c1: maybe\n", encoding="utf-8")
    result = _score(invoke, city, icc_files)
    assert result.exit_code == 2, result.output
    assert "'maybe'" in result.output and "c1" in result.output
    assert "Traceback" not in result.output


def test_benchmark_ranks_the_stored_scores_among_the_peers(invoke, city, icc_files, tmp_path):
    assert _score(invoke, city, icc_files).exit_code == 0
    peers = tmp_path / "peers.csv"
    peers.write_text("city,population,foreign_born_share,icc,icc.commitment\n"
                     "lisbon,500000,0.2,70,80\noslo,700000,0.3,40,90\n"
                     "reggio,170000,0.12,30,20\n", encoding="utf-8")
    result = invoke("--database-url", city, "icc", "benchmark", "--city", "testville",
                    "--peers", str(peers))
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "all cities" in line]
    assert len(rows) == 2  # icc and icc.commitment: the scores the peers have
    icc_row = next(row for row in rows if "icc " in row)
    # testville's 50.0 is second of four; average (70+40+30+50)/4, best 70.
    assert "50.0" in icc_row and "2 of 4" in icc_row and "47.5" in icc_row
    assert "70.0" in icc_row
