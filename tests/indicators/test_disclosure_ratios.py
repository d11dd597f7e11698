"""A published ratio of two counts (a service area's share of its year's records) is in the
audit's linear programs: rounded, it bounds its numerator between its interval times its
denominator, which can pin a withheld count far closer than the two counts' own rounded
rates do. Worked by hand:

A district's records in a year, P = 10,000, and in one service area, S = 9,000, are published
as rates per 1,000 of 1,000,000 foreign residents at 3 digits: 10.0 and 9.00, so
P ∈ [9,950, 10,050] and S ∈ [8,995, 9,005]; the other areas, withheld together, hold
R = P − S = 1,000 records, which those two give only within [945, 1,055]. The share
S / P = 0.900, published at 3 digits, adds 0.8995 P ≤ S ≤ 0.9005 P. The least R then has
S = 0.9005 P at S's least, 8,995: P = 8,995 / 0.9005, R = 0.0995 P = 993.895; the greatest
has S = 0.8995 P at S's greatest, 9,005: P = 9,005 / 0.8995, R = 0.1005 P = 1,006.117. A
width of 12.2 records instead of 110 (each within 0.01: the audit widens every bound by
1e-9 of its denominator, so float noise cannot make the true counts infeasible).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.disclosure.audit import (
    intervals,
    planned_bounds,
    published_bounds,
    with_suppressed,
)
from indicators.disclosure.tables import CountTable, Relation

DIGITS = 3
YEAR, DISTRICT = "2025", "D01"
ALL, WORK = ("records", "all"), ("records", "work")
REST = ("records", "rest of work")


def _table() -> CountTable:
    cells = pd.DataFrame({
        "cell": [0, 1, 2], "signature": [ALL, WORK, REST], "period": YEAR,
        "district_code": DISTRICT, "count": [10_000.0, 9_000.0, 1_000.0],
        "whole": 1_000_000.0, "primary": [False, False, True],
        "planned": [False, False, True]})
    return CountTable(cells, published_as={"records.all": (ALL, 1000.0),
                                           "records.work": (WORK, 1000.0)},
                      linked={"records.rest": REST},
                      relations=[Relation({1: 1.0, 2: 1.0, 0: -1.0}, 0.0)],
                      ratio_of={"mix.work": (WORK, ALL)})


def _published(*rows: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i, "period": YEAR, "district_code": DISTRICT,
                          "value": v, "suppressed": False} for i, v in rows])


@pytest.mark.parametrize(("share", "lower", "upper"), [
    (None, 945.0, 1_055.0),  # the rates alone
    (0.900, 0.0995 * 8_995 / 0.9005, 0.1005 * 9_005 / 0.8995),  # with the share
])
def test_a_published_share_narrows_the_withheld_rest_as_worked_by_hand(share, lower, upper):
    table = _table()
    rows = [("records.all", 10.0), ("records.work", 9.0)]
    published = _published(*rows, *([("mix.work", share)] if share is not None else []))
    bounds = published_bounds(table, published, DIGITS)
    [rest] = intervals(table, bounds, protection=15.0).itertuples(index=False)
    assert (rest.cell, rest.lower, rest.upper) == (2, pytest.approx(lower, abs=0.01),
                                                   pytest.approx(upper, abs=0.01))


def test_a_withheld_share_bounds_nothing():
    table = _table()
    published = pd.concat([_published(("records.all", 10.0), ("records.work", 9.0)),
                           _published(("mix.work", float("nan"))).assign(suppressed=True)])
    bounds = published_bounds(table, published, DIGITS)
    assert bounds.ratios == []
    [rest] = intervals(table, bounds, protection=15.0).itertuples(index=False)
    assert (rest.lower, rest.upper) == (pytest.approx(945.0, abs=0.01),
                                        pytest.approx(1_055.0, abs=0.01))


def test_a_planned_release_holds_the_share_of_its_counts_until_either_is_withheld():
    table = _table()
    planned = planned_bounds(table, DIGITS)
    [(numerator, denominator, least, greatest)] = planned.ratios
    assert (numerator, denominator) == (1, 0)
    assert (least, greatest) == (pytest.approx(0.8995), pytest.approx(0.9005))
    whole = table.cells["whole"].to_numpy(float)
    assert with_suppressed(planned, whole, np.array([False, False, True])).ratios == \
        planned.ratios
    assert with_suppressed(planned, whole, np.array([False, True, True])).ratios == []
