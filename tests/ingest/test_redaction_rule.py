"""The FlowKit redaction rule: publish only counts > min_count, breakdowns withheld whole."""

from __future__ import annotations

import pandas as pd

from ingest.bigdata.redaction import redact


def _counts(rows):
    return pd.DataFrame(rows, columns=["district_code", "period", "variable", "dims", "value"])


COUNTS = _counts([
    ("01", "2025-03", "residents", "national", 100.0),
    ("01", "2025-03", "residents", "syria", 15.0),     # = 15: small, so all of 01/2025-03 goes
    ("01", "2025-04", "residents", "national", 100.0),
    ("01", "2025-04", "residents", "syria", 15.5),     # > 15 after interpolation: published
    ("02", "2025-03", "residents", "national", 16.0),
    ("02", "2025-03", "residents", "syria", 40.0),
    ("02", "2025-03", "visits", "total", 3.0),         # another variable: its own breakdown
])


def test_a_small_cell_withholds_its_whole_breakdown_and_nothing_else():
    result = redact(COUNTS, 15)
    kept = set(zip(result.published["district_code"], result.published["period"],
                   result.published["variable"], result.published["dims"], strict=True))
    assert kept == {("01", "2025-04", "residents", "national"),
                    ("01", "2025-04", "residents", "syria"),
                    ("02", "2025-03", "residents", "national"),
                    ("02", "2025-03", "residents", "syria")}
    assert (result.cells, result.breakdowns) == (3, 2)
    assert "publish only counts > 15" in result.summary(15)


def test_the_threshold_is_a_parameter():
    assert len(redact(COUNTS, 2).published) == len(COUNTS)
    assert redact(COUNTS, 100).published.empty
    assert redact(COUNTS, 99).cells == 7 - 0 and redact(COUNTS, 99).breakdowns == 4


def test_a_missing_count_is_treated_as_small():
    counts = _counts([("01", "2025", "residents", "a", None), ("01", "2025", "residents", "b", 50)])
    assert redact(counts, 15).published.empty
