"""Compute a city's indicators: evaluate → standardise → aggregate → store (DESIGN.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.aggregate import weighted_means
from indicators.carry_forward import area_of, carried_forward, composite_notes, is_carried
from indicators.definitions import Framework, load_frameworks
from indicators.disclosure.carried import CarriedSources
from indicators.disclosure.gate import (
    Plan,
    audit_release,
    plan_levels,
    refuse_unless_protected,
    release,
    round_published,
)
from indicators.disclosure.hierarchy import withhold_across_levels
from indicators.disclosure.ruled import ruled_table
from indicators.evaluate import (
    KEY,
    VALUE_COLUMNS,
    PreparedObservations,
    SpatialContext,
    evaluate,
    joined_runs,
)
from indicators.formulas.diversity import DiversityFormula
from indicators.formulas.phones import PhoneResidentsFormula, PresenceRatioFormula
from indicators.formulas.rates import RateFormula
from indicators.level_inputs import observations_at_level, parent_map
from indicators.standardise import standardise
from observatory.settings import DisclosureSettings
from observatory.store import Store
from observatory.store.base import ReadOnlyCityError


def framework_values(framework: Framework, prepared: PreparedObservations,
                     min_count: int, spatial: SpatialContext | None = None,
                     plan: Plan | None = None) -> pd.DataFrame:
    """Every indicator of a framework and, for composite frameworks, its sub-dimension,
    dimension and index composites, as rows of the indicator_value contract. With a disclosure
    ``plan``, values pass its gate (withheld, rounded) before they are scored, so a score says
    no more than its published value."""
    rows = []
    for definition in framework.indicators:
        raw = (released_diversity(definition.formula, prepared, min_count, plan)
               if plan is not None and isinstance(definition.formula, DiversityFormula)
               and definition.formula.group is None
               else evaluate(definition, prepared, min_count, spatial))
        if raw.empty:
            continue
        if plan is not None:
            raw = release(raw.assign(indicator_id=raw.get("indicator_id", definition.id)), plan)
        if definition.holds_for is not None:
            raw = carried_forward(raw.assign(indicator_id=raw.get("indicator_id", definition.id)),
                                  prepared.units, definition.holds_for)
        score = (standardise(raw["value"].to_numpy(), definition.benchmarks, definition.direction)
                 if definition.benchmarks is not None and definition.direction != "neutral"
                 else np.full(len(raw), np.nan))
        ids = raw.get("indicator_id", definition.id)  # group shares name one per group
        rows.append(raw.assign(indicator_id=ids, score=score,
                               coverage=raw["value"].notna().astype(float),
                               definition_hash=definition.hash))
    if not rows:
        return pd.DataFrame()
    values = pd.concat(rows, ignore_index=True)
    if framework.composite:
        values = pd.concat([values, _noting_carried(framework, values,
                                                    _composites(framework, values))],
                           ignore_index=True)
    if plan is not None:
        values = round_published(values, plan.digits)
    return values.rename(columns={"runs": "source_runs"})


def released_diversity(formula: DiversityFormula, prepared: PreparedObservations,
                       min_count: int, plan: Plan) -> pd.DataFrame:
    """A diversity index with the groups whose shares the plan withholds merged into one."""
    if prepared.obs.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return formula.evaluate_released(
        prepared, min_count=min_count,
        withheld=lambda keys, groups: plan.withheld_groups(keys, formula.variable,
                                                           formula.dimension, groups))


def _composites(framework: Framework, values: pd.DataFrame) -> pd.DataFrame:
    units, unit_of_row = _units(values)
    scores = _unit_scores(values, unit_of_row, len(units))
    missing = np.full(len(units), np.nan)
    ids, parts = [], []
    dim_scores, dim_cover, dim_weights = [], [], []
    for dimension in framework.dimensions:
        sub_scores, sub_cover, sub_weights = [], [], []
        for sub in dimension.subdimensions:
            members = [d for d in framework.indicators
                       if d.dimension == dimension.id and d.subdimension == sub.id]
            matrix = np.column_stack([scores.get(d.id, missing) for d in members]
                                     ) if members else np.full((len(units), 1), np.nan)
            weights = np.array([d.weight for d in members] or [1.0])
            value, cover = weighted_means(matrix, weights, framework.aggregation.subdimension)
            ids.append(f"{framework.framework}.{dimension.id}.{sub.id}")
            parts.append((value, cover))
            sub_scores.append(value)
            sub_cover.append(cover)
            sub_weights.append(sub.weight)
        value, cover = weighted_means(np.column_stack(sub_scores), np.array(sub_weights),
                                      framework.aggregation.dimension, np.column_stack(sub_cover))
        ids.append(f"{framework.framework}.{dimension.id}")
        parts.append((value, cover))
        dim_scores.append(value)
        dim_cover.append(cover)
        dim_weights.append(dimension.weight)
    value, cover = weighted_means(np.column_stack(dim_scores), np.array(dim_weights),
                                  framework.aggregation.index, np.column_stack(dim_cover))
    ids.append(framework.framework)
    parts.append((value, cover))
    # Every composite lists the units in the same order: the keys are typed once and taken.
    n, every = len(units), np.tile(np.arange(len(units)), len(ids))
    score = np.concatenate([p[0] for p in parts])
    return pd.DataFrame({
        "period": units.get_level_values("period").take(every),
        "district_code": units.get_level_values("district_code").take(every),
        "indicator_id": pd.Index(ids).take(np.repeat(np.arange(len(ids)), n)),
        "value": score, "score": score, "coverage": np.concatenate([p[1] for p in parts]),
        "suppressed": False, "definition_hash": framework.hash,
        "runs": np.tile(_unit_runs(values, unit_of_row, n), len(ids))})


def _noting_carried(framework: Framework, values: pd.DataFrame,
                    composites: pd.DataFrame) -> pd.DataFrame:
    """The composites, with ``estimate`` naming the carried values a unit's composite rests on."""
    if "estimate" not in values:
        return composites
    carried = values[is_carried(values["estimate"])]
    if carried.empty:
        return composites
    fw = framework.framework
    members = {d.id: [f"{fw}.{d.dimension}.{d.subdimension}", f"{fw}.{d.dimension}", fw]
               for d in framework.indicators}
    notes = composite_notes(carried, members)
    found = pd.MultiIndex.from_arrays([composites["indicator_id"], composites["period"].astype(str),
                                       area_of(composites["district_code"])]).map(notes)
    return composites.assign(estimate=pd.Series(found, index=composites.index).fillna(""))


