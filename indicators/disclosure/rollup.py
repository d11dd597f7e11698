"""Roll-up until safe (global recoding, methodology §7): service demand from administrative
records is published at the finest grain whose count passes the small-count rule, instead of
being suppressed wherever a district × month × service-area cell is small.

The grains of one year form a tree, walked from the top:

    city × year × all areas
    └── district × year × all areas          (siblings: the districts)
        └── district × year × area           (siblings: the service areas)
            └── district × quarter × area    (siblings: the 4 quarters)
                └── district × month × area  (siblings: the 3 months)

A cell (its node) is *safe* when its distinct users exceed ``min_count`` (users never exceed
records, so its records do too) and it has a denominator (foreign residents). A node is
published only if its parent is, so a small cell's value is the one of its first published
ancestor: quarter, year, all areas, city — which each row names (``rolled_to``). Children of a
published node are published:

- **quarters and months: all or none** — if any month of a district-quarter-area is small, the
  block publishes only the quarter (a quarter minus two published months would give the third);
- **districts and areas: the safe ones**, unless the withheld ones would be given away by
  subtraction (the parent minus its published children): then they must be at least two and
  together count more than ``min_count`` users and records, and the smallest published
  sibling is withheld until they are.

Only this tree is published (no city value per area, no district value of all areas per
quarter or month), so every relation between published values is one of the tree's: a parent
against its children. The count table of the roll-up (``disclosure.service_table``) joins the
city's joint disclosure plan with the relations an attacker has: for records (which add up)
each parent is the sum of its children; for distinct users (which do not add) each child is at
most its parent and the parent at most the sum of its children, and the city's users are the
sum of its districts' (a person served in two districts counts in each). The plan's secondary
suppression and audit then run on them like on every other ratio.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
CITY_NODE = "city"  # the district_code of city nodes while planning (None in rows)
NODE_COLUMNS = ["district_code", "period", "area", "grain", "parent", "users", "records",
                "whole", "published", "rolled_to"]
QUARTERS, MONTHS = 4, 3  # quarters of a year, months of a quarter
AREA_NODES = 1 + QUARTERS * (1 + MONTHS)  # a district's year of one area and its subtree


@dataclass(frozen=True)
class ServiceCounts:
    """Counts per (district_code, period, area) of one level — users and records, ``area``
    ``all`` for every area together — and each district's foreign residents per period
    (``whole``)."""

    counts: pd.DataFrame  # district_code, period, area, users, records
    whole: pd.Series  # index (district_code, year) -> foreign residents in that year


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


@dataclass(frozen=True)
class CityDecisions:
    """The top of every year's tree, decided over all the city's districts: the years and
    service areas of the city, the city nodes' counts, foreign residents and whether they
    are published, and whether each district's all-areas node is (``decide_top``). A part
    of the city plans its districts' subtrees under them (``plan_nodes``)."""

    years: list[str]
    areas: list[str]
    city_users: np.ndarray  # (years,)
    city_records: np.ndarray
    city_whole: np.ndarray
    city_published: np.ndarray
    districts: pd.Index  # every district of the city, in the trees' order
    published: np.ndarray  # (years, districts): each district's all-areas node

    def for_districts(self, codes: np.ndarray) -> np.ndarray:
        """(years, len(codes)): whether these districts' all-areas nodes are published."""
        at = self.districts.get_indexer(codes)
        assert (at >= 0).all(), "a part's district that the city's decisions do not hold"
        return self.published[:, at]


