"""Council of Europe Intercultural Cities index: questionnaire scoring and peer benchmarking."""

from indicators.icc.benchmark import PEER_GROUPS, benchmark
from indicators.icc.scoring import (
    IccError,
    Questionnaire,
    Scoring,
    load_answers,
    load_areas,
    score,
    score_names,
)

__all__ = ["PEER_GROUPS", "IccError", "Questionnaire", "Scoring", "benchmark", "load_answers",
           "load_areas", "score", "score_names"]
