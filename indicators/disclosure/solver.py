"""One linear system kept in a HiGHS model, re-solved with new bounds and objectives.

The audit and the secondary suppression ask the same system (a component's relations) for the
minimum and maximum of one cell after another, the bounds changing only where a cell is
withheld. Building the model once and changing bounds and costs lets HiGHS start each solve
from the last optimal basis (a few dual simplex iterations) instead of presolving and solving
from scratch, as ``scipy.optimize.linprog`` does on every call."""

from __future__ import annotations

import highspy
import numpy as np
from highspy._core import _Highs  # see HighsModel: the public class prints on construction
from scipy.sparse import csc_array, vstack


class LinearProgramFailed(ValueError):
    """HiGHS found no optimum, which bounds taken from a true table cannot cause."""


class HighsModel:
    """``lower_rows ≤ A x ≤ upper_rows`` with per-call column bounds, minimised (or
    maximised: ``maximise``) again and again. A model keeps one sense: the audit asks one for
    the minima of cell after cell and another for the maxima, each starting from an optimum
    near the one it needs (the last cell's), where switching senses would start from the far
    side; ``primal``: solve by the primal simplex, which suits a model whose calls change the
    objective more often than the bounds (about a third faster on the audit's).

    ``highspy.Highs`` writes HiGHS's banner to stdout as it is built, before output can be
    switched off (ERGO-Code/HiGHS#2749), which would corrupt the CLI's JSON output; the core
    class it wraps takes the option first."""

    def __init__(self, matrix: csc_array, lower_rows: np.ndarray, upper_rows: np.ndarray,
                 maximise: bool = False, primal: bool = False):
        self.n = matrix.shape[1]
        self._columns = np.arange(self.n, dtype=np.int32)
        self._costed: int | None = None  # the column whose cost is 1 (the others' are 0)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = self.n, matrix.shape[0]
        model.col_cost_ = np.zeros(self.n)
        model.col_lower_, model.col_upper_ = np.zeros(self.n), np.zeros(self.n)
        model.row_lower_, model.row_upper_ = lower_rows, upper_rows
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        model.a_matrix_.index_ = matrix.indices.astype(np.int32)
        model.a_matrix_.value_ = matrix.data.astype(float)
        model.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        self._highs = _Highs()
        self._highs.setOptionValue("output_flag", False)
        # Primal: the last optimum stays feasible when only the objective changes. 1: dual.
        self._strategy = 4 if primal else 1
        self._highs.setOptionValue("simplex_strategy", self._strategy)
        self._highs.passModel(model)

    def optimum(self, target: int, lower: np.ndarray, upper: np.ndarray) -> float:
        """The least (greatest) value of column ``target`` within the column bounds."""
        highs = self._highs
        self._bound(lower, upper)
        if self._costed != target:
            if self._costed is None:  # costs of any kind (``cheapest``'s): clear them all
                highs.changeColsCost(self.n, self._columns, np.zeros(self.n))
            else:
                highs.changeColCost(self._costed, 0.0)
            highs.changeColCost(target, 1.0)
            self._costed = target
        status = self._solve()
        if status != highspy.HighsModelStatus.kOptimal:
            raise LinearProgramFailed(f"the disclosure audit's linear program failed: "
                                      f"{highs.modelStatusToString(status)}")
        return float(highs.getInfo().objective_function_value)

    def cheapest(self, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray
                 ) -> np.ndarray | None:
        """The columns at the optimum of ``cost · x`` within the bounds; None if there is
        none (the bounds cannot all be met)."""
        highs = self._highs
        self._bound(lower, upper)
        highs.changeColsCost(self.n, self._columns, cost.astype(float))
        self._costed = None
        if self._solve() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(highs.getSolution().col_value)

    def _solve(self) -> highspy.HighsModelStatus:
        """Solve from the last basis; if that ends anywhere but at an optimum (the primal
        simplex can misjudge feasibility on a degenerate basis: 2 of 20,287 solves on the
        1,000-district bench city), solve again from scratch by HiGHS's default method."""
        highs = self._highs
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            highs.clearSolver()
            highs.setOptionValue("simplex_strategy", 1)
            highs.run()
            highs.setOptionValue("simplex_strategy", self._strategy)
        return highs.getModelStatus()

    def _bound(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self._highs.changeColsBounds(self.n, self._columns, lower.astype(float),
                                     upper.astype(float))


def stacked(equal: tuple | None, under: tuple | None, n: int
            ) -> tuple[csc_array, np.ndarray, np.ndarray]:
    """Equalities (``A x = b``) over inequalities (``A x ≤ b``) as one row-bounded matrix."""
    blocks, lower, upper = [], [], []
    if equal is not None:
        blocks.append(equal[0])
        lower.append(equal[1])
        upper.append(equal[1])
    if under is not None:
        blocks.append(under[0])
        lower.append(np.full(len(under[1]), -np.inf))
        upper.append(under[1])
    if not blocks:
        return csc_array((0, n)), np.zeros(0), np.zeros(0)
    return (csc_array(vstack(blocks)), np.concatenate(lower).astype(float),
            np.concatenate(upper).astype(float))