def decide_top(years: list[str], areas: list[str], districts: np.ndarray, users: np.ndarray,
               records: np.ndarray, whole: np.ndarray, min_count: int) -> CityDecisions:
    """The city nodes and the districts' all-areas nodes of every year (``users``,
    ``records``, ``whole``: (years, districts), the districts' all-areas counts and foreign
    residents, NaN where a district has none): the city's counts are its districts' sums,
    its foreign residents the sum of those known (NaN when none is); the city is published
    when safe, its districts then by the rule of siblings."""
    known = ~np.isnan(whole)
    city_whole = np.where(known.any(axis=1), np.where(known, whole, 0.0).sum(axis=1), np.nan)
    city_users, city_records = users.sum(axis=1), records.sum(axis=1)
    city_published = (city_users > min_count) & (city_whole > 0)
    safe = (users > min_count) & (whole > 0)
    published = np.zeros(users.shape, dtype=bool)
    published[city_published] = _safe_siblings(
        safe[city_published], np.stack([users, records], axis=-1)[city_published], min_count)
    return CityDecisions(years, areas, city_users, city_records, city_whole, city_published,
                         pd.Index(districts), published)


def plan_nodes(service: ServiceCounts, min_count: int,
               decided: CityDecisions | None = None) -> pd.DataFrame:
    """One row per node of every year's tree (``NODE_COLUMNS``; ``parent``: its parent's
    position, -1 for the city): its counts, whether it is published and, for a withheld
    node, where its value is published (``rolled_to``: "2025-Q1", "2025, all areas", "the
    city, 2025, all areas"; '' when nowhere). With ``decided``, the districts of
    ``service`` are a part of a city and the top of the trees is the city's.

    Nodes are laid out in a fixed order (each year: its city node, then each district's
    subtree, parents before children), so a node's position is arithmetic on its year,
    district, area and period: the trees are built and decided on arrays, not node by node
    (a city of 5,000 districts has millions of nodes)."""
    counts = service.counts
    districts = np.array(sorted(counts.loc[counts["district_code"] != CITY_NODE,
                                           "district_code"].astype(str).unique()), dtype=object)
    areas = (decided.areas if decided is not None
             else sorted(set(counts["area"].astype(str).unique()) - {ALL}))
    years = (decided.years if decided is not None
             else sorted(counts["period"].astype(str).str[:4].unique()))
    tree = _Trees(len(years), len(districts), len(areas))
    users, records = _counts_at(tree, counts, districts, areas, years)
    whole = _wholes(tree, service.whole, districts, years)
    city, totals = tree.city_positions(), tree.total_positions()  # (years, districts)
    top = decided if decided is not None else decide_top(
        years, areas, districts, users[totals], records[totals], whole[totals], min_count)
    users[city], records[city], whole[city] = top.city_users, top.city_records, top.city_whole
    safe = (users > min_count) & (whole > 0)
    published = np.zeros(tree.size, dtype=bool)
    published[city] = top.city_published
    published[totals] = (top.for_districts(districts) if decided is not None
                         else top.published)
    _decide(tree, published, safe, np.column_stack([users, records]), min_count)
    labels, parents = tree.labels(districts, areas, years), tree.parents()
    return pd.DataFrame({
        **{name: _text(coded) for name, coded in labels.items()},
        "parent": parents, "users": users, "records": records, "whole": whole,
        "published": published,
        "rolled_to": _text(_rolled_to(parents, published, labels))})


@dataclass(frozen=True)
class TopInputs:
    """What some districts give the city's decisions (``decided_top``): the districts with
    service counts, their all-areas users and records per year (columns district_code,
    year, users, records; a district without that year's cell has no row), their foreign
    residents per census year (``census``: index (district_code, year as int)), and the
    service areas and years of their counts."""

    districts: list[str]
    totals: pd.DataFrame
    census: pd.Series
    areas: list[str]
    years: list[str]


def top_inputs(counts: pd.DataFrame, census: pd.Series) -> TopInputs:
    """``TopInputs`` from some districts' counts (as ``ServiceCounts.counts``) and census."""
    period = counts["period"].astype(str)
    top = counts[((counts["area"].astype(str) == ALL) & (period.str.len() == 4)).to_numpy()]
    return TopInputs(
        districts=sorted(counts["district_code"].astype(str).unique()),
        totals=pd.DataFrame({"district_code": top["district_code"].astype(str).to_numpy(),
                             "year": top["period"].astype(str).to_numpy(),
                             "users": top["users"].to_numpy(float),
                             "records": top["records"].to_numpy(float)}),
        census=census, areas=sorted(set(counts["area"].astype(str).unique()) - {ALL}),
        years=sorted(period.str[:4].unique()))


