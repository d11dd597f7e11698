"""The audit: for every suppressed cell, the interval of counts that the published values and
the table's relations still allow, by linear programming (tau-argus's audit; Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, §4.2 and §5.2: minimise and maximise each
suppressed cell subject to the published cells within their rounding, the additivity
relations and non-negativity). The LPs are solved with HiGHS, one model per connected component
of the table, re-solved cell after cell (disclosure.solver)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_array, csr_array, hstack
from scipy.sparse.csgraph import connected_components

from indicators.disclosure.rounding import half_step, round_significant
from indicators.disclosure.solver import HighsModel, stacked
from indicators.disclosure.tables import CountTable, Relation, hidden

INTERVAL_COLUMNS = ["cell", "indicators", "period", "district_code", "primary", "lower", "upper",
                    "width", "required", "protected", "family"]
COUNTS = "counts"  # the family of a cell that is not a rule-protected one (disclosure.ruled)


@dataclass
class Bounds:
    """Per cell: what an attacker knows of its count (lower, upper) and whether it is
    suppressed (to be audited)."""

    lower: np.ndarray
    upper: np.ndarray
    suppressed: np.ndarray
    # Published ratios of two cells (``CountTable.ratio_of``): (numerator cell, denominator
    # cell, least, greatest ratio the rounded value allows), so that
    # ``least · denominator ≤ numerator ≤ greatest · denominator``: linear in the counts.
    ratios: list[tuple[int, int, float, float]] = field(default_factory=list)

    def relations(self) -> list[Relation]:
        return [relation for numerator, denominator, least, greatest in self.ratios
                for relation in (
                    Relation({numerator: 1.0, denominator: -greatest}, 0.0, equality=False),
                    Relation({denominator: least, numerator: -1.0}, 0.0, equality=False))]


def ceiling(cells: pd.DataFrame) -> np.ndarray:
    """The most a cell's count can be, as the audit's programs assume: its whole (a share's
    denominator). A rate's count may exceed its residents (service requests where few live):
    then the count itself, which the true table always satisfies and which errs on the safe
    side (a tighter bound narrows the intervals the audit checks)."""
    return np.maximum(cells["whole"].to_numpy(float), cells["count"].to_numpy(float))


def planned_bounds(table: CountTable, digits: int) -> Bounds:
    """The bounds a release would give if every cell were published by its indicators at
    ``digits`` significant digits (computed from the counts themselves); ``with_suppressed``
    then withholds some."""
    cells = table.cells
    count = cells["count"].to_numpy(float)
    lower, upper = np.zeros(len(cells)), ceiling(cells)
    scales: dict[str, set[tuple[float, str]]] = {}
    for indicator_id, (signature, scale) in table.published_as.items():
        scales.setdefault(json_key(signature), set()).add(
            (scale, table.divided_by.get(indicator_id, "whole")))
    keys = np.array([json_key(s) for s in cells["signature"]], dtype=object)
    unpublished = hidden(cells)
    for key, published in scales.items():
        rows = np.flatnonzero((keys == key) & ~unpublished)
        for scale, column in published:
            divisor = _column(cells, column)
            known = rows[np.isfinite(divisor[rows]) & (divisor[rows] > 0)]
            divisor = divisor[known]
            value = round_significant(scale * count[known] / divisor, digits)
            _narrow(lower, upper, known, value, scale, divisor, digits)
    ratios = []
    index = _cell_index(cells)
    for numerator_of, denominator_of in table.ratio_of.values():
        for i, period, district in cells.loc[keys == json_key(numerator_of),
                                             ["cell", "period", "district_code"]].itertuples(
                                                 index=False):
            j = index.get((json_key(denominator_of), period, district))
            if j is not None and count[j] > 0:
                ratios.append(_ratio(int(i), j, float(round_significant(
                    np.array([count[i] / count[j]]), digits)[0]), digits))
    return Bounds(lower, upper, np.zeros(len(cells), dtype=bool), ratios)


def with_suppressed(bounds: Bounds, whole: np.ndarray, suppressed: np.ndarray) -> Bounds:
    """``bounds`` with the ``suppressed`` cells withheld (known only to lie in 0…``whole``,
    the cells' ``ceiling``)."""
    return Bounds(np.where(suppressed, 0.0, bounds.lower),
                  np.where(suppressed, whole, bounds.upper), suppressed.copy(),
                  [r for r in bounds.ratios if not (suppressed[r[0]] or suppressed[r[1]])])


def published_bounds(table: CountTable, published: pd.DataFrame, digits: int) -> Bounds:
    """The bounds that stored values (rows: indicator_id, period, district_code, value,
    suppressed) give. A cell is suppressed when every row publishing it is suppressed; a cell
    no row publishes is unknown to the attacker (bounds 0…whole) and not audited. A row's
    value is ``scale · count / divisor``: its indicator's column of ``table.divided_by``
    (a rate per km²: the area), the cell's whole by default."""
    cells = table.cells
    divisors = {column: _column(cells, column) for column in {"whole", *table.divided_by.values()}}
    lower, upper = np.zeros(len(cells)), ceiling(cells)
    shown = np.zeros(len(cells), dtype=bool)
    hidden = np.zeros(len(cells), dtype=bool)
    index = _cell_index(cells)
    ratios = []
    for row in published.itertuples(index=False):
        district = None if pd.isna(row.district_code) else row.district_code
        pair = table.ratio_of.get(row.indicator_id)
        if (pair is not None and not bool(row.suppressed) and pd.notna(row.value)
                and np.isfinite(float(row.value))):
            i, j = (index.get((json_key(s), str(row.period), district)) for s in pair)
            if i is not None and j is not None:
                ratios.append(_ratio(i, j, float(row.value), digits))
        mapped = table.published_as.get(row.indicator_id)
        if mapped is None:
            continue
        signature, scale = mapped
        i = index.get((json_key(signature), str(row.period), district))
        if i is None:
            continue
        if bool(row.suppressed) or pd.isna(row.value):
            hidden[i] = True
            continue
        shown[i] = True
        at = np.array([i])
        divisor = divisors[table.divided_by.get(row.indicator_id, "whole")][at]
        if np.isfinite(divisor[0]) and divisor[0] > 0:
            _narrow(lower, upper, at, np.array([float(row.value)]), scale, divisor, digits)
    # Cells a roll-up withholds without a row of their own (the rest of withheld siblings,
    # disclosure.service_table) are audited as withheld.
    planned = (cells["planned"].to_numpy(bool) if "planned" in cells
               else np.zeros(len(cells), dtype=bool))
    return Bounds(lower, upper, (hidden | planned) & ~shown, ratios)


def _cell_index(cells: pd.DataFrame) -> dict[tuple[str, str, object], int]:
    """Each cell's id by (signature key, period, district code: None for the city)."""
    return {(json_key(s), p, None if pd.isna(d) else d): int(c) for c, s, p, d in
            cells[["cell", "signature", "period", "district_code"]].itertuples(index=False)}


def _ratio(numerator: int, denominator: int, value: float, digits: int
           ) -> tuple[int, int, float, float]:
    """The ratio a published ``value`` (rounded to ``digits``) allows, slightly widened:
    float noise must not make the true counts infeasible."""
    step = float(half_step(np.array([value]), digits)[0])
    slack = 1e-9 * max(abs(value), 1.0)
    return numerator, denominator, max(value - step - slack, 0.0), value + step + slack


def _column(cells: pd.DataFrame, name: str) -> np.ndarray:
    """A column of divisors (NaN where a table has none: the value tells nothing)."""
    return cells[name].to_numpy(float) if name in cells else np.full(len(cells), np.nan)


def json_key(signature: tuple[str, str]) -> str:
    return "\x1f".join(signature)


def _narrow(lower: np.ndarray, upper: np.ndarray, rows: np.ndarray, value: np.ndarray,
            scale: float, divisor: np.ndarray, digits: int) -> None:
    """Tighten the bounds of ``rows`` to what their published ``value`` (rounded) allows."""
    step = half_step(value, digits)
    # float noise must not make the true count infeasible
    slack = 1e-9 * np.maximum(np.maximum(divisor, np.abs(value) / scale * divisor), 1.0)
    lower[rows] = np.maximum(lower[rows], (value - step) / scale * divisor - slack)
    upper[rows] = np.minimum(upper[rows], (value + step) / scale * divisor + slack)


def components(n_cells: int, relations: list[Relation]) -> list[ComponentLP]:
    """The linear systems of cells that share relations, transitively (cells in no relation
    are alone): each with its cells in increasing order, ordered by their first cell."""
    first: list[int] = []
    other: list[int] = []
    for relation in relations:
        head, *rest = relation.coefs
        first += [head] * len(rest)
        other += rest
    graph = coo_array((np.ones(len(first)), (first, other)), shape=(n_cells, n_cells))
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    theirs: dict[int, list[Relation]] = {}
    for relation in relations:
        theirs.setdefault(int(labels[next(iter(relation.coefs))]), []).append(relation)
    return [ComponentLP(cells, theirs.get(int(labels[cells[0]]), []))
            for cells in sorted(groups, key=lambda g: int(g[0])) if len(cells)]


class ComponentLP:
    """The linear system of one component: its relations over its cells."""

    def __init__(self, cells: np.ndarray, mine: list[Relation]):
        self.cells = cells
        position = {int(c): k for k, c in enumerate(cells)}
        self.eq = self._matrix([r for r in mine if r.equality], position)
        self.ub = self._matrix([r for r in mine if not r.equality], position)
        # Built on the first interval asked: one model for the minima, one for the maxima.
        self._extremes: tuple[HighsModel, HighsModel] | None = None
        self._change: HighsModel | None = None

    def _matrix(self, relations: list[Relation], position: dict[int, int]
                ) -> tuple[csr_array, np.ndarray] | None:
        if not relations:
            return None
        rows, cols, data = [], [], []
        for k, relation in enumerate(relations):
            for cell, coef in relation.coefs.items():
                rows.append(k)
                cols.append(position[cell])
                data.append(coef)
        matrix = csr_array((data, (rows, cols)), shape=(len(relations), len(self.cells)))
        return matrix, np.array([r.rhs for r in relations])

    def interval(self, target: int, low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
        """Min and max of cell ``target`` (a position in this component) with the component's
        cells between ``low`` and ``high``."""
        if self.eq is None and self.ub is None:  # a cell in no relation: only its bounds
            return float(low[target]), float(high[target])
        if self._extremes is None:
            system = stacked(self.eq, self.ub, len(self.cells))
            self._extremes = (HighsModel(*system, primal=True),
                              HighsModel(*system, maximise=True, primal=True))
        least, most = self._extremes
        return least.optimum(target, low, high), most.optimum(target, low, high)

    def change_model(self, count: np.ndarray) -> HighsModel:
        """The changes ``y = y_up − y_down`` of this component's ``count`` (columns: ``y_up``
        then ``y_down``) that keep every relation: ``A y = 0`` and ``A (count + y) ≤ b``."""
        if self._change is None:
            n = len(self.cells)
            equal = (hstack([self.eq[0], -self.eq[0]]), np.zeros(self.eq[0].shape[0])
                     ) if self.eq else None
            under = (hstack([self.ub[0], -self.ub[0]]), self.ub[1] - self.ub[0] @ count
                     ) if self.ub else None
            self._change = HighsModel(*stacked(equal, under, 2 * n))
        return self._change


def member_check(low: float, high: float, wholes: object, required: float
                 ) -> tuple[float, float]:
    """(width, required width) of a cell as the protection sees it. A cell that stands for
    several withheld siblings together (``member_wholes``: their bounds, from
    ``disclosure.service_table``) is as protected as the least known of them: each lies
    between ``max(0, low − what the others can hold)`` and ``min(its bound, high)``, and
    needs the protection range capped at its bound."""
    if not isinstance(wholes, tuple) or len(wholes) < 2:
        return high - low, required
    caps = np.minimum(np.array(wholes, dtype=float), high)
    widths = caps - np.maximum(0.0, low - (caps.sum() - caps))
    needs = np.minimum(required, np.array(wholes, dtype=float))
    worst = int(np.argmin(widths - needs))
    return float(widths[worst]), float(needs[worst])


def required_width(table: CountTable, protection: float) -> np.ndarray:
    """The protection range of each cell: ``protection`` persons, capped at the cell's
    denominator (a count can never be less known than 0…whole)."""
    return np.minimum(protection, table.cells["whole"].to_numpy(float))


def intervals(table: CountTable, bounds: Bounds, protection: float,
              threads: int = 1) -> pd.DataFrame:
    """One row per suppressed cell: its attacker interval and whether it is wide enough. Only
    primary cells (small counts) need the protection range; a complement (withheld to protect
    them) is required nothing, its interval is shown for information. ``threads`` solve the
    components side by side."""
    cells = table.cells
    primary = cells["primary"].to_numpy(bool)
    need = np.where(primary, required_width(table, protection), 0.0)
    members = (cells["member_wholes"].to_numpy(object) if "member_wholes" in cells
               else np.full(len(cells), None, dtype=object))
    names = _indicator_names(table)
    families = (cells["family"].fillna(COUNTS).to_numpy(object) if "family" in cells
                else np.full(len(cells), COUNTS, dtype=object))

    # An ended area's count is no published value: it is not audited itself, only through the
    # carried cells tied to it (disclosure.carried).
    audited_cells = bounds.suppressed & ~hidden(cells)

    def audited(lp: ComponentLP) -> list[dict]:
        rows = []
        component = lp.cells
        low_bounds, high_bounds = bounds.lower[component], bounds.upper[component]
        for k in np.flatnonzero(audited_cells[component]):
            low, high = lp.interval(int(k), low_bounds, high_bounds)
            cell = int(component[k])
            width, required = member_check(low, high, members[cell], float(need[cell]))
            rows.append({"cell": cell, "indicators": names[json_key(cells["signature"][cell])],
                         "period": cells["period"][cell],
                         "district_code": cells["district_code"][cell],
                         "primary": bool(primary[cell]),
                         "lower": low, "upper": high, "width": width,
                         "required": required,
                         "protected": bool(width >= required - 1e-6),
                         "family": str(families[cell])})
        return rows

    audited_components = [lp for lp in components(len(cells),
                                                  table.relations + bounds.relations())
                          if audited_cells[lp.cells].any()]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        rows = [row for part in pool.map(audited, audited_components) for row in part]
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def _indicator_names(table: CountTable) -> dict[str, str]:
    names: dict[str, list[str]] = {}
    for indicator_id, (signature, _) in table.published_as.items():
        names.setdefault(json_key(signature), []).append(indicator_id)
    for indicator_id, signature in table.linked.items():
        names.setdefault(json_key(signature), []).append(indicator_id)
    return {key: ", ".join(sorted(ids)) for key, ids in names.items()}
