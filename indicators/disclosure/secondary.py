"""Secondary (complementary) suppression: more cells are withheld until no primary-suppressed
count can be narrowed below the protection range from the published ones.

Method: sequential single-cell protection by linear programming, the heuristic behind
tau-argus's "modular" method and sdcTable's SIMPLEHEURISTIC (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, §4.2.4–4.2.5; Fischetti and Salazar-González, "Models and
algorithms for optimizing cell suppression in tabular data with linear constraints", JASA 95,
2000). For each sensitive cell in turn, find the cheapest change ``y`` of the table that keeps
every relation (``A y = 0``), keeps each count within 0…its denominator, moves the sensitive
cell by the protection range, at the least cost: a published cell costs its count plus one
(tau-argus's default cost is the cell value), so small cells are withheld before large ones.
Every published cell that the
cheapest change moves is withheld. The attacker can then follow that change, so the cell's
interval is at least the protection range wide; the audit (audit.py) checks it. Withholding
only removes constraints, so a cell once protected stays protected.

The pattern is not minimal (the joint ILP would be), but it is audited and deterministic: the
same data give the same pattern in every computation, which keeps suppression coordinated
across the frameworks that share cells."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from indicators.disclosure.audit import (
    ComponentLP,
    ceiling,
    components,
    member_check,
    planned_bounds,
    required_width,
)
from indicators.disclosure.tables import CountTable, hidden


def secondary_suppression(table: CountTable, digits: int, protection: float,
                          threads: int = 1) -> np.ndarray:
    """Per cell of ``table``, whether it is withheld: the primary cells, the ones a roll-up
    withholds (``planned``) and their complements. The components are independent (no
    relation joins two), so ``threads`` solve them side by side; the pattern is the same."""
    cells = table.cells
    primary = cells["primary"].to_numpy(bool)
    # Cells a roll-up withholds (disclosure.rollup) start withheld without being sensitive;
    # so do the ended areas' counts, which are never published (disclosure.carried).
    planned = cells["planned"].to_numpy(bool) if "planned" in cells else np.zeros_like(primary)
    suppressed = primary | planned | hidden(cells)
    if not primary.any():
        return suppressed
    count, whole = cells["count"].to_numpy(float), ceiling(cells)
    full = planned_bounds(table, digits)
    need = required_width(table, protection)
    wholes = (cells["member_wholes"].to_numpy(object) if "member_wholes" in cells
              else np.full(len(cells), None, dtype=object))

    def protect(lp: ComponentLP) -> None:  # writes only its own cells of ``suppressed``
        members = lp.cells
        for k in [k for k, c in enumerate(members) if primary[c]]:
            cell = members[k]
            for _ in range(len(members)):  # each round withholds at least one more cell
                hidden = suppressed[members]
                low, high = lp.interval(k, np.where(hidden, 0.0, full.lower[members]),
                                        np.where(hidden, whole[members], full.upper[members]))
                width, required = member_check(low, high, wholes[cell], need[cell])
                if width >= required - 1e-6:
                    break
                moved = _cheapest_change(lp, k, count[members], whole[members],
                                         suppressed[members], need[cell])
                fresh = members[moved & ~suppressed[members]]
                if not len(fresh):
                    break  # nothing left to withhold: the audit will refuse the release
                suppressed[fresh] = True

    sensitive = [lp for lp in components(len(cells), table.relations)
                 if primary[lp.cells].any()]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(protect, sensitive))  # list(): a component's error is raised here
    return suppressed


def _cheapest_change(lp: ComponentLP, target: int, count: np.ndarray, whole: np.ndarray,
                     suppressed: np.ndarray, need: float) -> np.ndarray:
    """The cells (positions in the component) that the cheapest relation-preserving change
    moving ``target`` by ``need`` moves: up as far as its denominator allows, the rest down."""
    up = min(need, whole[target] - count[target])
    moved = np.zeros(len(count), dtype=bool)
    for amount, sign in ((up, 1.0), (need - up, -1.0)):
        if amount > 1e-9:
            moved |= _change(lp, target, count, whole, suppressed, amount, sign)
    return moved


def _change(lp: ComponentLP, target: int, count: np.ndarray, whole: np.ndarray,
            suppressed: np.ndarray, amount: float, sign: float) -> np.ndarray:
    n = len(count)
    cost = np.where(suppressed, 0.0, count + 1.0)
    lower, upper = np.zeros(2 * n), np.r_[whole - count, count]  # y = y_up − y_down, both ≥ 0
    upper[target] = upper[n + target] = 0.0
    lower[target if sign > 0 else n + target] = upper[target if sign > 0 else n + target] = amount
    x = lp.change_model(count).cheapest(np.r_[cost, cost], lower, upper)
    if x is None:
        return np.zeros(n, dtype=bool)
    return (x[:n] + x[n:]) > 1e-7
