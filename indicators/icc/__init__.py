"""Council of Europe Intercultural Cities index: questionnaire scoring and peer benchmarking."""

from indicators.icc.benchmark import PEER_GROUPS, benchmark
from indicators.icc.scoring import IccError, Questionnaire, load_answers, load_areas, score

__all__ = ["PEER_GROUPS", "IccError", "Questionnaire", "benchmark", "load_answers", "load_areas",
           "score"]
