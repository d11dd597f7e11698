"""The count table behind a city's published ratios, and the linear relations between its cells.

Every published share or rate ``k · a / b`` (a count ``a`` over its denominator ``b``) is one
cell ``a`` of a count table. The attacker is assumed to know every denominator ``b`` exactly
(censuses publish district populations), which is the conservative assumption: a share then
pins its count to within the rounding. The relations an attacker can use are linear in counts:

- **districts sum to the city**: the city cell of an indicator and period is the sum of its
  district cells;
- **groups sum to the whole**: the group shares of one dimension (citizenship) in one district
  sum to 1, i.e. their counts sum to the known denominator;
- **a share of several groups is their sum** (foreign = every citizenship but national), so
  ``foreign − Σ published foreign groups`` is a relation too;
- **categories sum to the total**: the rates of counted points (the ``points`` feed) per 1,000
  residents, per category and in total, share the residents, so ``total − Σ categories`` is a
  relation among their counts;
- **periods sum to the periods that hold them**: a count published per month and per year
  (points loaded by month and by year) gives a month as the year minus the other months, so
  a year (quarter, month) is the sum of its finer periods at each grain; a rate's cells divide
  by the rate's own residents (the latest census year at or before the period's), so its
  months are cells too;
- **one count published twice is one cell** (the same numerator and denominator under two
  indicators, e.g. a share and the location quotient built on it: those are *linked*);
- **a location quotient is its group's share** over the city's: the share is a cell, assumed
  known, and the quotient is withheld with it, and in every district with the city's share
  (a published quotient and district share would give the city's back);
- **a gap is its two ratios**: a difference of ratios (an integration gap, ``100·a/b −
  100·c/d``) gives each ratio's cell to anyone who knows the other ratio, so both are cells of
  the table, assumed known (the conservative reading), and the gap is withheld with either;
- **a carried count is its old areas' counts times the crosswalk's weights** (counts loaded on
  boundaries that have since ended): the old areas are cells no one publishes (``hidden``),
  tied to the carried cells (``disclosure.carried``).

A relation is kept only where it holds on the true counts (observations without a district,
say, break "districts sum to the city", and then that relation gives an attacker nothing exact).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from indicators.definitions import Definition
from indicators.disclosure.carried import CarriedSources, source_cells
from indicators.disclosure.primary import small_counts
from indicators.evaluate import PreparedObservations
from indicators.formulas.base import Term
from indicators.formulas.diversity import DiversityFormula
from indicators.formulas.group_shares import GroupSharesFormula
from indicators.formulas.rates import RateFormula
from indicators.formulas.terms import TermsFormula

RATIO = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?([A-Za-z_]\w*)\s*/\s*([A-Za-z_]\w*)\s*$")
SIGN = re.compile(r"\s[+-]\s")  # a sum or difference at the top (an expression has no brackets)
Signature = tuple[str, str]  # (numerator term, denominator term) as canonical JSON


def _canonical(term: Term) -> str:
    return json.dumps(term.model_dump(), sort_keys=True)


@dataclass(frozen=True)
class Ratio:
    """One published ratio: ``scale · part / whole``; ``groups`` names the groups of
    ``family`` (variable, dimension) that ``part`` counts, ``not_groups`` those it leaves out
    (the rest of the family's groups), ``formula`` the definition's own formula (its primary
    suppression rule)."""

    indicator_id: str
    part: Term
    whole: Term
    scale: float
    formula: TermsFormula
    family: tuple[str, str] | None = None
    groups: frozenset[str] | None = None
    not_groups: frozenset[str] | None = None
    # A rate's own denominators (the latest census year at or before the period's), so that
    # its months, and years after the last census, are cells too.
    rate: RateFormula | None = None

    @cached_property  # asked for per cell and relation; the terms never change
    def signature(self) -> Signature:
        return _canonical(self.part), _canonical(self.whole)


@dataclass
class Relation:
    """``Σ coef · cell (= or ≤) rhs`` over cell ids."""

    coefs: dict[int, float]
    rhs: float
    equality: bool = True


@dataclass
class CountTable:
    """Cells (one row per count: cell, signature, period, district_code — None for the city —,
    count, whole, primary, hidden: an ended area's count, never published), which indicators
    publish each signature and at what scale, the
    indicators linked to one (suppressed with it; ``also_linked``: a second cell that
    withholds them too, e.g. a share's denominator), and the relations."""

    cells: pd.DataFrame
    published_as: dict[str, tuple[Signature, float]]
    linked: dict[str, Signature]
    relations: list[Relation] = field(default_factory=list)
    also_linked: dict[str, Signature] = field(default_factory=dict)
    # Indicators divided by their cell's city value (a location quotient over the city's
    # share): every row is withheld with that city cell, else one published quotient and
    # its district's published share would give the withheld city share.
    city_linked: dict[str, Signature] = field(default_factory=dict)
    # Indicators whose value is not ``scale · count / whole``: the column of ``cells`` that
    # divides their count (a rate per km²: the area; a phone estimate: one over its
    # calibration ratio). ``whole`` stays the most the count can be.
    divided_by: dict[str, str] = field(default_factory=dict)
    # Indicators whose value is the ratio of two cells' counts of one period and area (a
    # service area's share of its year's records): a published one bounds the first cell
    # between its rounding interval times the second (``audit.Bounds.ratios``).
    ratio_of: dict[str, tuple[Signature, Signature]] = field(default_factory=dict)


def _family(part: Term, whole: Term) -> tuple[tuple[str, str], frozenset | None,
                                              frozenset | None] | None:
    if part.variable != whole.variable or part.scope != "district" or whole.scope != "district":
        return None
    if len(whole.where) != 1 or len(part.where) != 1:
        return None
    [(dimension, everyone)] = whole.where.items()
    if everyone != {"not": []} or dimension not in part.where:
        return None
    wanted = part.where[dimension]
    key = (part.variable, dimension)
    if isinstance(wanted, str):
        return key, frozenset([wanted]), None
    if isinstance(wanted, list):
        return key, frozenset(wanted), None
    return key, None, frozenset(wanted["not"])


def _quotient_share(indicator_id: str, formula: DiversityFormula) -> Ratio:
    """The share behind a location quotient of one group, with a share's rule."""
    assert formula.group is not None  # a quotient names its group
    part = Term(variable=formula.variable, where={formula.dimension: formula.group})
    everyone = Term(variable=formula.variable, where={formula.dimension: {"not": []}})
    rule = TermsFormula(terms={"part": part, "everyone": everyone},
                        expression="part / everyone", counts=["part", "everyone - part"])
    return Ratio(f"{indicator_id} (share of {formula.group})", part, everyone, 1.0, rule,
                 (formula.variable, formula.dimension), frozenset([formula.group]))


def gap_ratios(indicator_id: str, formula: TermsFormula) -> list[Ratio]:
    """The two ratios of a formula ``k·a/b ± k·c/d`` over district terms (an integration gap),
    each a cell whose rule is its own count and complement; none for any other formula."""
    if "(" in formula.expression:
        return []
    pieces = SIGN.split(formula.expression)
    matches = [RATIO.match(piece) for piece in pieces]
    if len(pieces) != 2 or not all(m and {m[2], m[3]} <= formula.terms.keys() for m in matches):
        return []
    out = []
    for match in matches:
        assert match is not None  # checked above
        part, whole = formula.terms[match[2]], formula.terms[match[3]]
        if not part.scope == whole.scope == "district":
            return []
        rule = TermsFormula(terms={"part": part, "whole": whole}, expression="part / whole",
                            counts=["part", "whole - part"])
        out.append(Ratio(f"{indicator_id} ({match[2]} / {match[3]})", part, whole,
                         float(match[1] or 1), rule, *(_family(part, whole) or (None, None,
                                                                                 None))))
    return out


def ratios(definitions: Iterable[Definition], prepared: PreparedObservations
           ) -> tuple[list[Ratio], dict[str, frozenset[str]], dict[str, list[Signature]]]:
    """The ratios among ``definitions``, the terms formulas linked to one (by the counts
    their disclosure rule checks): indicator id → the set of canonical terms, and the
    indicators withheld with the ratios they rest on (a gap's two, a location quotient's
    share): indicator id → their signatures."""
    found: list[Ratio] = []
    linked: dict[str, frozenset[str]] = {}
    resting_on: dict[str, list[Signature]] = {}
    for definition in definitions:
        formula = definition.formula
        if isinstance(formula, GroupSharesFormula):
            codes, groups = prepared.codes(formula.dimension)
            variable = prepared.variable_codes == prepared.variables.get_indexer(
                [formula.variable])[0]
            present = sorted(str(g) for g in groups[np.unique(codes[variable & (codes >= 0)])])
            everyone = Term(variable=formula.variable, where={formula.dimension: {"not": []}})
            for group in present:
                if group in formula.exclude:
                    continue
                part = Term(variable=formula.variable, where={formula.dimension: group})
                share = TermsFormula(terms={"part": part, "everyone": everyone},
                                     expression="part / everyone",
                                     counts=["part", "everyone - part"])
                found.append(Ratio(f"{definition.id}.{group}", part, everyone, 1.0, share,
                                   (formula.variable, formula.dimension), frozenset([group])))
        elif isinstance(formula, RateFormula):
            found += _rate_ratios(definition.id, formula, prepared)
        elif isinstance(formula, DiversityFormula) and formula.group is not None:
            quotient = _quotient_share(definition.id, formula)
            found.append(quotient)
            resting_on[definition.id] = [quotient.signature]
        elif isinstance(formula, TermsFormula):
            match = RATIO.match(formula.expression)
            if match and {match[2], match[3]} <= formula.terms.keys():
                part, whole = formula.terms[match[2]], formula.terms[match[3]]
                if part.scope == whole.scope == "district":
                    family = _family(part, whole)
                    found.append(Ratio(definition.id, part, whole, float(match[1] or 1), formula,
                                       *(family or (None, None, None))))
                    continue
            if components := gap_ratios(definition.id, formula):
                found += components
                resting_on[definition.id] = [c.signature for c in components]
                continue
            counted = {name for name in formula.terms
                       if any(re.search(rf"\b{name}\b", e) for e in formula.counts)}
            if counted:
                linked[definition.id] = frozenset(_canonical(formula.terms[n]) for n in counted)
    return _with_rate_totals(found), linked, resting_on


def _rate_ratios(indicator_id: str, formula: RateFormula,
                 prepared: PreparedObservations) -> list[Ratio]:
    """A rate of observed counts per 1,000 residents is a ratio of counts: one per category
    when split ``by`` one (the family (variable, category) whose cells sum to the total).
    Its residents (``Ratio.rate``) are the ones the rate divides by in each district and
    period, the latest candidate year at or before the period's. Rates of events have no counts
    among the observations: their own rule protects them (the city value only where no
    district is suppressed), and the audit checks it (``disclosure.ruled``)."""
    if formula.counts is None or formula.per != "1000_residents":
        return []
    whole = next((d.term() for d in formula.residents if prepared.mask(d.term()).any()), None)
    if whole is None:
        return []
    rule = TermsFormula(terms={"part": formula.counts, "whole": whole},
                        expression="1000 * part / whole", counts=["part", "whole"])
    if formula.by is None:
        return [Ratio(indicator_id, formula.counts, whole, 1000.0, rule, rate=formula)]
    codes, groups = prepared.codes(formula.by)
    mask = prepared.mask(formula.counts)
    present = sorted(str(g) for g in groups[np.unique(codes[mask & (codes >= 0)])])
    family = (formula.counts.variable, formula.by)
    out = []
    for group in present:
        part = Term(variable=formula.counts.variable,
                    where={**formula.counts.where, formula.by: group})
        out.append(Ratio(f"{indicator_id}.{group}", part, whole, 1000.0,
                         rule.model_copy(update={"terms": {"part": part, "whole": whole}}),
                         family, frozenset([group]), rate=formula))
    return out


def _with_rate_totals(found: list[Ratio]) -> list[Ratio]:
    """A rate of all the counts of a variable whose categories another rate publishes joins
    their family as the sum of every category (total − Σ categories = 0)."""
    families = {r.family[0]: r.family for r in found
                if r.family is not None and r.scale == 1000.0}
    return [replace(r, family=families[r.part.variable], not_groups=frozenset())
            if r.family is None and r.scale == 1000.0 and not r.part.where
            and r.part.variable in families else r for r in found]


def _sums(prepared: PreparedObservations, term: Term, like: Term) -> pd.Series:
    """``term``'s sum per (period, district_code) where ``like`` (the ratio's other term) or
    ``term`` has rows, city rows (district None) included."""
    frame = TermsFormula(terms={"t": term, "u": like}, expression="t").evaluate(
        prepared, min_count=0, indicator_id="")
    return frame.set_index(["period", "district_code"])["value"]


def _rate_wholes(rate: RateFormula, prepared: PreparedObservations,
                 index: pd.MultiIndex) -> np.ndarray:
    """Each (period, district) cell's residents as the rate divides by them; the city's:
    its districts' sum (the rate's city value is published only where every district has a
    count)."""
    keys = index.to_frame(index=False)
    district = keys["district_code"].notna().to_numpy()
    whole = np.full(len(keys), np.nan)
    whole[district] = rate.residents_at(prepared, keys["period"][district],
                                        keys["district_code"][district])
    sums = pd.Series(whole[district]).groupby(keys["period"][district].to_numpy()).sum(
        min_count=1)
    whole[~district] = keys["period"][~district].map(sums).to_numpy(dtype=float)
    return whole


def build_table(definitions: Iterable[Definition], prepared: PreparedObservations,
                min_count: int, carried: CarriedSources | None = None) -> CountTable:
    """The count table of every ratio among ``definitions`` on the prepared observations, and
    of the service demand they roll up (``planned``: withheld by the roll-up); ``carried``:
    where some of the observations were carried from ended boundaries, what they came from."""
    definitions = list(definitions)
    found, linked_terms, resting_on = ratios(definitions, prepared)
    rows, published_as, seen = [], {}, {}
    for ratio in found:
        published_as[ratio.indicator_id] = (ratio.signature, ratio.scale)
        if ratio.signature in seen:
            continue
        seen[ratio.signature] = ratio
        primary = ratio.formula.evaluate(prepared, min_count=min_count, indicator_id="")
        frame = primary.set_index(["period", "district_code"])[["suppressed"]].rename(
            columns={"suppressed": "primary"})
        frame["count"] = _sums(prepared, ratio.part, ratio.whole)
        frame["whole"] = _sums(prepared, ratio.whole, ratio.part)
        if ratio.rate is not None:
            frame["whole"] = _rate_wholes(ratio.rate, prepared, frame.index)
            frame["primary"] = small_counts(frame[["count", "whole"]].to_numpy(float),
                                            min_count)
        rows.append(frame.reset_index().assign(signature=[ratio.signature] * len(frame)))
    linked = {}
    for indicator_id, terms in linked_terms.items():
        for signature in seen:
            if set(signature) == terms:
                linked[indicator_id] = signature
    also_linked: dict[str, Signature] = {}
    for indicator_id, (first, *second) in resting_on.items():
        linked[indicator_id] = first
        if second:
            also_linked[indicator_id] = second[0]
    city_linked = {d.id: linked[d.id] for d in definitions
                   if d.id in linked and _over_the_city(d.formula)}
    carry: list[Relation] = []
    if not rows:
        cells = pd.DataFrame(columns=["cell", "signature", "period", "district_code", "count",
                                      "whole", "primary", "planned", "hidden"])
    else:
        cells = _cells(pd.concat(rows, ignore_index=True))
        if carried is not None:
            sources, equalities = source_cells(_source_sums(seen.values(), carried), cells,
                                               carried.weights)
            cells = pd.concat([cells, sources], ignore_index=True)
            carry = [Relation({target: 1.0} | {s: -w for s, w in parts.items()}, 0.0)
                     for target, parts in equalities]
        cells["primary"] = cells["primary"].astype(bool)
        cells["planned"] = False
    relations = holding(table_relations(cells, list(seen.values())) + carry, cells)
    # Service demand rolled up until safe: its own cells and relations (disclosure.rollup).
    from indicators.disclosure.service_table import service_tables  # it imports this module

    service = service_tables(definitions, prepared, min_count, offset=len(cells))
    ratio_of: dict[str, tuple[Signature, Signature]] = {}
    for extra in service:
        cells = pd.concat([cells, extra.cells], ignore_index=True) if len(cells) else extra.cells
        published_as |= extra.published_as
        linked |= extra.linked
        also_linked |= extra.also_linked
        ratio_of |= extra.ratio_of
        relations += holding(extra.relations, cells)
    return CountTable(_with_flags(cells), published_as, linked, relations, also_linked,
                      city_linked,
                      ratio_of=ratio_of)


def _cells(rows: pd.DataFrame) -> pd.DataFrame:
    """Numbered cells of the rows that have a count and a positive whole."""
    cells = rows[rows["count"].notna() & rows["whole"].notna() & (rows["whole"] > 0)]
    cells = cells.reset_index(drop=True).rename_axis("cell").reset_index()
    cells["period"] = cells["period"].astype(str)
    cells["district_code"] = cells["district_code"].astype(object).where(
        cells["district_code"].notna(), None)
    return cells.assign(hidden=False)


def _source_sums(found: Iterable[Ratio], carried: CarriedSources) -> pd.DataFrame:
    """Each ratio's count and whole on the ended areas the carried rows came from (a rate's
    whole, its residents of another year, is left missing)."""
    frames = []
    for ratio in found:
        frame = pd.DataFrame({"count": _sums(carried.prepared, ratio.part, ratio.whole)})
        frame["whole"] = (np.nan if ratio.rate is not None
                          else _sums(carried.prepared, ratio.whole, ratio.part))
        frame = frame.reset_index()
        frame = frame[frame["district_code"].notna() & frame["count"].notna()]
        frames.append(frame.assign(signature=[ratio.signature] * len(frame),
                                   period=frame["period"].astype(str)))
    columns = ["signature", "period", "district_code", "count", "whole"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(
        columns=columns)


def merged(first: CountTable, second: CountTable) -> CountTable:
    """Two count tables as one, the second's cells numbered after the first's."""
    offset = len(first.cells)
    cells = pd.concat([first.cells, second.cells.assign(cell=second.cells["cell"] + offset)],
                      ignore_index=True) if len(second.cells) else first.cells
    cells = _with_flags(cells)
    shifted = [Relation({c + offset: v for c, v in r.coefs.items()}, r.rhs, r.equality)
               for r in second.relations]
    return CountTable(cells, first.published_as | second.published_as,
                      first.linked | second.linked, first.relations + shifted,
                      first.also_linked | second.also_linked,
                      first.city_linked | second.city_linked,
                      first.divided_by | second.divided_by, first.ratio_of | second.ratio_of)


def _with_flags(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` with primary, planned and hidden as booleans, False where a table had none
    (a service table has no hidden cells, a ruled one no planned)."""
    for column in ("primary", "planned", "hidden"):
        cells[column] = (cells[column].fillna(False).astype(bool) if column in cells
                         else False)
    return cells


def hidden(cells: pd.DataFrame) -> np.ndarray:
    """Per cell: is it an ended area's count, which no one publishes (``disclosure.carried``)?"""
    return (cells["hidden"].fillna(False).to_numpy(bool) if "hidden" in cells
            else np.zeros(len(cells), dtype=bool))


def _over_the_city(formula: object) -> bool:
    """Is the formula divided by a city-wide value (a location quotient)?"""
    if isinstance(formula, DiversityFormula):
        return formula.group is not None
    return isinstance(formula, TermsFormula) and any(
        t.scope == "city" for t in formula.terms.values())


def holding(relations: Iterable[Relation], cells: pd.DataFrame) -> list[Relation]:
    """The relations that hold on the true counts (the others give an attacker nothing
    exact)."""
    counts = cells["count"].to_numpy(float)
    return [r for r in relations if _holds(r, counts)]


def _holds(relation: Relation, counts: np.ndarray) -> bool:
    total = sum(coef * counts[cell] for cell, coef in relation.coefs.items())
    tolerance = 1e-6 * max(1.0, abs(relation.rhs))
    return (abs(total - relation.rhs) <= tolerance if relation.equality
            else total <= relation.rhs + tolerance)


def table_relations(cells: pd.DataFrame, found: list[Ratio]) -> list[Relation]:
    """The relations among ``cells`` (of ``found``'s families, if any): districts sum to the
    city, periods to the periods holding them, groups to their whole."""
    out: list[Relation] = []
    index = {(s, p, d): c for c, s, p, d in cells[["cell", "signature", "period",
                                                   "district_code"]].itertuples(index=False)}
    wholes = cells["whole"].to_numpy(float)  # by cell id, which is the row's position
    # The ended areas the carried cells came from are not districts of the city now.
    districts = cells[cells["district_code"].notna() & ~hidden(cells)]
    # Districts sum to the city.
    for (signature, period), group in districts.groupby(["signature", "period"], sort=False):
        total = index.get((signature, period, None))
        if total is not None:
            coefs = dict.fromkeys(group["cell"].tolist(), 1.0)
            coefs[total] = -1.0
            out.append(Relation(coefs, 0.0))
    out += _period_relations(cells)
    # Families: single groups sum to the whole; a share of several groups is their sum.
    by_family: dict[tuple[str, str], list[Ratio]] = {}
    for ratio in found:
        if ratio.family is not None:
            by_family.setdefault(ratio.family, []).append(ratio)
    units = cells[["period", "district_code"]].drop_duplicates().itertuples(index=False)
    units = [(p, None if pd.isna(d) else d) for p, d in units]
    for members in by_family.values():
        singles = {next(iter(r.groups)): r for r in members
                   if r.groups is not None and len(r.groups) == 1}
        if not singles:
            continue
        whole_term = _canonical(next(iter(singles.values())).whole)
        for period, district in units:
            present = {g: index[(r.signature, period, district)] for g, r in singles.items()
                       if (r.signature, period, district) in index}
            if not present:
                continue
            whole = float(wholes[next(iter(present.values()))])
            out.append(Relation(dict.fromkeys(present.values(), 1.0), whole))
            for ratio in members:
                cell = index.get((ratio.signature, period, district))
                if (cell is None or _canonical(ratio.whole) != whole_term
                        or (ratio.groups is not None and len(ratio.groups) == 1)):
                    continue
                groups = (ratio.groups if ratio.groups is not None
                          else frozenset(singles) - (ratio.not_groups or frozenset()))
                if groups <= present.keys():
                    coefs = {present[g]: -1.0 for g in groups}
                    coefs[cell] = 1.0
                    out.append(Relation(coefs, 0.0))
    return out


PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2])(?:-(\d{2}))?)?$")
GRAINS = ("year", "quarter", "month", "day")


def _containers(period: str) -> tuple[str, list[str]]:
    """A period's grain and the coarser periods that hold it ("2025-03-14": day; the month
    2025-03, the quarter 2025-Q1, the year 2025); an unknown form: no grain, none."""
    match = PERIOD.match(period)
    if match is None:
        return "", []
    year, quarter, month, day = match.groups()
    if quarter:
        return "quarter", [year]
    if not month:
        return "year", []
    held = [f"{year}-Q{(int(month) - 1) // 3 + 1}", year]
    return ("day", [f"{year}-{month}", *held]) if day else ("month", held)


def _period_relations(cells: pd.DataFrame) -> list[Relation]:
    """One period minus others: for each signature and area, a period whose finer periods are
    cells too is their sum at each finer grain (a year's requests are its months'). Kept, like
    every relation, only where it holds on the true counts: a stock such as a census
    population does not add up over months, a flow loaded once per month and once per year
    does."""
    index = {(s, p, d): c for c, s, p, d in cells[["cell", "signature", "period",
                                                   "district_code"]].itertuples(index=False)}
    parts: dict[tuple, list[int]] = {}
    for (signature, period, district), cell in index.items():
        grain, containers = _containers(str(period))
        for container in containers:
            if (signature, container, district) in index:
                parts.setdefault((signature, container, district, grain), []).append(cell)
    return [Relation({**dict.fromkeys(members, 1.0), index[(s, p, d)]: -1.0}, 0.0)
            for (s, p, d, _), members in parts.items()]
