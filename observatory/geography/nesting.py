"""Does a level's areas nest in its parent level's areas?

Three rules, as a level's spec declares them: the parent code is a prefix of the child's code
(Berlin: forecast area 0110 lies in district 01), the parent code comes from a column or
expression of the file (the caller evaluates it), or, where codes say nothing, the parent is the
area holding the largest share of the child. Each rule assigns a parent where it can and reports,
in plain words, every child that does not nest.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from observatory.geography.overlaps import coded, names_of, overlap_pieces

PARENT_LEVEL = "the parent level"


@dataclass(frozen=True)
class Unnested:
    """One child area that does not nest."""

    code: str
    name: str
    parent: str | None  # the parent it was assigned (largest overlap or rule result), if any
    share: float | None  # share of the child's area inside that parent (overlap rule only)
    reason: str


@dataclass(frozen=True)
class Nesting:
    parent_of: dict[str, str]  # child code -> parent code, for every child that got an existing one
    unnested: tuple[Unnested, ...]
    method: str  # "code prefix (2 characters)", "column BEZ", "overlap ≥ 95 %"

    @property
    def nests(self) -> bool:
        return not self.unnested


def nest_by_prefix(codes: Sequence[str], length: int, parent_codes: Collection[str] | None,
                   names: Mapping[str, str] | None = None, *,
                   parent_level: str = PARENT_LEVEL) -> Nesting:
    """The parent of each code is its first ``length`` characters. A child nests when its code is
    longer than that and, if ``parent_codes`` is given, the prefix is one of them."""

    def reason(code: str, parent: str | None) -> str:
        if parent is None:
            return (f"its code {code} is not longer than {length} characters, so it names no "
                    "parent")
        return f"its code's parent {parent} is not an area of {parent_level}"

    assigned = {code: code[:length] if len(code) > length else None for code in codes}
    return _check(assigned, parent_codes, names, f"code prefix ({length} characters)", reason)


def nest_by_given(children: Mapping[str, str | None], parent_codes: Collection[str] | None,
                  label: str, names: Mapping[str, str] | None = None, *,
                  parent_level: str = PARENT_LEVEL) -> Nesting:
    """``children`` maps each child code to the parent code the file gives it (``label`` says
    where from, e.g. "column BEZ"); a child nests when that parent is given and, if
    ``parent_codes`` is given, exists."""

    def reason(code: str, parent: str | None) -> str:
        if parent is None:
            return f"its {label} is empty"
        return f"its parent {parent} ({label}) is not an area of {parent_level}"

    return _check(children, parent_codes, names, label, reason)


def _check(assigned: Mapping[str, str | None], parent_codes: Collection[str] | None,
           names: Mapping[str, str] | None, method: str,
           reason: Callable[[str, str | None], str]) -> Nesting:
    """``parent_of`` holds only parents that exist, so that no area is stored pointing at a
    parent nobody can draw; the others are reported with the parent the rule named."""
    known = None if parent_codes is None else set(parent_codes)
    parent_of: dict[str, str] = {}
    unnested: list[Unnested] = []
    for code, parent in assigned.items():
        if parent and (known is None or parent in known):
            parent_of[code] = parent
        else:
            unnested.append(Unnested(code, (names or {}).get(code, ""), parent or None, None,
                                     reason(code, parent or None)))
    return Nesting(parent_of, tuple(unnested), method)


def nest_by_overlap(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame, local_crs: str,
                    min_share: float = 0.95, *, parent_level: str = PARENT_LEVEL) -> Nesting:
    """The parent of each child (columns ``code``, ``name_en``, ``geometry``) is the parent area
    holding the largest share of it, measured in ``local_crs``; the child nests when that share
    is at least ``min_share`` (published boundaries of two levels rarely agree to the metre)."""
    child_shapes = coded(children, local_crs)
    pieces = overlap_pieces(child_shapes, coded(parents, local_crs))
    pieces["share"] = pieces["area"].to_numpy() / child_shapes.area[pieces["left"]].to_numpy()
    pieces = pieces.sort_values(["left", "share"], ascending=[True, False], kind="stable")
    shares = {code: list(zip(group["right"], group["share"], strict=True))
              for code, group in pieces.groupby("left", sort=False)}
    names = names_of(children)
    parent_of: dict[str, str] = {}
    unnested: list[Unnested] = []
    for code in child_shapes.index:
        overlaps = shares.get(code, [])
        if not overlaps:
            unnested.append(Unnested(code, names[code], None, None,
                                     f"it overlaps no area of {parent_level}"))
            continue
        parent, share = overlaps[0]
        parent_of[code] = parent
        if share < min_share:
            unnested.append(Unnested(code, names[code], parent, float(share),
                                     _spread(overlaps, parent_level)))
    return Nesting(parent_of, tuple(unnested), f"overlap ≥ {min_share * 100:g} %")


def _spread(overlaps: list[tuple[str, float]], parent_level: str) -> str:
    """ "52.8 % of it lies in 0120, 47.2 % in 0110", and what lies in none of them."""
    outside = 1 - sum(share for _, share in overlaps)
    places = [*overlaps, (f"no area of {parent_level}", outside)]
    first, *rest = [(_percent(share), place) for place, share in places
                    if round(share * 100, 1) > 0]
    return ", ".join([f"{first[0]} of it lies in {first[1]}",
                      *(f"{percent} in {place}" for percent, place in rest)])


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"
