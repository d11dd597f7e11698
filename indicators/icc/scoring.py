"""Score a city's ICC questionnaire: each area 0–100 % (points ÷ maximum), the weighted index,
and the intercultural-lens composite (methodology §2)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from indicators.formulas.base import StrictModel

AREAS_FILE = Path(__file__).resolve().parent / "areas.yaml"
LANGUAGES = ("en", "ar")  # every score is named in each (Arabic is first-class)
# The scores that are not one area's, named in each language.
SUMMARY_NAMES = {
    "icc": {"en": "Intercultural Cities Index", "ar": "مؤشر المدن متعددة الثقافات"},
    "icc.intercultural_lens": {"en": "ICC intercultural lens",
                               "ar": "العدسة بين الثقافية للمؤشر"},
}


class IccError(ValueError):
    pass


class Area(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    names: dict[str, str]
    weight: float = Field(default=1.0, gt=0)
    lens: bool = False


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    area: str
    text: str = ""
    options: dict[str, float]

    @property
    def maximum(self) -> float:
        return max(self.options.values())


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questions: list[Question]

    @model_validator(mode="after")
    def _unique(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"question ids repeat: {repeated}")
        return self


def _read_yaml(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IccError(f"{path}: cannot read it as YAML: {exc}") from exc


class Scoring(StrictModel):
    """What scores a city's answers, hence the definition of its ICC values: the questionnaire
    and the areas. A city's own (``--questionnaire``), so no definition file holds it: the
    store keeps its text beside the values it scored."""

    questionnaire: Questionnaire
    areas: list[Area]

    @property
    def text(self) -> str:
        """The canonical text (sorted-keys JSON, as every definition's): a comment or the
        layout of the files changes nothing, a question, a point or a weight does."""
        # Imported here: the definitions pull in every formula kind (geopandas …).
        from indicators.definitions import hashed_text

        return hashed_text(self)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


def load_areas(path: Path = AREAS_FILE) -> list[Area]:
    document = _read_yaml(path)
    try:
        areas = [Area.model_validate(a) for a in document.get("areas", [])]
    except ValidationError as exc:
        raise IccError(f"{path}: {exc}") from exc
    for area in areas:
        for language in LANGUAGES:
            if not str(area.names.get(language) or "").strip():
                raise IccError(f"{path}: area {area.id!r} has no name in {language!r} "
                               f"(key names.{language}). Fix: give it names: {{en: …, ar: …}}")
    return areas


def score_names(areas: list[Area]) -> dict[str, dict[str, str]]:
    """The name of every score ``score`` gives, in each language: ``icc.<area>`` named
    "ICC: <the area's name>", the index and the lens as ``SUMMARY_NAMES``."""
    prefix = {"en": "ICC", "ar": "المدن متعددة الثقافات"}
    return {**{f"icc.{a.id}": {lang: f"{prefix[lang]}: {a.names[lang]}" for lang in LANGUAGES}
               for a in areas}, **SUMMARY_NAMES}


def load_questionnaire(path: Path, areas: list[Area]) -> Questionnaire:
    try:
        questionnaire = Questionnaire.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise IccError(f"{path}: {exc}") from exc
    known = {a.id for a in areas}
    for q in questionnaire.questions:
        if q.area not in known:
            raise IccError(f"{path}: question {q.id!r} names area {q.area!r}, which is not one "
                           f"of the {len(known)} areas: {sorted(known)}")
    return questionnaire


def load_answers(path: Path) -> dict[str, str]:
    """A city's answers, question id → chosen option: YAML (``answers: {id: option}``) or a
    CSV with columns ``question,answer``."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or {"question", "answer"} - set(reader.fieldnames):
                raise IccError(f"{path}: the CSV needs the columns question,answer; it has "
                               f"{reader.fieldnames}")
            return {row["question"].strip(): row["answer"].strip() for row in reader}
    answers = _read_yaml(path).get("answers")
    if not isinstance(answers, dict):
        raise IccError(f"{path}: expected a mapping `answers: {{question id: option}}`")
    return {str(k): str(v) for k, v in answers.items()}


def score(questionnaire: Questionnaire, answers: dict[str, str],
          areas: list[Area]) -> pd.DataFrame:
    """Rows ``id, score, coverage`` for each area, the index (``icc``) and the lens
    (``icc.intercultural_lens``). An unanswered question scores 0 points but lowers coverage;
    an area with no questions has no score and is left out of the index."""
    by_id = {q.id: q for q in questionnaire.questions}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise IccError(f"answers name questions the questionnaire does not have: {unknown}")
    points, maximum, answered, asked = ({a.id: 0.0 for a in areas} for _ in range(4))
    for q in questionnaire.questions:
        maximum[q.area] += q.maximum
        asked[q.area] += 1
        if q.id in answers:
            choice = answers[q.id]
            if choice not in q.options:
                raise IccError(f"question {q.id!r}: answer {choice!r} is not one of its options "
                               f"{list(q.options)}")
            points[q.area] += q.options[choice]
            answered[q.area] += 1
    rows = []
    for a in areas:
        has = maximum[a.id] > 0
        rows.append({"id": f"icc.{a.id}", "area": a.id,
                     "score": 100.0 * points[a.id] / maximum[a.id] if has else float("nan"),
                     "coverage": answered[a.id] / asked[a.id] if asked[a.id] else 0.0,
                     "weight": a.weight, "lens": a.lens})
    frame = pd.DataFrame(rows)
    scored = frame[frame["score"].notna()]

    def mean(part: pd.DataFrame) -> float:
        return float((part["score"] * part["weight"]).sum() / part["weight"].sum()) \
            if len(part) else float("nan")

    coverage = float(frame["weight"][frame["score"].notna()].sum() / frame["weight"].sum())
    lens = frame[frame["lens"]]
    lens_coverage = float(lens["score"].notna().mean()) if len(lens) else 0.0
    summary = pd.DataFrame([
        {"id": "icc", "area": None, "score": mean(scored), "coverage": coverage},
        {"id": "icc.intercultural_lens", "area": None, "score": mean(scored[scored["lens"]]),
         "coverage": lens_coverage},
    ])
    return pd.concat([frame[["id", "area", "score", "coverage"]], summary], ignore_index=True)