def decided_top(parts: list[TopInputs], min_count: int) -> CityDecisions:
    """The city's decisions from its parts' inputs, in the order of their districts."""
    years = sorted(set().union(*(p.years for p in parts)))
    areas = sorted(set().union(*(p.areas for p in parts)))
    districts = np.array(sorted(c for p in parts for c in p.districts), dtype=object)
    totals = pd.concat([p.totals for p in parts], ignore_index=True)
    d = pd.Index(districts).get_indexer(totals["district_code"])
    y = pd.Index(years).get_indexer(totals["year"])
    users, records = np.zeros((len(years), len(districts))), np.zeros((len(years),
                                                                       len(districts)))
    users[y, d], records[y, d] = totals["users"].to_numpy(), totals["records"].to_numpy()
    census = pd.concat([p.census for p in parts])
    whole = latest_census(census, years)
    key = pd.MultiIndex.from_product([districts, years])
    table = (whole.reindex(key).to_numpy(dtype=float) if len(whole) and len(key)
             else np.full(len(key), np.nan)).reshape(len(districts), len(years)).T
    return decide_top(years, areas, districts, users, records, table, min_count)


def latest_census(census: pd.Series, years: list[str]) -> pd.Series:
    """Each district's census count of the latest year at or before each of ``years``
    (``census``: index (district_code, year as int), sorted): index (district_code, year)."""
    census = census.sort_index()
    census_years = census.index.get_level_values(1).to_numpy()
    parts = []
    for wanted in years:
        upto = census[census_years <= int(wanted)]  # sorted by district, then year
        latest = upto[~upto.index.get_level_values(0).duplicated(keep="last")]
        parts.append(pd.Series(latest.to_numpy(dtype=float), index=pd.MultiIndex.from_arrays(
            [latest.index.get_level_values(0), np.full(len(latest), str(wanted), dtype=object)])))
    return pd.concat(parts) if parts else pd.Series(dtype=float)


