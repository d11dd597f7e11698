"""A new boundary version against what the city has: its areas matched to the version it takes
over from, and the city's crosswalk as it will be once the version is loaded
(docs/geography.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.crosswalks import city_crosswalk, versions_after_load
from ingest.spec import BoundariesSpec
from observatory.geography.levels import Version
from observatory.geography.matching import match_versions
from observatory.models import DEFAULT_LEVEL, Level
from observatory.store.base import Store


def matched_to_previous(store: Store, city: str, level: Level | None,
                        districts: gpd.GeoDataFrame, valid_from: date, local_crs: str,
                        identity_overlap: float) -> list[str]:
    """The run's note on the new version's areas matched to those of the version it takes
    over from (none for a level's first version)."""
    if store.city(city) is None:
        return []
    name = level.name if level is not None else None
    old = store.districts(city, as_of=valid_from - timedelta(days=1), level=name)
    if old.empty:
        return []
    match = match_versions(old, districts, local_crs, threshold=identity_overlap)

    def listed(codes: Iterable[object]) -> str:
        texts = [str(c) for c in codes]
        more = len(texts) - 10
        return ", ".join(texts[:10]) + (f" and {more} more" if more > 0 else "")

    parts = [f"{len(match.kept)} kept"]
    parts += [f"{len(match.recoded)} recoded ({listed(f'{o}→{n}' for o, n in match.recoded)})"
              ] if match.recoded else []
    parts += [f"{len(match.renamed)} renamed ({listed(c for c, _, _ in match.renamed)})"
              ] if match.renamed else []
    for label, codes in (("split", match.split), ("merged", match.merged),
                         ("gone", match.gone), ("new", match.new)):
        if codes:
            parts.append(f"{len(codes)} {label} ({listed(codes)})")
    return [f"matched to the {len(old)} areas valid before {valid_from} (identity: both "
            f"overlaps ≥ {identity_overlap:g}): " + "; ".join(parts)]


def crosswalk_after_load(store: Store, city: str, level: Level | None,
                         districts: gpd.GeoDataFrame, valid_from: date, spec: BoundariesSpec,
                         local_crs: str, spec_path: Path | None) -> pd.DataFrame:
    """The city's crosswalk as it will be once this version is loaded."""
    known = {lv.name: lv for lv in store.levels(city)} if store.city(city) else {}
    name = level.name if level is not None else next(iter(known), DEFAULT_LEVEL)
    if level is not None:
        known[level.name] = level
    new = Version(name, valid_from, spec.valid_to)
    existing = (store.boundary_versions(city) if store.city(city)
                else pd.DataFrame(columns=["level", "valid_from", "valid_to"]))
    versions = versions_after_load(existing, new)

    def geometry(version: Version) -> gpd.GeoDataFrame:
        if (version.level, version.valid_from) == (new.level, new.valid_from):
            return districts
        return store.version_districts(city, version.level, version.valid_from)

    return city_crosswalk(store, city, known, versions, geometry, spec.crosswalk, local_crs,
                          spec_path.parent if spec_path else None)
