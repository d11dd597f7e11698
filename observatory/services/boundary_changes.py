"""What changed where a city's boundaries were redrawn: for each ended boundary version, the
version that followed it, which areas kept their identity, were recoded, renamed, split or
merged (matched by overlap, :func:`observatory.geography.matching.match_versions`), and where
the crosswalk carried each old area's counts (new areas, weights, method)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from observatory.city_crs import local_crs
from observatory.geography.levels import Version, versions_from
from observatory.geography.matching import match_versions
from observatory.models import City
from observatory.services.errors import NotFound
from observatory.services.jsonable import plain
from observatory.store import Store


@dataclass(frozen=True)
class VersionChange:
    """An ended version and the one its areas were carried onto (None: nothing followed)."""

    ended: Version
    successor: Version | None


def ended_versions(store: Store, city: City) -> list[VersionChange]:
    """Every ended boundary version of ``city``, oldest first within each level, with the
    version the crosswalk carries it onto (its level's next, or an ancestor level's where its
    level has no later boundaries), else its level's version of the day it ended."""
    versions = versions_from(store.boundary_versions(city.slug))
    walk = store.crosswalk(city.slug)
    carried_onto = {
        (str(r.from_level), pd.Timestamp(r.from_version).date()):
            (str(r.to_level), pd.Timestamp(r.to_version).date())
        for r in walk[["from_level", "from_version", "to_level", "to_version"]]
        .drop_duplicates().itertuples(index=False)}

    def successor(v: Version) -> Version | None:
        onto = carried_onto.get((v.level, v.valid_from))
        if onto is not None:
            return next((s for s in versions if (s.level, s.valid_from) == onto), None)
        return next((s for s in versions if s.level == v.level and v.valid_to
                     and s.holds(v.valid_to)), None)

    return [VersionChange(v, successor(v)) for v in versions if v.ended]


def version_change(store: Store, city: City, level: str, valid_from: date) -> VersionChange:
    """The ended version of ``level`` that started on ``valid_from``; :class:`NotFound`
    listing the ended versions otherwise."""
    changes = ended_versions(store, city)
    found = next((c for c in changes if c.ended.level == level
                  and c.ended.valid_from == valid_from), None)
    if found is None:
        listed = ", ".join(f"{c.ended.level} of {c.ended.valid_from}" for c in changes)
        raise NotFound(
            f"{city.slug} has no ended {level} boundaries starting {valid_from}; ended "
            f"versions: {listed or 'none'} (see /cities/{city.slug}/boundary-changes)."
        )
    return found


def change_outlines(store: Store, city: City,
                    change: VersionChange) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The old and the new areas (the new: empty when nothing followed)."""
    old = store.version_districts(city.slug, change.ended.level, change.ended.valid_from)
    if change.successor is None:
        return old, old.iloc[0:0]
    return old, store.version_districts(city.slug, change.successor.level,
                                        change.successor.valid_from)


def boundary_changes(store: Store, city: City, identity_overlap: float) -> dict:
    """Every ended version of ``city`` described (see the module's docstring); areas keep
    their identity where both overlaps are at least ``identity_overlap``."""
    crosswalk = store.crosswalk(city.slug)
    return plain({
        "city": city.slug,
        "changes": [_described(store, city, change, crosswalk, identity_overlap)
                    for change in ended_versions(store, city)],
    })


def _described(store: Store, city: City, change: VersionChange, crosswalk: pd.DataFrame,
               identity_overlap: float) -> dict:
    old, new = change_outlines(store, city, change)
    ended, successor = change.ended, change.successor
    described: dict = {
        "level": ended.level,
        "valid_from": ended.valid_from.isoformat(),
        "valid_to": ended.valid_to.isoformat() if ended.valid_to else None,
        "successor": None if successor is None else {
            "level": successor.level, "valid_from": successor.valid_from.isoformat()},
        "areas_before": len(old),
        "areas_after": len(new),
        "kept": [], "recoded": [], "renamed": [], "split": [], "merged": [], "gone": [],
        "new": [],
        "carried": _carried(old, crosswalk, ended),
    }
    if old.empty or new.empty:
        return described
    match = match_versions(old, new, local_crs(city, old), threshold=identity_overlap)
    return described | {
        "kept": list(match.kept),
        "recoded": [{"old_code": o, "new_code": n} for o, n in match.recoded],
        "renamed": [{"code": c, "old_name": o, "new_name": n} for c, o, n in match.renamed],
        "split": list(match.split),
        "merged": list(match.merged),
        "gone": list(match.gone),
        "new": list(match.new),
    }


def _carried(old: gpd.GeoDataFrame, crosswalk: pd.DataFrame, ended: Version) -> list[dict]:
    """Each old area and the areas the crosswalk carries its counts to."""
    mine = crosswalk[(crosswalk["from_level"] == ended.level)
                     & (pd.to_datetime(crosswalk["from_version"]).dt.date == ended.valid_from)]
    names = dict(zip(old["code"].astype(str), old["name_en"].fillna("")))
    return [
        {
            "from_code": str(code),
            "from_name": names.get(str(code), ""),
            "to": [
                {"level": row.to_level, "version": pd.Timestamp(row.to_version).date().isoformat(),
                 "code": str(row.to_code), "weight": float(row.weight), "method": row.method}
                for row in rows.sort_values("weight", ascending=False).itertuples()
            ],
        }
        for code, rows in mine.groupby("from_code", sort=True)
    ]
