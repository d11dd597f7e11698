"""Match a new boundary version of a level to the previous one (GeoSight's rule).

An old and a new area are the same area, and keep its identity and time series, when each holds
at least ``threshold`` (default 0.9) of the other. With a threshold above one half an area has at
most one such partner, so identity is a one-to-one matching. What does not match is described by
its overlaps: an old area spread over several new ones was split, a new area made of several old
ones was merged; an old area without a partner is gone, a new one without a partner is new.

Works across levels as well (old: the 2020 planning areas, new: the 2021 forecast areas), where
``split`` then counts the old areas divided between new areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from observatory.geography.overlaps import coded, names_of, overlap_pieces

SLIVER = 1e-6  # an overlap below this share of an area is digitising noise, not listed for it


@dataclass(frozen=True)
class AreaMatch:
    old_code: str
    new_code: str
    old_name: str
    new_name: str
    old_share: float  # area(old ∩ new) / area(old)
    new_share: float  # area(old ∩ new) / area(new)
    identity: bool  # both shares >= threshold


@dataclass(frozen=True)
class VersionMatch:
    # identity pairs, and every overlap above SLIVER of an area (old or new) without identity
    matches: tuple[AreaMatch, ...]
    kept: tuple[str, ...]  # identity kept, same code
    recoded: tuple[tuple[str, str], ...]  # (old code, new code): identity kept, code changed
    renamed: tuple[tuple[str, str, str], ...]  # (new code, old name, new name): name changed
    split: tuple[str, ...]  # old codes spread over >= 2 new areas, each holding >= meaningful
    merged: tuple[str, ...]  # new codes made of >= 2 old areas, each >= meaningful of it
    gone: tuple[str, ...]  # old codes without identity
    new: tuple[str, ...]  # new codes without identity


def match_versions(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, local_crs: str,
                   threshold: float = 0.9, meaningful: float = 0.01) -> VersionMatch:
    """Match ``old`` to ``new`` areas (columns ``code``, ``name_en``, ``geometry``), measured in
    ``local_crs``."""
    if not 0.5 < threshold <= 1:
        raise ValueError(f"threshold must be above 0.5 and at most 1 (one partner per area), "
                         f"not {threshold}")
    old_shapes, new_shapes = coded(old, local_crs), coded(new, local_crs)
    pairs = pd.DataFrame(overlap_pieces(old_shapes, new_shapes).drop(columns="geometry"))
    pairs = pairs.rename(columns={"left": "old_code", "right": "new_code"})
    pairs["old_share"] = pairs["area"].to_numpy() / old_shapes.area[pairs["old_code"]].to_numpy()
    pairs["new_share"] = pairs["area"].to_numpy() / new_shapes.area[pairs["new_code"]].to_numpy()
    pairs["identity"] = (pairs["old_share"] >= threshold) & (pairs["new_share"] >= threshold)

    identical = pairs[pairs["identity"]]
    old_names, new_names = names_of(old), names_of(new)
    listed = pairs["identity"] | (
        ~pairs["old_code"].isin(identical["old_code"]) & (pairs["old_share"] > SLIVER)
    ) | (~pairs["new_code"].isin(identical["new_code"]) & (pairs["new_share"] > SLIVER))
    shown = pairs[listed].sort_values(["old_code", "old_share"], ascending=[True, False])
    matches = tuple(
        AreaMatch(o, n, old_names[o], new_names[n], float(os_), float(ns), bool(i))
        for o, n, os_, ns, i in shown[["old_code", "new_code", "old_share", "new_share",
                                       "identity"]].itertuples(index=False))

    same_code = identical["old_code"] == identical["new_code"]
    renamed = [(n, old_names[o], new_names[n])
               for o, n in zip(identical["old_code"], identical["new_code"], strict=True)
               if old_names[o] != new_names[n]]
    return VersionMatch(
        matches=matches,
        kept=tuple(sorted(identical.loc[same_code, "new_code"])),
        recoded=tuple(sorted(zip(identical.loc[~same_code, "old_code"],
                                 identical.loc[~same_code, "new_code"], strict=True))),
        renamed=tuple(sorted(renamed)),
        split=_spread_over_several(pairs, "old_code", "old_share", meaningful),
        merged=_spread_over_several(pairs, "new_code", "new_share", meaningful),
        gone=tuple(sorted(set(old_shapes.index) - set(identical["old_code"]))),
        new=tuple(sorted(set(new_shapes.index) - set(identical["new_code"]))),
    )


def _spread_over_several(pairs: pd.DataFrame, code: str, share: str,
                         meaningful: float) -> tuple[str, ...]:
    """Codes of ``code``'s side with at least two partners each holding >= meaningful of it."""
    counts = pairs.loc[pairs[share] >= meaningful, code].value_counts()
    return tuple(sorted(str(code) for code in counts.index[counts >= 2]))
