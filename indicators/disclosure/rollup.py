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
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
CITY_NODE = "city"  # the district_code of city nodes while planning (None in rows)
NODE_COLUMNS = ["district_code", "period", "area", "grain", "parent", "chain", "users",
                "records", "whole", "published", "rolled_to"]


@dataclass(frozen=True)
class ServiceCounts:
    """Counts per (district_code, period, area) of one level — users and records, ``area``
    ``all`` for every area together — and each district's foreign residents per period
    (``whole``)."""

    counts: pd.DataFrame  # district_code, period, area, users, records
    whole: pd.Series  # index (district_code, year) -> foreign residents in that year


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def plan_nodes(service: ServiceCounts, min_count: int) -> pd.DataFrame:
    """One row per node of every year's tree (``NODE_COLUMNS``; ``parent``: its parent's
    position, -1 for the city; ``chain``: its ancestors'): its counts, whether it is
    published and, for a withheld node, where its
    value is published (``rolled_to``: "2025-Q1", "2025, all areas", "the city, 2025, all
    areas"; '' when nowhere)."""
    counts = service.counts
    districts = sorted(counts.loc[counts["district_code"] != CITY_NODE, "district_code"]
                       .astype(str).unique())
    areas = sorted(set(counts["area"].astype(str)) - {ALL})
    years = sorted(counts["period"].astype(str).str[:4].unique())
    lookup = counts.set_index(["district_code", "period", "area"])[["users", "records"]]
    nodes: list[tuple] = []
    for year in years:
        nodes += _year_nodes(year, districts, areas, offset=len(nodes))
    frame = pd.DataFrame(nodes, columns=["district_code", "period", "area", "grain", "parent",
                                         "chain"])
    key = pd.MultiIndex.from_frame(frame[["district_code", "period", "area"]])
    found = lookup.reindex(key)
    frame["users"] = found["users"].fillna(0.0).to_numpy()
    frame["records"] = found["records"].fillna(0.0).to_numpy()
    # City users and records are the sums of their districts' (see the module docstring).
    city = (frame["district_code"] == CITY_NODE).to_numpy()
    yearly = frame[frame["grain"] == "district_all"]
    sums = yearly.groupby(["period", "area"])[["users", "records"]].sum()
    at = pd.MultiIndex.from_frame(frame.loc[city, ["period", "area"]])
    frame.loc[city, ["users", "records"]] = sums.reindex(at).fillna(0.0).to_numpy()
    frame["whole"] = _wholes(frame, service.whole)
    safe = ((frame["users"] > min_count) & (frame["whole"] > 0)).to_numpy()
    published = _decide(frame, safe, frame[["users", "records"]].to_numpy(float), min_count)
    frame["published"] = published
    labels = (np.where(city, "the city, ", "") + frame["period"].astype(str).to_numpy()
              + np.where(frame["area"] == ALL, ", all service areas", ""))
    frame["rolled_to"] = ["" if shown else next(
        (str(labels[a]) for a in chain if published[a]), "")
        for chain, shown in zip(frame["chain"], published, strict=True)]
    return frame


def _year_nodes(year: str, districts: list[str], areas: list[str], offset: int
                ) -> list[tuple]:
    """(district_code, period, area, grain, parent position, chain of ancestor positions)
    of one year's tree, parents before children; positions count from ``offset``."""
    out: list[tuple] = []

    def add(district: str, period: str, area: str, grain: str, parent: int,
            chain: tuple[int, ...]) -> int:
        out.append((district, period, area, grain, parent, chain))
        return offset + len(out) - 1

    root = add(CITY_NODE, year, ALL, "city_all", -1, ())
    for district in districts:
        total = add(district, year, ALL, "district_all", root, (root,))
        for area in areas:
            yearly = add(district, year, area, "district_area", total, (total, root))
            for q in range(1, 5):
                quarter = add(district, f"{year}-Q{q}", area, "quarter", yearly,
                              (yearly, total, root))
                for m in range(3 * q - 2, 3 * q + 1):
                    add(district, f"{year}-{m:02d}", area, "month", quarter,
                        (quarter, yearly, total, root))
    return out


def _wholes(frame: pd.DataFrame, whole: pd.Series) -> np.ndarray:
    """Each node's foreign residents; the city's: the sum of its districts' in the year."""
    key = pd.MultiIndex.from_arrays([frame["district_code"], frame["period"].str[:4]])
    out = whole.reindex(key).to_numpy(dtype=float).copy()
    totals = (frame.loc[frame["grain"] == "district_all", ["period"]]
              .assign(whole=out[(frame["grain"] == "district_all").to_numpy()])
              .groupby("period")["whole"].sum(min_count=1))
    city = (frame["district_code"] == CITY_NODE).to_numpy()
    out[city] = frame.loc[city, "period"].map(totals).to_numpy(dtype=float)
    return out


def _decide(frame: pd.DataFrame, safe: np.ndarray, counts: np.ndarray,
            min_count: int) -> np.ndarray:
    """Top down (parents come first): a node is published when its parent is and the rule of
    its siblings (module docstring) lets it."""
    published = np.zeros(len(frame), dtype=bool)
    parent = frame["parent"].to_numpy()
    grain = frame["grain"].to_numpy()
    roots = np.flatnonzero(parent < 0)
    published[roots] = safe[roots]
    children: dict[int, list[int]] = {}
    for child in np.flatnonzero(parent >= 0):
        children.setdefault(int(parent[child]), []).append(int(child))
    for node in range(len(frame)):  # parents precede their children
        if not published[node] or node not in children:
            continue
        by_grain: dict[str, list[int]] = {}
        for sibling in children[node]:
            by_grain.setdefault(str(grain[sibling]), []).append(sibling)
        for kind, siblings in by_grain.items():
            members = np.array(siblings)
            if kind in ("quarter", "month"):
                published[members] = bool(safe[members].all())
            else:
                published[members] = _safe_siblings(safe[members], counts[members],
                                                     min_count)
    return published


def _safe_siblings(safe: np.ndarray, counts: np.ndarray, min_count: int) -> np.ndarray:
    """The siblings to publish under a published parent: the safe ones, less the smallest
    until the withheld ones are none, or at least two with together more than ``min_count``
    users and records (``counts``: users, records per sibling)."""
    shown = safe.copy()
    while True:
        hidden = ~shown
        if not hidden.any() or not shown.any() or (
                hidden.sum() >= 2 and (counts[hidden].sum(axis=0) > min_count).all()):
            return shown
        candidates = np.flatnonzero(shown)
        shown[candidates[np.argmin(counts[candidates, 1])]] = False


def canonical(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True)
