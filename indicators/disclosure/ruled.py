"""The count table of the values that rules, not the plan, protect: rates of events (formula
kind ``rate`` with ``events:``), rates of counted points per km² and phone estimates
(``phone_residents``). Their suppression
stays the formulas' own (a small count; a city value only where no district is withheld; a
sum over groups only where every group is) and ``disclosure.hierarchy``'s across levels. This
table lets the audit prove it, with the relations of ``disclosure.tables``: districts sum to
the city, a period to its finer periods, and, in the joint table of levels
(``disclosure.levels``), children to their parent.

- **rates of events**: one cell per layer (and local time), period and district, its count of
  events. A rate per 1,000 residents publishes it divided by the rate's residents, a rate per
  km² divided by the district's area, both assumed known to the attacker (the city's: the sum
  of its districts'), so the rates of one layer publish one cell
  (``CountTable.divided_by``). A cell is small where its count is, or where a rate per 1,000
  residents divides it by a small population (the rate's own rule).
- **rates of counted points per km²** (kind ``rate`` with ``counts:`` and ``per: km2``): one
  cell per counts term (each category of ``by`` its own), period and district, its stored
  count, published divided by the district's area (known). A count the feed redacted at
  ingest is not stored, so nothing published can give it away; a period with one has no
  city cell (its city count is not known here either, and the rule withholds the city).
  A rate of counted points per 1,000 residents is a ratio of counts in the plan's table.
- **phone estimates**: an estimate of group g in month t is ``s · r[g, C]``, the subscribers
  times the calibration ratio of the census year C (census residents over the mean of C's
  monthly city subscribers). The ratio is one of city totals, so the estimates are not linear
  in the subscriber counts; the audit assumes the attacker knows every ratio (as it assumes
  every denominator known), which makes an estimate the cell ``s`` divided by ``1 / r``, and
  the sum over groups a cell of its own tied to them: ``E = Σ_g r[g, C] · s[g]``. Left out:
  the ratio's own equation (census = ratio × mean subscribers, over cells above the threshold
  only, all of them published, so it says nothing of a withheld one) and the held-out error
  statistics (absolute values, medians: not linear).

A cell's whole, the most its count can be as the audit's bounds assume, is what the attacker
knows to bound it: the residents a rate per 1,000 residents divides it by (as for the rates of
counts, ``disclosure.tables``; a count above them is its own bound, ``audit.ceiling``). Nothing
public bounds a count of events per km² or of subscribers, so theirs is one no published value
can bring into play (``unbounded``): the city's count itself would give a withheld city's away
(the city minus the published districts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd

from indicators.definitions import Definition
from indicators.disclosure.primary import small_counts
from indicators.disclosure.tables import CountTable, Relation, Signature, holding, table_relations
from indicators.evaluate import KEY, PreparedObservations, SpatialContext
from indicators.formulas.base import Term
from indicators.formulas.phones import PhoneResidentsFormula, group_rows
from indicators.formulas.rates import RateFormula, district_km2

EVENTS, PHONES = "rates of events", "phone estimates"
COUNTED = "rates of counted points per km²"
PHONE_DIVISOR = "divisor phone estimate"  # 1 / the calibration ratio; 1 for a sum over groups
COLUMNS = ["cell", "signature", "period", "district_code", "count", "whole", "primary",
           "planned", "family"]


def ruled_table(definitions: Iterable[Definition], prepared: PreparedObservations,
                spatial: SpatialContext | None, min_count: int) -> CountTable:
    """The cells and relations of the rates of events (on ``spatial``'s districts and events)
    and the phone estimates among ``definitions``; ``family`` names which."""
    events: dict[Signature, list[tuple[str, RateFormula]]] = {}
    phones: list[tuple[str, PhoneResidentsFormula]] = []
    counted: list[tuple[str, RateFormula]] = []
    for definition in definitions:
        formula = definition.formula
        if (isinstance(formula, RateFormula) and formula.events is not None
                and spatial is not None and not spatial.districts.empty):
            signature = (json.dumps({"events": formula.events,
                                     "utc_offset_hours": formula.utc_offset(spatial)}),
                         json.dumps("events"))
            events.setdefault(signature, []).append((definition.id, formula))
        elif (isinstance(formula, RateFormula) and formula.counts is not None
              and formula.per == "km2" and spatial is not None
              and not spatial.districts.empty):
            counted.append((definition.id, formula))
        elif isinstance(formula, PhoneResidentsFormula) and formula.statistic == "residents":
            phones.append((definition.id, formula))
    frames: list[pd.DataFrame] = []
    published_as: dict[str, tuple[Signature, float]] = {}
    divided_by: dict[str, str] = {}
    sums: list[tuple[Signature, str, str | None, dict[Signature, float]]] = []
    for signature, rates in events.items():
        assert spatial is not None  # only rates on districts are kept above
        frames.append(_event_cells(signature, rates, prepared, spatial, min_count))
        for ident, formula in rates:
            scale = 1000.0 if formula.per == "1000_residents" else 1.0
            published_as[ident] = (signature, scale)
            divided_by[ident] = _divisor(formula)
    for ident, formula in counted:
        assert spatial is not None  # only rates on districts are kept above
        for name, (signature, cells) in _counted_cells(ident, formula, prepared, spatial,
                                                       min_count).items():
            frames.append(cells)
            published_as[name] = (signature, 1.0)
            divided_by[name] = _divisor(formula)
    for ident, formula in phones:
        found = _phone_cells(ident, formula, prepared, min_count)
        if found is None:
            continue
        cells, names, weighted = found
        frames.append(cells)
        for name, signature in names.items():
            published_as[name] = (signature, 1.0)
            divided_by[name] = PHONE_DIVISOR
        sums += weighted
    if not frames:
        return CountTable(pd.DataFrame(columns=COLUMNS), published_as, {},
                          divided_by=divided_by)
    cells = pd.concat(frames, ignore_index=True)
    # A sum over groups and the groups' own estimates share the groups' cells.
    again = pd.Series(list(zip(cells["signature"], cells["period"], cells["district_code"],
                               strict=True))).duplicated().to_numpy()
    cells = cells[~again & cells["count"].notna().to_numpy()
                  & (cells["whole"] > 0).to_numpy()].reset_index(drop=True)
    cells = cells.rename_axis("cell").reset_index()
    cells["district_code"] = cells["district_code"].astype(object).where(
        cells["district_code"].notna(), None)
    cells["period"] = cells["period"].astype(str)
    cells["primary"] = cells["primary"].astype(bool)
    cells["planned"] = False
    relations = table_relations(cells, []) + _weighted(cells, sums)
    return CountTable(cells, published_as, {}, holding(relations, cells),
                      divided_by=divided_by)


def unbounded(city_counts: pd.Series) -> float:
    """A bound for counts that nothing public bounds, far above any of ``city_counts`` (the
    signature's city counts): the audit's programs need a finite one."""
    return max(10.0 * float(city_counts.max()), 1000.0) if len(city_counts) else 1000.0


def _divisor(formula: RateFormula) -> str:
    """The column of the cells that a rate's values divide their count by."""
    if formula.per == "km2":
        return "divisor km2"
    return "divisor residents " + json.dumps([d.model_dump() for d in formula.residents],
                                             sort_keys=True)


def _event_cells(signature: Signature, rates: list[tuple[str, RateFormula]],
                 prepared: PreparedObservations, spatial: SpatialContext,
                 min_count: int) -> pd.DataFrame:
    """One row per period and district, and per period for the city: the count of events,
    each rate's divisor, the whole (the residents a rate per 1,000 residents divides by, else
    ``unbounded``) and whether the rate's rule finds it small."""
    counted = pd.concat([f.event_counts(spatial) for f in
                         {f.period: f for _, f in rates}.values()], ignore_index=True)
    counted = counted.assign(district_code=counted["district_code"].astype(str),
                             period=counted["period"].astype(str))
    small = small_counts(counted["count"].to_numpy(float), min_count)
    for _, formula in rates:
        column = _divisor(formula)
        if column in counted:
            continue
        if formula.per == "km2":
            km2 = district_km2(spatial.districts, spatial.local_crs)
            counted[column] = counted["district_code"].map(km2).to_numpy(float)
        else:
            counted[column] = formula.residents_at(prepared, counted["period"],
                                                   counted["district_code"])
            small |= small_counts(counted[column].to_numpy(float), min_count)
    counted["primary"] = small
    divisors = [c for c in counted if c.startswith("divisor ")]
    city = counted.groupby("period", sort=True).agg(
        count=("count", "sum"), **{c: (c, _sum_if_complete) for c in divisors}).reset_index()
    city["primary"] = small_counts(city[["count"] + [c for c in divisors if "residents" in c]]
                                   .to_numpy(float), min_count)
    city["district_code"] = None
    out = pd.concat([counted, city], ignore_index=True)
    residents = [c for c in divisors if "residents" in c]
    known = (out[residents[0]].to_numpy(float) if residents
             else np.full(len(out), np.nan))
    out["whole"] = np.where(np.isfinite(known) & (known > 0), known, unbounded(city["count"]))
    return out.assign(signature=[signature] * len(out), family=EVENTS)


def _counted_cells(ident: str, formula: RateFormula, prepared: PreparedObservations,
                   spatial: SpatialContext, min_count: int
                   ) -> dict[str, tuple[Signature, pd.DataFrame]]:
    """Per indicator of a rate of counted points per km² (one per category with ``by``): its
    signature and cells, one per period and district with a stored count, and per period
    for the city where every district has one."""
    codes = pd.Index(spatial.districts["code"].astype(str), name="district_code")
    km2 = district_km2(spatial.districts, spatial.local_crs)
    assert formula.counts is not None
    out = {}
    for name, counts in formula.observed_counts(prepared, codes, ident).items():
        counts = counts.assign(period=counts["period"].astype(str),
                               district_code=counts["district_code"].astype(str))
        complete = counts.groupby("period")["count"].apply(lambda c: c.notna().all())
        city = counts[counts["period"].map(complete).to_numpy(bool)].groupby(
            "period", as_index=False)["count"].sum().assign(district_code=None)
        city["divisor km2"] = float(km2.sum())
        counts = counts.assign(**{"divisor km2": counts["district_code"].map(km2).to_numpy(
            float)})
        both = pd.concat([counts.dropna(subset=["count"]), city], ignore_index=True)
        where = dict(formula.counts.where)
        if name != ident:  # a category of ``by``
            where[str(formula.by)] = name[len(ident) + 1:]
        signature = (json.dumps(Term(variable=formula.counts.variable, where=where)
                                .model_dump(), sort_keys=True), json.dumps("counted points"))
        out[name] = (signature, pd.DataFrame({
            "signature": [signature] * len(both), "period": both["period"].to_numpy(object),
            "district_code": both["district_code"].to_numpy(object),
            "count": both["count"].to_numpy(float), "whole": unbounded(city["count"]),
            "divisor km2": both["divisor km2"].to_numpy(float),
            "primary": small_counts(both["count"].to_numpy(float), min_count),
            "family": COUNTED}))
    return out


def _sum_if_complete(values: pd.Series) -> float:
    return float(values.sum()) if values.notna().all() else np.nan


def _phone_cells(ident: str, formula: PhoneResidentsFormula, prepared: PreparedObservations,
                 min_count: int) -> tuple[pd.DataFrame, dict[str, Signature],
                                          list[tuple[Signature, str, str | None,
                                                     dict[Signature, float]]]] | None:
    """Per group, month and district (and the city): the stored subscribers, their divisor
    (one over the month's calibration ratio) and whether they are small; for a sum over
    groups, the estimate itself (divisor 1) and its weighted relation to the groups'
    cells. None without a calibration."""
    calibrated = formula.calibrated(prepared, min_count)
    if calibrated is None or calibrated[2].estimates.empty:
        return None
    result = calibrated[2]
    # Every stored cell, the small ones too (the calibration leaves them out; they are the
    # ones to protect).
    stored = group_rows(prepared, formula.subscribers, formula.dimension)
    stored = stored.groupby([*KEY, "group"], as_index=False)["value"].sum()
    year = result.estimates.groupby("period")["year"].first()  # one calibration per month
    stored = stored[stored["period"].isin(year.index)]
    ratio = result.ratios.set_index(["year", "group"])["ratio"]
    stored["ratio"] = ratio.reindex(pd.MultiIndex.from_arrays(
        [stored["period"].map(year), stored["group"]])).to_numpy(float)
    census = json.dumps({"phone calibration": json.loads(formula.census.model_dump_json())},
                        sort_keys=True)

    def group_signature(group: str) -> Signature:
        term = Term(variable=formula.subscribers.variable,
                    where={**formula.subscribers.where, formula.dimension: group})
        return json.dumps(term.model_dump(), sort_keys=True), census

    groups = sorted(result.ratios["group"].unique())
    frames = []
    for group, rows in stored.groupby("group", sort=True):
        if group not in groups:
            continue
        city = rows.groupby("period", as_index=False).agg(value=("value", "sum"),
                                                          ratio=("ratio", "first"))
        both = pd.concat([rows.assign(primary=small_counts(rows["value"].to_numpy(float),
                                                           min_count)),
                          city.assign(district_code=None,
                                      primary=small_counts(city["value"].to_numpy(float),
                                                           min_count))], ignore_index=True)
        frames.append(pd.DataFrame({
            "signature": [group_signature(str(group))] * len(both),
            "period": both["period"].to_numpy(object),
            "district_code": both["district_code"].to_numpy(object),
            "count": both["value"].to_numpy(float), "whole": unbounded(city["value"]),
            PHONE_DIVISOR: 1.0 / both["ratio"].to_numpy(float),
            "primary": both["primary"].to_numpy(bool), "family": PHONES}))
    if not frames:
        return None
    names: dict[str, Signature] = {}
    weighted: list[tuple[Signature, str, str | None, dict[Signature, float]]] = []
    if formula.per_group:
        names = {f"{ident}.{g}": group_signature(g) for g in groups}
    else:
        total = (json.dumps(json.loads(formula.subscribers.model_dump_json()), sort_keys=True),
                 json.dumps({"phone estimate": json.loads(census)}, sort_keys=True))
        names = {ident: total}
        estimate = stored[stored["group"].isin(groups)].assign(
            value=lambda f: f["value"] * f["ratio"])
        complete = estimate.groupby(KEY)["ratio"].transform("size") == len(groups)
        complete &= estimate.groupby(KEY)["ratio"].transform(lambda r: r.notna().all())
        districts = estimate.groupby(KEY, as_index=False)["value"].sum()
        city = districts.groupby("period", as_index=False)["value"].sum().assign(
            district_code=None)
        both = pd.concat([districts, city], ignore_index=True)
        frames.append(pd.DataFrame({
            "signature": [total] * len(both), "period": both["period"].to_numpy(object),
            "district_code": both["district_code"].to_numpy(object),
            "count": both["value"].to_numpy(float), "whole": unbounded(city["value"]),
            PHONE_DIVISOR: 1.0, "primary": False, "family": PHONES}))
        for (period, district), rows in estimate[complete].groupby(KEY, sort=False):
            weighted.append((total, str(period), str(district),
                             {group_signature(str(g)): float(r)
                              for g, r in zip(rows["group"], rows["ratio"], strict=True)}))
    return pd.concat(frames, ignore_index=True), names, weighted


def _weighted(cells: pd.DataFrame, sums: list[tuple[Signature, str, str | None,
                                                    dict[Signature, float]]]) -> list[Relation]:
    """A sum over groups minus its groups' cells, each times its ratio: zero."""
    index = {(s, p, d): c for c, s, p, d in cells[["cell", "signature", "period",
                                                   "district_code"]].itertuples(index=False)}
    out = []
    for total, period, district, parts in sums:
        cell = index.get((total, period, district))
        members = {index.get((s, period, district)): coef for s, coef in parts.items()}
        if cell is None or None in members:
            continue
        out.append(Relation({**{int(m): -coef for m, coef in members.items() if m is not None},
                             cell: 1.0}, 0.0))
    return out
