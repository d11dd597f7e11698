"""Does a boundary file look like the city it is to replace? Refuse it, naming the likely cause,
when it lies elsewhere (axes swapped, the wrong CRS, another city's file) or would remove more
than a set share of the current districts (one district's file, a partial export, recoded
districts). ``observatory ingest boundaries --replace-boundaries`` skips these checks.

Pure: the caller gives what the store holds (``CityReference``). Extents are lon/lat boxes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError

from ingest.errors import IngestError

Bounds = tuple[float, float, float, float]  # minx, miny, maxx, maxy
OVERRIDE = "pass --replace-boundaries"


@dataclass(frozen=True)
class CityReference:
    """What the city already has: the districts the new file would take over from (their
    codes) and a lon/lat box to compare the file with (those districts' box; without them,
    the box of the city's other data: earlier boundary versions and events)."""

    city: str
    codes: Sequence[str]
    extent: Bounds | None
    what: str  # how the message calls the extent: "current districts", "events and …"
    local_crs: str = ""


def refuse_unlike_the_city(districts: gpd.GeoDataFrame, *, source_bounds: Bounds,
                           source_crs: CRS, reference: CityReference, max_loss: float,
                           source: str) -> None:
    """``districts``: the normalised file (EPSG:4326); ``source_bounds`` its box in
    ``source_crs``, the CRS the file or the spec declared."""
    if reference.extent is not None:
        _refuse_elsewhere(tuple(districts.total_bounds), source_bounds, source_crs, reference,
                          source)
    if reference.codes:
        _refuse_loss(list(districts["code"]), reference, max_loss, source)


def _refuse_elsewhere(extent: Bounds, source_bounds: Bounds, source_crs: CRS,
                      reference: CityReference, source: str) -> None:
    city_box = reference.extent
    assert city_box is not None
    if _overlap(extent, city_box):
        return
    where = (f"the file lies at lon/lat {_box(extent)}, the {reference.what} of "
             f"'{reference.city}' at {_box(city_box)}: they do not overlap")
    minx, miny, maxx, maxy = source_bounds
    if _overlap(_lonlat(source_crs, (miny, minx, maxy, maxx)), city_box):
        raise IngestError(
            f"{where}, but they would with x and y exchanged: lat/lon look swapped",
            file=source, column="geometry",
            fix="write the coordinates as x=longitude, y=latitude (GeoJSON always is; in a "
            "table export, exchange the two columns) and load the file again",
        )
    for candidate in _candidate_crss(source_crs, reference):
        if _overlap(_lonlat(candidate, source_bounds), city_box):
            raise IngestError(
                f"{where}: the coordinates look like {_named(candidate)}, not the declared "
                f"{_named(source_crs)}, so the declared CRS is wrong",
                file=source, column="geometry",
                fix=f'set crs: "{candidate.to_string()}" in the boundaries spec',
            )
    raise IngestError(
        f"{where}: either the declared CRS {_named(source_crs)} is wrong or this is the file "
        "of another city",
        file=source, column="geometry",
        fix="set crs in the boundaries spec to the CRS the coordinates are in, or use this "
        f"city's file; if the districts really lie there now, {OVERRIDE}",
    )


def _refuse_loss(codes: list[str], reference: CityReference, max_loss: float,
                 source: str) -> None:
    current = sorted(set(reference.codes))
    removed = [code for code in current if code not in set(codes)]
    share = len(removed) / len(current)
    if share <= max_loss:
        return
    if len(removed) == len(current):
        cause = (f"none of its codes ({_some(codes)}) is a current code ({_some(current)}): "
                 "likely the wrong code column, or the codes were written differently")
    else:
        cause = (f"it holds {len(codes)} district(s): likely a partial export or one "
                 "district's file")
    raise IngestError(
        f"the file would remove {len(removed)} of the {len(current)} current districts of "
        f"'{reference.city}' ({share:.0%}; at most {max_loss:.0%} may go, "
        f"OBSERVATORY_MAX_BOUNDARY_LOSS): {cause}",
        file=source, key="code.column",
        fix="load the complete boundary file with the same codes (check code.column); if the "
        f"districts really were redrawn, {OVERRIDE}",
    )


def _candidate_crss(declared: CRS, reference: CityReference) -> list[CRS]:
    """CRSs a misdeclared file is often really in: the city's own, lon/lat, its UTM zone."""
    assert reference.extent is not None
    minx, miny, maxx, maxy = reference.extent
    names = [reference.local_crs, "EPSG:4326", _utm_zone((minx + maxx) / 2, (miny + maxy) / 2)]
    found: list[CRS] = []
    for name in names:
        if not name:
            continue
        crs = CRS.from_user_input(name)
        if crs != declared and crs not in found:
            found.append(crs)
    return found


def _utm_zone(lon: float, lat: float) -> str:
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _lonlat(crs: CRS, bounds: Bounds) -> Bounds | None:
    """``bounds`` in ``crs`` as a lon/lat box; None where they cannot be in it."""
    try:
        box = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform_bounds(*bounds)
    except ProjError:
        return None
    return box if all(math.isfinite(value) for value in box) else None


def _overlap(a: Bounds | None, b: Bounds | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _box(bounds: Bounds) -> str:
    return ", ".join(f"{value:.4f}" for value in bounds)


def _named(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _some(codes: Sequence[str], shown: int = 3) -> str:
    first = sorted(codes)[:shown]
    return ", ".join(first) + (", …" if len(codes) > shown else "")
