"""A city's ICC questionnaire scored and stored as city-level indicator values of a year: the
area scores, the index (``icc``) and the intercultural lens (``icc.intercultural_lens``). The
CLI (``observatory icc score``) and the demo call it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from observatory.models import INDICATOR_VALUE_COLUMNS
from observatory.store.base import Store


def score_icc(store: Store, city: str, year: int, answers: Path, questionnaire: Path,
              areas: Path, digits: int) -> tuple[pd.DataFrame, int]:
    """The scores (id, score, coverage; NaN for an area with no questions) and the values
    stored, at ``digits`` significant digits like every published value; re-scoring a year
    replaces its values. Raises ``IccError`` for a bad file."""
    from indicators.disclosure.rounding import round_significant
    from indicators.icc import load_answers, load_areas, score
    from indicators.icc.scoring import load_questionnaire

    area_list = load_areas(areas)
    scored = score(load_questionnaire(questionnaire, area_list), load_answers(answers),
                   area_list)
    kept = scored[scored["score"].notna()]
    published = round_significant(kept["score"].to_numpy(float), digits)
    digest = hashlib.sha256(questionnaire.read_bytes() + areas.read_bytes()).hexdigest()[:16]
    values = pd.DataFrame({
        "district_code": None, "period": str(year), "indicator_id": kept["id"],
        "value": published, "score": published, "coverage": kept["coverage"],
        "suppressed": False, "definition_hash": digest,
    })[INDICATOR_VALUE_COLUMNS]
    return scored, store.put_indicator_values(city, values)
