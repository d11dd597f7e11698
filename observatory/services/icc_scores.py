"""A city's ICC questionnaire scored and stored as city-level indicator values of a year: the
area scores, the index (``icc``) and the intercultural lens (``icc.intercultural_lens``). The
CLI (``observatory icc score``) and the demo call it.

The questionnaire is the city's own, so no definition file holds what scored the values: the
definitions (the canonical text of the questionnaire and areas, its hash the values'
``definition_hash``) are stored beside them, and a benchmark bundle carries them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators.icc import Scoring, load_answers, load_areas, score, score_names
from indicators.icc.scoring import load_questionnaire
from observatory.models import DEFINITION_COLUMNS, INDICATOR_VALUE_COLUMNS
from observatory.services.bundles import COMPOSITE_UNIT
from observatory.store.base import Store

FRAMEWORK = "icc"


def score_icc(store: Store, city: str, year: int, answers: Path, questionnaire: Path,
              areas: Path, digits: int) -> tuple[pd.DataFrame, int]:
    """The scores (id, score, coverage; NaN for an area with no questions) and the values
    stored, at ``digits`` significant digits like every published value, with their
    definitions; re-scoring a year replaces its values and definitions. Raises ``IccError``
    for a bad file."""
    from indicators.disclosure.rounding import round_significant

    area_list = load_areas(areas)
    scoring = Scoring(questionnaire=load_questionnaire(questionnaire, area_list),
                      areas=area_list)
    scored = score(scoring.questionnaire, load_answers(answers), area_list)
    kept = scored[scored["score"].notna()]
    published = round_significant(kept["score"].to_numpy(float), digits)
    values = pd.DataFrame({
        "district_code": None, "period": str(year), "indicator_id": kept["id"],
        "value": published, "score": published, "coverage": kept["coverage"],
        "suppressed": False, "definition_hash": scoring.hash,
    })[INDICATOR_VALUE_COLUMNS]
    return scored, store.put_indicator_values(
        city, values, definitions=definitions(scoring, kept["id"], str(year)))


def definitions(scoring: Scoring, ids: pd.Series, period: str) -> pd.DataFrame:
    """One definition row per score id in ``ids`` (``period`` and the DEFINITION_COLUMNS):
    named as the comparison names it, each with the scoring's text and hash."""
    names = score_names(scoring.areas)
    areas = {f"icc.{a.id}": a.id for a in scoring.areas}
    text, digest = scoring.text, scoring.hash
    return pd.DataFrame([{
        "period": period, "definition_id": ident, "kind": "icc", "framework": FRAMEWORK,
        # An area's score is of its area; the index and the lens are across areas.
        "dimension": areas.get(ident, ""), "subdimension": "",
        "name_en": names[ident]["en"], "name_ar": names[ident]["ar"],
        "unit": COMPOSITE_UNIT, "direction": "higher", "group_dimension": "",
        "definition_hash": digest, "definition": text,
    } for ident in ids], columns=["period", *DEFINITION_COLUMNS])