def _units(values: pd.DataFrame) -> tuple[pd.MultiIndex, np.ndarray]:
    """The composites' units, every period × every district (and the city, district missing,
    last) in sorted order, as a pivot of the values by period and district gives them, and
    each value row's unit."""
    periods, period_keys = pd.factorize(values["period"], sort=True, use_na_sentinel=False)
    districts, district_keys = pd.factorize(values["district_code"], sort=True,
                                            use_na_sentinel=False)
    units = pd.MultiIndex.from_product([period_keys, district_keys], names=KEY)
    return units, periods.astype(np.int64) * len(district_keys) + districts


def _unit_scores(values: pd.DataFrame, unit_of_row: np.ndarray,
                 n_units: int) -> dict[str, np.ndarray]:
    """Each indicator's score per unit: its unit's first row with a score (NaN if none)."""
    indicators, names = pd.factorize(values["indicator_id"])
    score = values["score"].to_numpy(dtype=float)
    scored = np.flatnonzero(~np.isnan(score) & (indicators >= 0))
    pairs, first = np.unique(indicators[scored].astype(np.int64) * n_units
                             + unit_of_row[scored], return_index=True)
    out = {}
    for code, name in enumerate(names):
        column = np.full(n_units, np.nan)
        chosen = pairs // n_units == code
        column[pairs[chosen] % n_units] = score[scored[first[chosen]]]
        out[str(name)] = column
    return out