class _Trees:
    """Node positions of every year's tree. Year y starts at ``y * per_year`` with its city
    node; district d's subtree follows at ``1 + d * per_district``: its all-areas node, then
    per area a (at ``1 + a * AREA_NODES``) the year, and per quarter q (at ``1 + q * (1 +
    MONTHS)``) the quarter and its months."""

    def __init__(self, n_years: int, n_districts: int, n_areas: int):
        self.n_years, self.n_districts, self.n_areas = n_years, n_districts, n_areas
        self.per_district = 1 + n_areas * AREA_NODES
        self.per_year = 1 + n_districts * self.per_district
        self.size = n_years * self.per_year

    def city_positions(self) -> np.ndarray:
        return np.arange(self.n_years) * self.per_year

    def total_positions(self) -> np.ndarray:
        """(years, districts): each district's all-areas node."""
        return (self.city_positions()[:, None] + 1
                + np.arange(self.n_districts)[None, :] * self.per_district)

    def area_positions(self) -> np.ndarray:
        """(years, districts, areas): each district's year of one area."""
        return (self.total_positions()[:, :, None] + 1
                + np.arange(self.n_areas)[None, None, :] * AREA_NODES)

    def quarter_positions(self) -> np.ndarray:
        """(years, districts, areas, quarters)."""
        return (self.area_positions()[..., None] + 1
                + np.arange(QUARTERS) * (1 + MONTHS))

    def month_positions(self) -> np.ndarray:
        """(years, districts, areas, quarters, months of the quarter)."""
        return self.quarter_positions()[..., None] + 1 + np.arange(MONTHS)

    def parents(self) -> np.ndarray:
        parent = np.full(self.size, -1, dtype=np.int64)
        parent[self.total_positions()] = self.city_positions()[:, None]
        parent[self.area_positions()] = self.total_positions()[..., None]
        parent[self.quarter_positions()] = self.area_positions()[..., None]
        parent[self.month_positions()] = self.quarter_positions()[..., None]
        return parent

    def labels(self, districts: np.ndarray, areas: list[str], years: list[str]
               ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each node's district_code, period, area and grain as (codes, values coded), built
        from one district's subtree (its areas, period suffixes and grains) repeated."""
        suffix = ["", *[s for q in range(1, QUARTERS + 1) for s in
                        (f"-Q{q}", *[f"-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)])]]
        kinds = ["district_area", *[g for _ in range(QUARTERS)
                                    for g in ("quarter", *["month"] * MONTHS)]]
        grains = np.array(["city_all", "district_all", "district_area", "quarter", "month"],
                          dtype=object)
        block_area = np.r_[0, np.repeat(np.arange(1, len(areas) + 1), len(suffix))]
        block_suffix = np.r_[0, np.tile(np.arange(len(suffix)), len(areas))]
        block_grain = pd.Index(grains).get_indexer(["district_all", *kinds * len(areas)])
        n = self.n_districts
        district = np.r_[0, np.repeat(np.arange(1, n + 1), self.per_district)]
        out = {"district_code": (np.tile(district, self.n_years),
                                 np.array([CITY_NODE, *districts], dtype=object)),
               "period": (np.concatenate([np.r_[y * len(suffix), np.tile(
                   y * len(suffix) + block_suffix, n)] for y in range(self.n_years)]
                   or [np.array([], dtype=np.int64)]),
                   np.array([year + s for year in years for s in suffix], dtype=object)),
               "area": (np.tile(np.r_[0, np.tile(block_area, n)], self.n_years),
                        np.array([ALL, *areas], dtype=object)),
               "grain": (np.tile(np.r_[0, np.tile(block_grain, n)], self.n_years), grains)}
        return {k: (codes.astype(np.int64, copy=False), values)
                for k, (codes, values) in out.items()}


def _text(coded: tuple[np.ndarray, np.ndarray]) -> pd.Categorical:
    """Text values from (codes, values coded) as categories: millions of nodes share a few
    texts, and the rows published from them take their text from the few (``text_of``)."""
    codes, values = coded
    texts, unique = pd.factorize(pd.Index(values, dtype="str"))  # rolled_to texts repeat
    return pd.Categorical.from_codes(texts[codes] if len(texts) else codes, unique)


def text_of(labels: pd.Series, replace: Mapping[str, str | None] | None = None) -> pd.Index:
    """The text of some nodes' labels (a column of ``plan_nodes``), taken from its few
    categories: a category in ``replace`` becomes its value there (None: missing)."""
    categories = [replace.get(c, c) if replace else c for c in labels.cat.categories]
    return pd.Index(np.array(categories, dtype=object), dtype="str").take(
        labels.cat.codes.to_numpy())


def _counts_at(tree: _Trees, counts: pd.DataFrame, districts: np.ndarray, areas: list[str],
               years: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Users and records of each node from the counts (0 where a node has none; counts the
    tree has no node for are not read: a district's all areas per quarter or month)."""
    users, records = np.zeros(tree.size), np.zeros(tree.size)
    period = counts["period"].astype(str)
    year = pd.Index(years).get_indexer(period.str[:4])
    district = pd.Index(districts).get_indexer(counts["district_code"].astype(str))
    area_text = counts["area"].astype(str)
    area = pd.Index(areas).get_indexer(area_text)
    within = np.full(len(counts), -1, dtype=np.int64)  # the node's offset in its area's block
    rest = period.str[4:]
    within[(rest == "").to_numpy()] = 0
    quarter = rest.str.fullmatch(r"-Q[1-4]").to_numpy(dtype=bool)
    within[quarter] = 1 + (rest[quarter].str[2].astype(int).to_numpy() - 1) * (1 + MONTHS)
    month = rest.str.fullmatch(r"-(0[1-9]|1[0-2])").to_numpy(dtype=bool)
    m = rest[month].str[1:].astype(int).to_numpy() - 1
    within[month] = 1 + (m // MONTHS) * (1 + MONTHS) + 1 + m % MONTHS
    all_areas = (area_text == ALL).to_numpy()
    offset = np.where(all_areas, np.where(within == 0, 0, -1),
                      np.where((area >= 0) & (within >= 0), 1 + area * AREA_NODES + within, -1))
    found = (year >= 0) & (district >= 0) & (offset >= 0)
    at = (year * tree.per_year + 1 + district * tree.per_district + offset)[found]
    users[at] = counts["users"].to_numpy(float)[found]
    records[at] = counts["records"].to_numpy(float)[found]
    return users, records


def _wholes(tree: _Trees, whole: pd.Series, districts: np.ndarray,
            years: list[str]) -> np.ndarray:
    """Each node's foreign residents: its district's in its year (the city's are set by
    ``decide_top``; NaN here)."""
    key = pd.MultiIndex.from_product([districts, years])
    table = (whole.reindex(key).to_numpy(dtype=float) if len(whole) and len(key)
             else np.full(len(key), np.nan)).reshape(len(districts), len(years)).T
    out = np.repeat(table, tree.per_district, axis=1)  # (years, district nodes)
    return np.concatenate([np.full((tree.n_years, 1), np.nan), out], axis=1).ravel()


def _decide(tree: _Trees, published: np.ndarray, safe: np.ndarray, counts: np.ndarray,
            min_count: int) -> None:
    """Below the districts' all-areas nodes (``published`` holds the top's decisions),
    top down: a node is published when its parent is and the rule of its siblings (module
    docstring) lets it — the safe ones for areas, all or none for quarters and months."""
    parents, children = tree.total_positions(), tree.area_positions()
    members = children[published[parents]]  # (published parents, siblings)
    published[members] = _safe_siblings(safe[members], counts[members], min_count)
    for parents, children in ((tree.area_positions(), tree.quarter_positions()),
                              (tree.quarter_positions(), tree.month_positions())):
        published[children] = (published[parents] & safe[children].all(axis=-1))[..., None]


def _safe_siblings(safe: np.ndarray, counts: np.ndarray, min_count: int) -> np.ndarray:
    """Per row of siblings under a published parent, the ones to publish: the safe ones, less
    the smallest until the withheld ones are none, or at least two with together more than
    ``min_count`` users and records (``counts``: users, records per sibling, the last axis).
    """
    shown = safe.copy()
    rows = np.arange(len(shown))
    while True:
        hidden = ~shown
        enough = (hidden.sum(axis=1) >= 2) & (
            np.where(hidden[..., None], counts, 0.0).sum(axis=1) > min_count).all(axis=1)
        done = ~hidden.any(axis=1) | ~shown.any(axis=1) | enough
        if done.all():
            return shown
        smallest = np.argmin(np.where(shown, counts[..., 1], np.inf), axis=1)
        shown[rows[~done], smallest[~done]] = False


def _rolled_to(parent: np.ndarray, published: np.ndarray,
               labels: dict[str, tuple[np.ndarray, np.ndarray]]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Where each withheld node's value is published, as (codes, texts): its nearest
    published ancestor's label; '' for a published node or one with no published
    ancestor."""
    target = np.full(len(parent), -1, dtype=np.int64)
    todo = ~published
    above = parent.copy()
    while True:
        todo &= above >= 0
        if not todo.any():
            break
        at = np.flatnonzero(todo)
        hit = published[above[at]]
        target[at[hit]] = above[at[hit]]
        todo[at[hit]] = False
        above = np.where(todo, parent[np.maximum(above, 0)], -1)
    codes, targets = pd.factorize(target)  # -1 (nowhere) is a value of its own here
    (district, districts), (period, periods), (area, areas) = (
        labels[k] for k in ("district_code", "period", "area"))
    texts = np.array(["" if t < 0 else
                      ("the city, " if districts[district[t]] == CITY_NODE else "")
                      + str(periods[period[t]])
                      + (", all service areas" if areas[area[t]] == ALL else "")
                      for t in targets], dtype=object)
    return codes, texts


def canonical(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True)
