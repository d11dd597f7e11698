"""Cities side by side: each indicator's published city-level value per city, with its rank,
percentile, distance from the peer group's average and from its best value, and the trend
over periods.

Only values that mean the same thing are ranked together. A value is flagged, and left out of
the rank, the average and the best, when it rests on another definition (its hash), another
period, low coverage, or a group dimension other than the peers' (a foreign-resident share
counted by citizenship in one city and by birthplace in another); every view shows the flags.
Only published values take part: suppressed ones (the disclosure gate) never leave the store.
Cities imported from other observatories' benchmark bundles are marked ``external``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from indicators.carry_forward import carried_from
from indicators.definitions import GroupSharesFormula
from indicators.formulas.diversity import DiversityFormula
from indicators.formulas.phones import PhoneResidentsFormula
from indicators.formulas.terms import TermsFormula
from indicators.icc import load_areas, score_names
from observatory.services.definitions import current_definitions
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.indicator_catalog import IndicatorInfo, indicator_catalog
from observatory.services.jsonable import plain
from observatory.services.peer_groups import CityFacts, PeerGroup
from observatory.services.peers import external_cities
from observatory.store import Store

MIN_COVERAGE = 0.8  # below it a city-level value rests on too few districts to rank
VALUE_COLUMNS = ["city", "indicator_id", "period", "value", "coverage", "definition_hash",
                 "estimate"]

# Why a value is not ranked with the others, in each language (every view shows these).
FLAGS: dict[str, dict[str, str]] = {
    "definition": {"en": "another definition (hash differs)", "ar": "تعريف مختلف (البصمة مختلفة)"},
    "period": {"en": "another period", "ar": "فترة مختلفة"},
    "coverage": {"en": "low coverage", "ar": "تغطية منخفضة"},
    "dimension": {"en": "another group dimension", "ar": "بُعد مجموعات مختلف"},
    "outside_group": {"en": "outside the peer group", "ar": "خارج مجموعة النظراء"},
}
NOT_COMPARABLE = ("definition", "period", "coverage", "dimension")

# One concept that cities count along different group dimensions: each city's value is the
# first member it holds, and the dimension it counts is named and compared.
FAMILIES: dict[str, dict] = {
    "foreign_residents_share": {
        "names": {"en": "Foreign residents (share; by birthplace, background or citizenship)",
                  "ar": "نسبة المقيمين الأجانب (حسب مكان الولادة أو الخلفية أو الجنسية)"},
        "unit": "share",
        "members": {"foreign_born_share": "birthplace",
                    "migration_background_share": "migration_background",
                    "foreign_citizens_share": "citizenship"},
    },
    "location_quotient_foreign_residents": {
        "names": {"en": "Location quotient of foreign residents (by birthplace, background or "
                        "citizenship)",
                  "ar": "حاصل الموقع للمقيمين الأجانب (حسب مكان الولادة أو الخلفية أو الجنسية)"},
        "unit": "ratio",
        "members": {"location_quotient_foreign_born": "birthplace",
                    "location_quotient_migration_background": "migration_background",
                    "location_quotient_foreign": "citizenship"},
    },
}
FOREIGN_SHARE = "foreign_residents_share"


@dataclass(frozen=True)
class ComparisonRequest:
    cities: tuple[str, ...] = ()  # the cities shown; empty: every member of the peer group
    indicators: tuple[str, ...] = ()  # empty: every indicator a peer holds
    period: str | None = None  # None: per indicator, the latest period most peers hold
    peer_group: PeerGroup = field(default_factory=PeerGroup)
    min_coverage: float = MIN_COVERAGE


@dataclass(frozen=True)
class ComparisonInput:
    """Every city's facts and published values: ``values`` city-level (``VALUE_COLUMNS``),
    ``districts`` the district values of the top level (plus ``district_code``)."""

    cities: list[CityFacts]
    values: pd.DataFrame
    districts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=[*VALUE_COLUMNS, "district_code"]))


def load_input(store: Store, external: Iterable[str] | None = None) -> ComparisonInput:
    """The store's cities and their published values (suppressed ones never leave the store),
    read in one query for all cities; ``external``: the slugs of cities imported from
    benchmark bundles, marked as such on every view (default: the store's external peers)."""
    outside = set(external_cities(store) if external is None else external)
    published = store.published_values()
    at_city = published["district_code"].isna()
    values = _frame(published.loc[at_city, VALUE_COLUMNS], VALUE_COLUMNS)
    districts = _frame(published.loc[~at_city, [*VALUE_COLUMNS, "district_code"]],
                       [*VALUE_COLUMNS, "district_code"])
    shares = _foreign_shares(values)
    facts = []
    for city in store.cities():
        share, dimension = shares.get(city.slug, (None, None))
        facts.append(CityFacts(city.slug, city.name_en, city.name_ar, city.country,
                               city.population, share, dimension, city.slug in outside))
    return ComparisonInput(facts, values, districts)


def comparison(data: ComparisonInput, request: ComparisonRequest) -> dict:
    """The side-by-side table and the trends of ``request`` over ``data``."""
    facts = {c.slug: c for c in data.cities}
    unknown = [slug for slug in request.cities if slug not in facts]
    if unknown:
        raise NotFound(f"No city {', '.join(map(repr, unknown))} in the store (cities: "
                       f"{', '.join(sorted(facts)) or 'none yet'}). Fix: name cities the store "
                       "holds, or import a peer's benchmark bundle.")
    members = [c.slug for c in request.peer_group.members(data.cities)]
    shown = list(request.cities) or members
    values = with_families(data.values)
    ids = list(request.indicators) or default_indicators(values, members or shown)
    info = {i: describe(i) for i in ids}
    known = set(values["indicator_id"])
    missing = [i for i in ids if i not in known and i not in FAMILIES
               and info[i].framework == ""]
    if missing:
        raise NotFound(f"No city holds indicator(s) {', '.join(map(repr, missing))}. Fix: "
                       "choose ids from /cities/{city}/indicators, or a family: "
                       f"{', '.join(FAMILIES)}.")
    wanted = values[values["indicator_id"].isin(ids)
                    & values["city"].isin(set(members) | set(shown))]
    # Plain records from here on: per-indicator frame filtering costs more than the work.
    by_id: dict[str, list[dict]] = {}
    for record in _records(wanted):
        by_id.setdefault(record["indicator_id"], []).append(record)
    rows = [_indicator_row(i, info[i], by_id.get(i, []), members, shown, facts, request)
            for i in ids]
    group = request.peer_group
    # The trends are built of Python numbers already (and are the bulk): plain() spares them.
    return {**plain({
        "peer_group": {"id": group.id, "name_en": group.names()["en"],
                       "name_ar": group.names()["ar"], "members": members,
                       "size": len(members)},
        "period": request.period,
        "min_coverage": request.min_coverage,
        "cities": [_city_entry(facts[s], s in members, group) for s in shown],
        "flags": FLAGS,
        "indicators": rows,
    }), "trends": trends(by_id, ids, shown, facts)}


def with_families(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` with a row per city for each family: the first member the city holds, the
    member and its group dimension named (``source_id``, ``dimension``)."""
    out = [values.assign(source_id=values["indicator_id"], dimension=None)]
    for family, spec in FAMILIES.items():
        order = list(spec["members"])
        held = values[values["indicator_id"].isin(order)]
        if held.empty:
            continue
        rank = held["indicator_id"].map({m: n for n, m in enumerate(order)})
        first = held.assign(_rank=rank).sort_values("_rank")
        first = first[first["_rank"] == first.groupby("city")["_rank"].transform("min")]
        out.append(first.drop(columns="_rank").assign(
            source_id=first["indicator_id"], indicator_id=family,
            dimension=first["indicator_id"].map(spec["members"])))
    return pd.concat(out, ignore_index=True)


def default_indicators(values: pd.DataFrame, cities: Iterable[str]) -> list[str]:
    """Every indicator one of ``cities`` holds, composites first, without the per-group values
    (one per citizenship…), the family members (their family stands for them) and what does
    not compare cities (``_not_compared``)."""
    held = values.loc[values["city"].isin(set(cities)), "indicator_id"].unique()
    left_out, per_group = _not_compared()
    left_out |= {m for spec in FAMILIES.values() for m in spec["members"]}
    kept = [i for i in held if i not in left_out and i.partition(".")[0] not in per_group]
    return sorted(kept, key=lambda i: (describe(i).framework, i))


def _not_compared() -> tuple[set[str], set[str]]:
    """Definition ids a default comparison leaves out: location quotients (a district's share
    over the city's: 1 for every city) and the phone estimates' errors (they measure the
    method, not the city); and those whose values are one per group (``<id>.<group>``)."""
    left_out, per_group = set(), set()
    for definition in current_definitions().values():
        formula = definition.formula
        if isinstance(formula, GroupSharesFormula) or (
                isinstance(formula, PhoneResidentsFormula) and formula.per_group):
            per_group.add(definition.id)
        if ((isinstance(formula, PhoneResidentsFormula) and formula.statistic != "residents")
                or (isinstance(formula, DiversityFormula)
                    and formula.measure == "location_quotient")
                or (isinstance(formula, TermsFormula)
                    and any(t.scope == "city" for t in formula.terms.values()))):
            left_out.add(definition.id)
    return left_out, per_group


def describe(indicator_id: str) -> IndicatorInfo:
    """Names, unit and direction of any id a comparison shows: definitions, composites,
    families and ICC scores."""
    catalog = indicator_catalog()
    if indicator_id in FAMILIES:
        spec = FAMILIES[indicator_id]
        return IndicatorInfo(indicator_id, "demography", spec["names"]["en"],
                             spec["names"]["ar"], spec["unit"])
    try:
        return catalog[indicator_id]
    except KeyError:
        pass
    icc = _icc_names()
    if indicator_id in icc:
        names = icc[indicator_id]
        return IndicatorInfo(indicator_id, "icc", names["en"], names["ar"], "score", "higher")
    return IndicatorInfo(indicator_id, "", indicator_id.replace("_", " "), "", "")


@lru_cache(maxsize=1)
def _icc_names() -> Mapping[str, dict[str, str]]:
    return score_names(load_areas())


def _indicator_row(ident: str, info: IndicatorInfo, rows: list[dict], members: list[str],
                   shown: list[str], facts: Mapping[str, CityFacts],
                   request: ComparisonRequest) -> dict:
    peers, shown = set(members), list(dict.fromkeys(shown))
    in_group = [r for r in rows if r["city"] in peers]
    period = request.period or _most_held(in_group, "period", latest=True)
    at_period = [r for r in in_group if r["period"] == period]
    definition = _most_held(at_period, "definition_hash")
    dimension = _most_held(at_period, "dimension")
    picked = _one_per_city(rows, period)
    entries = {}
    for city in dict.fromkeys([*members, *shown]):
        row = picked.get(city)
        entries[city] = _entry(city, row, period, definition, dimension, city in peers,
                               request.min_coverage, facts[city]) | {"shown": city in shown}
    ranked = [e for e in entries.values() if e["ranked"]]
    sample = np.array([e["value"] for e in ranked], dtype=float)
    average = float(sample.mean()) if len(sample) else None
    best = None
    if len(sample) and info.direction in ("higher", "lower"):
        best = float(sample.max() if info.direction == "higher" else sample.min())
    for e in entries.values():
        _place(e, sample, average, best, info.direction)
    return {"indicator_id": ident, "name_en": info.name_en, "name_ar": info.name_ar,
            "framework": info.framework, "unit": info.unit, "direction": info.direction,
            "period": period, "definition_hash": definition, "dimension": dimension,
            "sample_size": len(sample), "average": average, "best": best,
            "values": list(entries.values())}


def _most_held(rows: list[dict], column: str, latest: bool = False) -> str | None:
    """The value of ``column`` the most cities hold (ties: the latest, or the first sorted)."""
    holders: dict[str, set[str]] = {}
    for r in rows:
        if r[column] is not None:
            holders.setdefault(str(r[column]), set()).add(r["city"])
    if not holders:
        return None
    most = max(len(c) for c in holders.values())
    top = [value for value, c in holders.items() if len(c) == most]
    return max(top) if latest else min(top)


def _one_per_city(rows: list[dict], period: str | None) -> dict[str, dict]:
    """Each city's value of ``period``, else its latest (then flagged ``period``)."""
    picked: dict[str, dict] = {}
    for r in rows:
        held = picked.get(r["city"])
        if held is None or (r["period"] == period) > (held["period"] == period) or (
                (r["period"] == period) == (held["period"] == period)
                and r["period"] > held["period"]):
            picked[r["city"]] = r
    return picked


def _records(values: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python values, None for missing (NaN) text and numbers."""
    columns = list(values.columns)
    lists = [values[c].astype(object).where(values[c].notna(), None).tolist()
             for c in columns]
    periods = columns.index("period")
    lists[periods] = [str(p) for p in lists[periods]]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _entry(city: str, row: dict | None, period: str | None, definition: str | None,
           dimension: str | None, in_group: bool, min_coverage: float,
           facts: CityFacts) -> dict:
    flags = []
    if row is not None:
        if row["period"] != period:
            flags.append("period")
        if definition is not None and row["definition_hash"] != definition:
            flags.append("definition")
        coverage = row["coverage"]
        if coverage is not None and not pd.isna(coverage) and coverage < min_coverage:
            flags.append("coverage")
        if dimension is not None and row.get("dimension") not in (None, dimension):
            flags.append("dimension")
    comparable = row is not None and not flags
    if not in_group:
        flags.append("outside_group")
    return {"city": city, "external": facts.external, "in_peer_group": in_group,
            "value": None if row is None else float(row["value"]),
            "period": None if row is None else str(row["period"]),
            "coverage": None if row is None else row["coverage"],
            "definition_hash": None if row is None else row["definition_hash"],
            "source_id": None if row is None else row.get("source_id"),
            "carried_from": None if row is None else carried_from(row.get("estimate")),
            "dimension": None if row is None else row.get("dimension"),
            "comparable": comparable, "ranked": comparable and in_group, "flags": flags,
            "rank": None, "percentile": None, "from_average": None, "from_best": None}


def _place(entry: dict, sample: np.ndarray, average: float | None, best: float | None,
           direction: str) -> None:
    """Rank (1 = best, ties share the better rank), percentile (share of the other ranked
    peers it does better than), signed distance from the average and distance from the best
    (0 at the best, positive behind it) — for comparable values only."""
    if not entry["comparable"] or average is None:
        return
    value = entry["value"]
    entry["from_average"] = value - average
    if best is not None:
        entry["from_best"] = abs(best - value)
    if not entry["ranked"] or direction not in ("higher", "lower"):
        return
    better = (sample > value) if direction == "higher" else (sample < value)
    worse = (sample < value) if direction == "higher" else (sample > value)
    entry["rank"] = int(better.sum()) + 1
    if len(sample) > 1:
        entry["percentile"] = 100.0 * int(worse.sum()) / (len(sample) - 1)


def trends(by_id: Mapping[str, list[dict]], ids: list[str], cities: list[str],
           facts: Mapping[str, CityFacts]) -> list[dict]:
    """Per indicator, each shown city's series over periods; a point whose definition differs
    from the one before starts a new segment (``break``: the line is not drawn through)."""
    wanted = set(cities)
    out = []
    for ident in ids:
        per_city: dict[str, list[dict]] = {}
        for r in by_id.get(ident, []):
            if r["city"] in wanted:
                per_city.setdefault(r["city"], []).append(r)
        series = []
        for city in cities:
            mine = sorted(per_city.get(city, []), key=lambda r: r["period"])
            if not mine:
                continue
            points = [{"period": r["period"], "value": float(r["value"]),
                       "definition_hash": r["definition_hash"],
                       "break": n > 0 and r["definition_hash"] != mine[n - 1]["definition_hash"]}
                      for n, r in enumerate(mine)]
            series.append({"city": city, "external": facts[city].external, "points": points})
        out.append({"indicator_id": ident, "series": series})
    return out


def _city_entry(facts: CityFacts, in_group: bool, group: PeerGroup) -> dict:
    """A shown city; ``foreign_share_flag``: its share counts another dimension than the
    ICC's birthplace, so its membership of a foreign-share group is approximate."""
    approximate = (group.uses_foreign_share() and facts.foreign_dimension not in
                   (None, "birthplace"))
    return {"slug": facts.slug, "name_en": facts.name_en, "name_ar": facts.name_ar,
            "country": facts.country, "population": facts.population,
            "foreign_share": facts.foreign_share,
            "foreign_share_dimension": facts.foreign_dimension, "external": facts.external,
            "in_peer_group": in_group, "foreign_share_flag": "dimension" if approximate else ""}


def _foreign_shares(values: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """Per city, its latest foreign-resident share and the dimension it counts (birthplace
    first, the ICC's convention)."""
    members = FAMILIES[FOREIGN_SHARE]["members"]
    held = values[values["indicator_id"].isin(list(members))]
    order = {member: n for n, member in enumerate(members)}
    held = held.assign(_rank=held["indicator_id"].map(order), _period=held["period"].astype(str))
    first = held.sort_values(["_rank", "_period"], ascending=[True, False])
    first = first.drop_duplicates("city", keep="first")
    return {city: (float(value), members[member]) for city, value, member in
            zip(first["city"], first["value"], first["indicator_id"], strict=True)}


def _frame(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``rows`` renumbered; none: an empty frame of ``columns``."""
    return rows.reset_index(drop=True) if len(rows) else pd.DataFrame(columns=columns)


def parse_ids(text: str | None, what: str, limit: int = 200) -> tuple[str, ...]:
    """A comma-separated list as the front doors take it (``vienna,berlin``)."""
    items = tuple(dict.fromkeys(p.strip() for p in (text or "").split(",") if p.strip()))
    if len(items) > limit:
        raise InvalidRequest(f"{len(items)} {what} given; at most {limit}. Fix: name fewer.")
    return items
