"""The demo cities' answers to their ICC questionnaire (``icc_questionnaire.yaml``), one file a
year: each city has its own commitment, and answers a question with a better option the more
committed it is; a year later some answers improve, so the comparison has a trend."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import yaml

QUESTIONNAIRE = "icc_questionnaire.yaml"
YEARS = (2024, 2025)


def questionnaire_text() -> str:
    return resources.files("observatory.demo").joinpath(QUESTIONNAIRE).read_text("utf-8")


def build_icc_answers(rng: np.random.Generator) -> dict[int, dict[str, str]]:
    """Question id → option per year of ``YEARS``, from a commitment drawn for the city."""
    questions = yaml.safe_load(questionnaire_text())["questions"]
    commitment = rng.uniform(0.25, 0.85)
    # Options best first; a committed city lands nearer the first, and a year later some
    # answers are one option better.
    options = {q["id"]: sorted(q["options"], key=q["options"].get, reverse=True)
               for q in questions}
    rank = {i: int(rng.binomial(len(o) - 1, 1 - commitment)) for i, o in options.items()}
    answers: dict[int, dict[str, str]] = {}
    for year in YEARS:
        answers[year] = {i: str(options[i][rank[i]]) for i in options}
        rank = {i: max(0, r - int(rng.random() < 0.3)) for i, r in rank.items()}
    return answers


def write_icc_answers(answers: dict[str, str], path: Path) -> None:
    path.write_text(yaml.safe_dump({"answers": answers}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
