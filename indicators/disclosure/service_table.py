"""The count-table cells of service demand rolled up until safe (``disclosure.rollup``), per
family (distinct users, records): one cell per published node (signature: the variable and
service area over the formula's residents, as the published rows name it) and the city node;
under a published node whose children are partly published, one *rest* cell for the
withheld children together; and the tree's relations.

Why a rest cell is enough: a withheld child's subtree is withheld whole, so a withheld child
appears in no relation but its parent's. Then any split of the rest among the withheld
children is possible (each between 0 and its own bound, a single one equal to the rest), and
every withheld child is known exactly as well as the rest, or less; the audit checks the
rest against the protection range as if it were the smallest of them. A node whose children
are all withheld relates to nothing below it: any value of it is reachable by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.definitions import Definition
from indicators.disclosure.rollup import ALL, CITY_NODE, canonical
from indicators.disclosure.tables import Relation
from indicators.evaluate import PreparedObservations
from indicators.formulas.service_demand import MEASURES, ServiceDemandFormula

FAMILIES = ("users", "records")
REST_NAMES = {"district_all": "districts", "district_area": "service areas",
              "quarter": "quarters", "month": "months"}
CELL_COLUMNS = ["cell", "signature", "period", "district_code", "count", "whole", "primary",
                "planned", "member_wholes"]


@dataclass
class ServiceTable:
    cells: pd.DataFrame
    published_as: dict[str, tuple[tuple[str, str], float]] = field(default_factory=dict)
    linked: dict[str, tuple[str, str]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    also_linked: dict[str, tuple[str, str]] = field(default_factory=dict)
    ratio_of: dict[str, tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=dict)


def service_tables(definitions: Iterable[Definition], prepared: PreparedObservations,
                   min_count: int, offset: int) -> list[ServiceTable]:
    """One table per roll-up (definitions reading the same users, records, areas and
    residents share one), its cell ids counting from ``offset``."""
    by_source: dict[str, list[Definition]] = {}
    for definition in definitions:
        formula = definition.formula
        if isinstance(formula, ServiceDemandFormula):
            by_source.setdefault(_source(formula), []).append(definition)
    out = []
    for members in by_source.values():
        formula = members[0].formula
        assert isinstance(formula, ServiceDemandFormula)
        nodes = formula.nodes(prepared, min_count)
        if nodes is None:
            continue
        table = _Table(formula, nodes, min_count, offset)
        for definition in members:
            measure = definition.formula.measure  # type: ignore[union-attr]
            for area in table.areas:
                ident = f"{definition.id}.{area}"
                if measure == "area_mix":
                    if area != ALL:  # a share of the year's records: withheld with either
                        table.result.linked[ident] = table.signature("records", area)
                        table.result.also_linked[ident] = table.signature("records", ALL)
                        table.result.ratio_of[ident] = (table.signature("records", area),
                                                        table.signature("records", ALL))
                else:
                    table.result.published_as[ident] = (
                        table.signature(MEASURES[measure], area), 1000.0)
        # Rest cells are named in the audit by what they hold.
        rates = [d.id for d in members if d.formula.measure != "area_mix"]  # type: ignore[union-attr]
        for (family, area, grain), signature in table.rests.items():
            ident = next((r for r in rates if MEASURES[_measure(members, r)] == family),
                         f"{family} of {formula.users}")
            table.result.linked[f"{ident}.{area} (its withheld {REST_NAMES[grain]})"] = signature
        out.append(table.result)
        offset += len(table.result.cells)
    return out


def _measure(definitions: list[Definition], ident: str) -> str:
    return next(d.formula.measure for d in definitions  # type: ignore[union-attr]
                if d.id == ident)


def _source(formula: ServiceDemandFormula) -> str:
    return formula.model_dump_json(include={"users", "records", "area", "residents"})


class _Table:
    """The roll-up's count table: every published node (and the city node), and under each
    published node whose children are partly published, one *rest* cell for the withheld
    ones (module docstring of ``disclosure.rollup``: their subtrees are withheld)."""

    def __init__(self, formula: ServiceDemandFormula, nodes: pd.DataFrame, min_count: int,
                 offset: int):
        self.formula = formula
        self.areas = sorted(set(nodes["area"]))
        self.min_count = min_count
        year_records = nodes[nodes["grain"] == "city_all"].set_index("period")["records"]
        whole = nodes["whole"].to_numpy(float)
        # A node without foreign residents is never published; its bound in the audit is
        # then the year's records, which no count of that year exceeds.
        fallback = nodes["period"].str[:4].map(year_records).to_numpy(float) + 1.0
        # Repeated visits can give more records than foreign residents: the bound is never
        # below the node's own counts, so the true table always satisfies the audit's program.
        own = nodes[list(FAMILIES)].to_numpy(float).max(axis=1)
        self.nodes = nodes.assign(whole=np.maximum(np.where(whole > 0, whole, fallback), own))
        self.rows: list[dict] = []
        self.rests: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.relations: list[Relation] = []
        published = nodes["published"].to_numpy(bool)
        parent = nodes["parent"].to_numpy()
        groups: dict[tuple[int, str], list[int]] = {}
        for child in np.flatnonzero(parent >= 0):
            if published[parent[child]]:
                groups.setdefault((int(parent[child]), str(nodes["grain"].iat[child])),
                                  []).append(int(child))
        self.cell_of: dict[int, int] = {}
        for at in np.flatnonzero(published | (parent < 0)):
            self.cell_of[int(at)] = self._node_cell(int(at))
        for (node, grain), members in groups.items():
            shown = [m for m in members if published[m]]
            if shown:
                self._relate(node, grain, shown, [m for m in members if not published[m]])
        cells = pd.DataFrame(self.rows, columns=CELL_COLUMNS[1:])
        cells.insert(0, "cell", offset + np.arange(len(cells)))
        shift = {k: offset + k for k in range(len(cells))}
        self.result = ServiceTable(cells, relations=[
            Relation({shift[c]: v for c, v in r.coefs.items()}, r.rhs, r.equality)
            for r in self.relations])

    def signature(self, family: str, area: str, rest: str = "") -> tuple[str, str]:
        variable = self.formula.users if family == "users" else self.formula.records
        part: dict = {"variable": variable, "where": {self.formula.area: area},
                      "scope": "district"}
        if rest:  # the withheld siblings of a published node together: never a published row
            part["rest_of"] = rest
        return (canonical(part), self.formula.residents.model_dump_json())

    def _cell(self, signature: tuple[str, str], period: str, district: str,
              count: float, whole: float, primary: bool, planned: bool,
              member_wholes: tuple[float, ...] | None = None) -> int:
        self.rows.append({"signature": signature, "period": period,
                          "district_code": None if district == CITY_NODE else district,
                          "count": count, "whole": whole, "primary": primary,
                          "planned": planned, "member_wholes": member_wholes})
        return len(self.rows) - 1

    def _node_cell(self, node: int) -> int:
        row = self.nodes.iloc[node]
        first = -1
        for family in FAMILIES:
            count = float(row[family])
            cell = self._cell(self.signature(family, row["area"]), row["period"],
                              row["district_code"], count, float(row["whole"]),
                              count <= self.min_count, not bool(row["published"]))
            first = cell if first < 0 else first
        return first  # the users cell; the records cell follows it

    def _relate(self, node: int, grain: str, shown: list[int], hidden: list[int]) -> None:
        parent_cell = self.cell_of[node]
        kids = [self.cell_of[m] for m in shown]
        rest = None
        if hidden:
            members = self.nodes.iloc[hidden]
            row = self.nodes.iloc[node]
            rest = len(self.rows)
            additive_users = grain == "district_all"  # the city's users: its districts' sum
            for family in FAMILIES:
                signature = self.signature(family, row["area"], rest=grain)
                self.rests[(family, row["area"], grain)] = signature
                bounds = members["whole"].to_numpy(float)
                if family == "users" and not additive_users:
                    # Each withheld child's users are at most the parent's (its true count:
                    # lower than what the attacker can allow, so the check errs on the safe
                    # side).
                    bounds = np.minimum(bounds, float(row["users"]))
                self._cell(signature,
                           row["period"], row["district_code"], float(members[family].sum()),
                           float(members["whole"].sum()),
                           bool((members[family] <= self.min_count).any()), True,
                           tuple(float(b) for b in bounds))
        additive_users = grain == "district_all"
        for k, family in enumerate(FAMILIES):
            total = parent_cell + k
            parts = [c + k for c in kids] + ([rest + k] if rest is not None else [])
            if family == "records" or additive_users:
                self.relations.append(Relation({**dict.fromkeys(parts, 1.0), total: -1.0},
                                               0.0))
                continue
            # Distinct users: each child at most the parent, the parent at most their sum.
            self.relations += [Relation({c + k: 1.0, total: -1.0}, 0.0, equality=False)
                               for c in kids]
            self.relations.append(Relation({**dict.fromkeys(parts, -1.0), total: 1.0}, 0.0,
                                           equality=False))
            if rest is not None:  # the withheld children: each at most the parent
                self.relations.append(Relation({rest + k: 1.0, total: -float(len(hidden))},
                                               0.0, equality=False))
