"""The city's crosswalk, rewritten by every boundaries ingest in its transaction (docs/geography.md).

Every boundary version that has ended is carried onto its successor: the version of the same
level valid on the day it ended, or, where the level has no boundaries from then on (Berlin's
planning areas after the 2021 reform, loaded as codes only), the version of its nearest
ancestor level valid that day. Weights are area-weighted by default; population-weighted by a
finer level's population when that level has boundaries and a population count from the old
version's time (``auto``), or by a population raster (``crosswalk: {method: raster}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.raster import open_raster
from ingest.spec import CrosswalkSpec
from observatory.geography.crosswalk import area_weights, finer_level_weights, raster_weights
from observatory.geography.levels import Version, descendants, period_start, versions_from
from observatory.models import Level
from observatory.store.base import Store
from observatory.store.frames import CROSSWALK_COLUMNS


def versions_after_load(existing: pd.DataFrame, new: Version) -> list[Version]:
    """The city's boundary versions once ``new`` is loaded, as the store will keep them: the
    same (level, valid_from) replaced, earlier open versions of the level closed where it
    starts, and it ending where the next version of its level starts (or its own end)."""
    versions = versions_from(existing)
    kept = []
    for version in versions:
        if version.level != new.level:
            kept.append(version)
        elif version.valid_from < new.valid_from:
            closes = version.valid_to is None or version.valid_to > new.valid_from
            kept.append(replace(version, valid_to=new.valid_from) if closes else version)
        elif version.valid_from > new.valid_from:
            kept.append(version)
    later = [v.valid_from for v in kept if v.level == new.level and v.valid_from > new.valid_from]
    ends = [d for d in (min(later, default=None), new.valid_to) if d is not None]
    return sorted([*kept, replace(new, valid_to=min(ends, default=None))],
                  key=lambda v: (v.level, v.valid_from))


def successor(version: Version, versions: list[Version],
              levels: dict[str, Level]) -> Version | None:
    """Where an ended version's counts go: its level's version valid the day it ended, else
    its nearest ancestor's."""
    if version.valid_to is None:
        return None
    level: str | None = version.level
    while level is not None:
        for candidate in versions:
            if candidate.level == level and candidate.holds(version.valid_to):
                return candidate
        level = levels[level].parent if level in levels else None
    return None


def city_crosswalk(store: Store, city: str, levels: dict[str, Level], versions: list[Version],
                   geometry: Callable[[Version], gpd.GeoDataFrame], spec: CrosswalkSpec,
                   local_crs: str, spec_dir: Path | None) -> pd.DataFrame:
    """Crosswalk rows (``CROSSWALK_COLUMNS``) for every ended version of the city."""
    parts = []
    for old in versions:
        new = successor(old, versions, levels)
        if new is None:
            continue
        sources, targets = geometry(old), geometry(new)
        weights = _weights(store, city, levels, versions, geometry, spec, local_crs, spec_dir,
                           old, sources, targets)
        parts.append(weights.assign(from_level=old.level, from_version=old.valid_from,
                                    to_level=new.level, to_version=new.valid_from))
    if not parts:
        return pd.DataFrame(columns=CROSSWALK_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CROSSWALK_COLUMNS]


def _weights(store: Store, city: str, levels: dict[str, Level], versions: list[Version],
             geometry: Callable[[Version], gpd.GeoDataFrame], spec: CrosswalkSpec,
             local_crs: str, spec_dir: Path | None, old: Version, sources: gpd.GeoDataFrame,
             targets: gpd.GeoDataFrame) -> pd.DataFrame:
    if spec.method == "raster" and spec.raster:
        raster = Path(spec.raster)
        if not raster.is_absolute() and spec_dir is not None:
            raster = spec_dir / raster
        with open_raster(raster):  # its sizes checked before a pixel is decoded
            pass
        return raster_weights(sources, targets, local_crs, raster)
    if spec.method == "auto":
        fine = _finer_population(store, city, levels, versions, geometry, spec, old)
        if fine is not None:
            return finer_level_weights(sources, targets, local_crs, *fine)
    return area_weights(sources, targets, local_crs)


def _finer_population(store: Store, city: str, levels: dict[str, Level],
                      versions: list[Version], geometry: Callable[[Version], gpd.GeoDataFrame],
                      spec: CrosswalkSpec, old: Version
                      ) -> tuple[gpd.GeoDataFrame, dict[str, float]] | None:
    """The nearest finer level with boundaries on the old version's last day and a population
    count of a period in the old version's time: its areas and their population."""
    assert old.valid_to is not None
    last_day = old.valid_to - timedelta(days=1)
    for level in descendants(old.level, levels):
        version = next((v for v in versions if v.level == level and v.holds(last_day)), None)
        if version is None:
            continue
        counts = store.observations(city, variables=[spec.population_variable], level=level)
        counts = counts[counts["dims"] == "{}"]
        dated = counts["period"].map(lambda p: period_start(str(p)))
        inside = counts[dated.map(lambda d: d is not None and old.holds(d))]
        if inside.empty:
            continue
        latest = inside[inside["period"] == inside["period"].max()]
        population = dict(zip(latest["district_code"].astype(str),
                              latest["value"].astype(float), strict=True))
        return geometry(version), population
    return None