def _unit_runs(values: pd.DataFrame, unit_of_row: np.ndarray, n_units: int) -> np.ndarray:
    """The ingest runs behind each unit over all its values' runs, distinct, sorted and
    comma-joined (missing where none). Rows repeat few distinct runs texts: those are split,
    not every row."""
    texts, listed = pd.factorize(values["runs"])
    named = texts >= 0
    pairs = np.unique(unit_of_row[named] * len(listed) + texts[named])
    split = [[r for r in str(text).split(",") if r != ""] for text in listed]
    runs = sorted({r for parts in split for r in parts})
    code = {r: i for i, r in enumerate(runs)}
    flat = np.array([code[r] for parts in split for r in parts], dtype=np.int64)
    lengths = np.array([len(parts) for parts in split], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    units, text = pairs // max(len(listed), 1), pairs % max(len(listed), 1)
    # every run of every (unit, text) pair: the text's runs are flat[start:start + length]
    count = lengths[text]
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    unit_run = np.unique(np.repeat(units, count) * max(len(runs), 1)
                         + flat[np.repeat(starts[text], count) + offset])
    unit, run = unit_run // max(len(runs), 1), unit_run % max(len(runs), 1)
    return joined_runs(unit, run, np.array(runs, dtype=object), n_units, np.nan)


def compute_city(store: Store, city_slug: str, disclosure: DisclosureSettings,
                 framework: str | None = None) -> int:
    """Evaluate every framework (or the one named) for the city at every level; return rows
    written."""
    names = [f for f in load_frameworks() if framework is None or f == framework]
    return sum(compute_frameworks(store, city_slug, disclosure, names).values())


def compute_frameworks(store: Store, city_slug: str, disclosure: DisclosureSettings,
                       names: list[str]) -> dict[str, int]:
    """Evaluate the frameworks named for the city at every level; return the rows written per
    framework.

    A level's inputs are its own observations, counts summed from finer levels and counts
    carried from ended boundaries (``indicators.level_inputs``); values that rest on carried
    counts name the method in ``estimate``. One disclosure plan covers every framework and
    every level whichever are computed, so that cells shared across frameworks, and a parent
    area's count with its children's, are withheld alike; if its audit fails,
    DisclosureRefused is raised and nothing is stored. Rates of events and points and phone
    estimates are protected across levels by ``disclosure.hierarchy``; rates of events and
    phone estimates, outside the plan's count table, are protected by rules, and the release
    is audited on their table (``disclosure.ruled``) before it is stored (refused the same
    way). An external peer (a city imported from a bundle) is read-only:
    ReadOnlyCityError."""
    if any(peer.city == city_slug for peer in store.external_peers()):
        raise ReadOnlyCityError.for_city(city_slug)
    every = load_frameworks()
    variables = sorted(set().union(*(f.variables() for f in every.values()))) if every else []
    city_levels = store.levels(city_slug)
    inputs = {lv.name: observations_at_level(store, city_slug, lv.name, variables)
              for lv in city_levels}
    prepared = {name: PreparedObservations(i.observations) for name, i in inputs.items()}
    parents = {lv.name: parent_map(store, city_slug, lv, inputs[lv.name].observations)
               for lv in city_levels if lv.parent is not None}
    plan = plan_levels([d for f in every.values() for d in f.indicators], prepared,
                       city_levels, parents, disclosure,
                       {name: CarriedSources.of(i) for name, i in inputs.items()})
    refuse_unless_protected(plan.audit, city_slug)
    city = store.city(city_slug)
    top = city_levels[0].name
    chosen = [n for n in names if n in every]
    computed: dict[str, pd.DataFrame] = {}
    spatials = {level.name: SpatialContext(
        districts=store.districts(city_slug, level=level.name),
        local_crs=city.local_crs if city else "",
        events=lambda layer: store.events(city_slug, layer=layer)) for level in city_levels}
    for level in city_levels:
        spatial = spatials[level.name]
        carried = inputs[level.name].observations
        carried = carried[carried["estimate"] != ""]
        frames = [with_estimates(values, carried, every[name]).assign(framework=name)
                  for name in chosen
                  if not (values := framework_values(every[name], prepared[level.name],
                                                     disclosure.min_count, spatial,
                                                     plan.for_level(level.name, top))).empty]
        computed[level.name] = (pd.concat(frames, ignore_index=True) if frames
                                else pd.DataFrame(columns=["indicator_id", "period",
                                                           "district_code", "framework"]))
    rates = rate_indicators(every)
    protected = withhold_across_levels(
        computed, city_levels, parents,
        lambda i: i in rates or any(i.startswith(r + ".") for r in rates))
    chosen_definitions = [d for name in chosen for d in every[name].indicators]
    ruled = {name: ruled_table(chosen_definitions, rows, spatials[name], disclosure.min_count)
             for name, rows in prepared.items()}
    refuse_unless_protected(audit_release(ruled, city_levels, parents, protected, disclosure),
                            city_slug)
    written = dict.fromkeys(chosen, 0)
    for level_name, values in protected.items():
        for name, rows in values.groupby("framework", sort=False):
            written[str(name)] += store.put_indicator_values(
                city_slug, rows.drop(columns="framework"), level=level_name)
    return written


def rate_indicators(frameworks: dict[str, Framework]) -> set[str]:
    """Ids of the definitions whose formula is a rate of events or points, or a measure of
    phone counts: the values ``disclosure.hierarchy`` protects across levels."""
    return {d.id for f in frameworks.values() for d in f.indicators
            if isinstance(d.formula, RateFormula | PhoneResidentsFormula | PresenceRatioFormula)}


def with_estimates(values: pd.DataFrame, carried: pd.DataFrame,
                   framework: Framework) -> pd.DataFrame:
    """Each value's ``estimate``: the method of the carried counts it rests on (those of its
    indicator's variables in its period and district, any district for a city value; any
    carried count of the unit for a composite), '' for values on loaded counts only. A
    formula's own ``estimate`` (a rate's denominator other than its first choice) is kept,
    after the carried method."""
    own = (values["estimate"].fillna("").astype(str) if "estimate" in values
           else pd.Series("", index=values.index))
    if carried.empty:
        return values.assign(estimate=own.to_numpy())
    reads = {d.id: d.formula.variables() for d in framework.indicators}
    label = carried.groupby(["period", "variable"])["estimate"].first()
    by_area = carried.groupby(["period", "district_code", "variable"])["estimate"].first()
    out = []
    for row in values[["indicator_id", "period", "district_code"]].itertuples(index=False):
        variables = _read_by(str(row.indicator_id), reads)
        if row.district_code is None or pd.isna(row.district_code):
            found = [label.get((row.period, v), "") for v in (variables or ())]
        else:
            found = [by_area.get((row.period, row.district_code, v), "")
                     for v in (variables or set(carried["variable"]))]
        out.append(next((f for f in found if f), ""))
    joined = ["; ".join(e for e in pair if e) for pair in zip(out, own, strict=True)]
    return values.assign(estimate=joined)


def _read_by(indicator_id: str, reads: dict[str, set[str]]) -> set[str] | None:
    """The variables an indicator reads (a group share ``<id>.<group>``: its definition's);
    None for a composite."""
    if indicator_id in reads:
        return reads[indicator_id]
    return next((v for d, v in reads.items() if indicator_id.startswith(d + ".")), None)
