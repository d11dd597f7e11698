"""The disclosure plan's linear programs (indicators.disclosure.solver): the intervals a kept,
re-solved HiGHS model gives are scipy's linprog's, cell for cell; threads do not change the
pattern; the solver writes nothing to stdout (the CLI prints JSON there)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from indicators.definitions import load_definitions
from indicators.disclosure.audit import components, intervals, planned_bounds, with_suppressed
from indicators.disclosure.secondary import secondary_suppression
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations
from observatory.models import canonical_dims
from observatory.settings import DisclosureSettings

GROUPS = ["national", "syrian", "iraqi", "other_foreign"]
SHARES = ["citizenship_share", "foreign_citizens_share"]


def _table(districts: int = 40, seed: int = 7):
    """A city whose small groups (some of 3–20 persons) need primary and secondary
    suppression, in two census years."""
    rng = np.random.default_rng(seed)
    rows = [{"district_code": f"D{d:02d}", "period": period, "variable": "population",
             "dims": canonical_dims({"citizenship": group}),
             "value": float(rng.integers(3, 20) if group != "national" and rng.random() < 0.3
                            else rng.integers(40, 900)),
             "unit": "persons", "ingest_run": "r1"}
            for d in range(districts) for period in ("2021", "2025") for group in GROUPS]
    definitions = [load_definitions()[i] for i in SHARES]
    return build_table(definitions, PreparedObservations(pd.DataFrame(rows)),
                       DisclosureSettings().min_count)


def _scipy_interval(lp, target: int, low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    objective = np.zeros(len(lp.cells))
    objective[target] = 1.0
    out = []
    for sign in (1.0, -1.0):
        result = linprog(sign * objective, bounds=np.column_stack([low, high]), method="highs",
                         A_eq=lp.eq[0] if lp.eq else None, b_eq=lp.eq[1] if lp.eq else None,
                         A_ub=lp.ub[0] if lp.ub else None, b_ub=lp.ub[1] if lp.ub else None)
        assert result.status == 0
        out.append(sign * result.fun)
    return out[0], out[1]


def test_intervals_are_scipy_linprogs_cell_for_cell():
    settings = DisclosureSettings()
    table = _table()
    withheld = secondary_suppression(table, settings.published_digits, settings.protection)
    bounds = with_suppressed(planned_bounds(table, settings.published_digits),
                             table.cells["whole"].to_numpy(float), withheld)
    audit = intervals(table, bounds, settings.protection).set_index("cell")
    assert table.cells["primary"].sum() >= 20 and len(audit) > table.cells["primary"].sum()
    compared = 0
    for lp in components(len(table.cells), table.relations):
        low, high = bounds.lower[lp.cells], bounds.upper[lp.cells]
        for k in np.flatnonzero(bounds.suppressed[lp.cells]):
            expected = _scipy_interval(lp, int(k), low, high)
            row = audit.loc[int(lp.cells[k])]
            assert abs(row["lower"] - expected[0]) <= 1e-6 * max(1.0, abs(expected[0]))
            assert abs(row["upper"] - expected[1]) <= 1e-6 * max(1.0, abs(expected[1]))
            compared += 1
    assert compared == len(audit)
    assert audit["protected"].all()


def test_threads_give_the_same_pattern_and_audit():
    settings = DisclosureSettings()
    table = _table(districts=30, seed=11)
    one = secondary_suppression(table, settings.published_digits, settings.protection, 1)
    four = secondary_suppression(table, settings.published_digits, settings.protection, 4)
    assert one.sum() > table.cells["primary"].sum()
    assert np.array_equal(one, four)
    bounds = with_suppressed(planned_bounds(table, settings.published_digits),
                             table.cells["whole"].to_numpy(float), one)
    pd.testing.assert_frame_equal(intervals(table, bounds, settings.protection, 1),
                                  intervals(table, bounds, settings.protection, 4))


def test_the_solver_writes_nothing_to_stdout():
    """HiGHS prints its banner when ``highspy.Highs`` is first built in a process."""
    code = ("from tests.indicators.test_disclosure_solver import _table;"
            "from indicators.disclosure.gate import _plan;"
            "from observatory.settings import DisclosureSettings;"
            "plan = _plan(_table(10), DisclosureSettings());"
            "assert len(plan.audit)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout == ""
