"""A uniform lon/lat grid over a city whose cells know whether they lie wholly inside one
district, wholly outside every district, or on a border, so that most points get their district
by arithmetic and an array lookup instead of a point-in-polygon test.

Exactness: a cell's box is grown by a thousandth of a cell on every side before it is
classified. A cell is *interior* when that box lies in the interior of exactly one district
(``contains_properly``) and touches no other, *outside* when it touches no district; every other
cell is a *border* cell. The computed cell of a point (``floor((lon - x0) / size)``) is off by
far less than the margin, so a point in an interior cell is strictly inside that district and
on no border, and one in an outside cell touches no district; points in border cells keep the
exact test. The grid reaches one empty cell beyond the districts' bounds on every side, so a
point beyond the grid is outside every district.

Cells are classified top-down, quadtree-fashion: a block wholly inside one district or wholly
outside is settled at once; only blocks a border crosses are split. The work grows with the
length of the borders, not with the number of cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

OUTSIDE, BORDER = -1, -2  # cell kinds; an interior cell holds its district's position instead
MIN_SIDE, MAX_SIDE = 256, 2048  # cells along the longer side of the city's extent
CELLS_PER_ROOT_DISTRICT = 128  # see grid_side
MARGIN = 1e-3  # of a cell: how far a cell's box is grown before it is classified
TOP_BLOCKS = 16  # blocks along the longer side at the first level of the quadtree


@dataclass(frozen=True)
class DistrictGrid:
    """``kinds[iy * nx + ix]``: the position of the district (in ``districts`` as given) that
    cell (ix, iy) lies in, or OUTSIDE, or BORDER. Border cell ``border_cells[i]`` touches the
    districts ``candidates[starts[i]:starts[i + 1]]`` and no other, so a point in it needs
    testing against those alone."""

    x0: float  # lon of the grid's west edge
    y0: float  # lat of its south edge
    size: float  # cell side, degrees
    nx: int
    ny: int
    kinds: np.ndarray  # nx * ny signed integers, as narrow as the number of districts allows
    border_cells: np.ndarray  # the cell numbers of the BORDER cells, ascending
    starts: np.ndarray  # len(border_cells) + 1 offsets into candidates
    candidates: np.ndarray  # district positions

    def params(self) -> dict[str, float | int]:
        """The ``$grid_*`` parameters of the SQL that looks points up."""
        return {"grid_x0": self.x0, "grid_y0": self.y0, "grid_size": self.size,
                "grid_nx": self.nx, "grid_ny": self.ny}

    def within_degrees(self) -> bool:
        """Whether the grid, and a cell beyond it, lies within lon -180…180 and lat -90…90:
        then a point on the grid has valid coordinates, and the check is the lookup's."""
        return bool(self.x0 - self.size >= -180 and self.x0 + (self.nx + 1) * self.size <= 180
                    and self.y0 - self.size >= -90 and self.y0 + (self.ny + 1) * self.size <= 90)

    def cells(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The cell number of each point as point_groups.sql computes it, -1 beyond the grid."""
        ix, iy = np.floor((lon - self.x0) / self.size), np.floor((lat - self.y0) / self.size)
        on_grid = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(on_grid, iy * self.nx + ix, -1).astype(np.int64)


def grid_side(n_districts: int) -> int:
    """Cells along the longer side: 128·√k for k districts, within 256…2048.

    For k compact districts over an area A the borders are about 2·√(kA) long, so with n cells
    a side (a cell √A/n wide) the cells they cross cover a share of about 3·√k / n of the area:
    128·√k keeps that share, hence the points left to the exact test, near 2–3 %. The bounds
    cap the lookup array (at most 2048² ≈ 4 M cells, 4–8 MB) and keep small cities from having
    needlessly coarse cells."""
    return int(min(MAX_SIDE, max(MIN_SIDE, round(CELLS_PER_ROOT_DISTRICT * math.sqrt(n_districts)))))


def district_grid(districts: gpd.GeoDataFrame, side: int | None = None) -> DistrictGrid:
    """The grid over ``districts`` (EPSG:4326, as stored), ``side`` cells along the longer side
    of their extent (default: :func:`grid_side`)."""
    geoms = np.asarray(districts.geometry.values, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    size = max(maxx - minx, maxy - miny) / (side or grid_side(len(geoms)))
    if not size > 0:  # degenerate districts: one border cell, every point takes the exact test
        return DistrictGrid(minx, miny, 1.0, 1, 1, np.array([BORDER], dtype=np.int8),
                            np.array([0]), np.array([0, len(geoms)]), np.arange(len(geoms)))
    nx = math.ceil((maxx - minx) / size) + 2  # an empty cell beyond the bounds on every side
    ny = math.ceil((maxy - miny) / size) + 2
    x0, y0 = minx - size, miny - size
    kinds, cell, district = _classify(geoms, x0, y0, size, nx, ny)
    order = np.lexsort((district, cell))
    border_cells, first = np.unique(cell[order], return_index=True)
    return DistrictGrid(x0, y0, size, nx, ny, kinds, border_cells,
                        np.append(first, len(order)), district[order])


def _classify(geoms: np.ndarray, x0: float, y0: float, size: float, nx: int,
              ny: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cell kinds, and the (cell, district) pairs of every border cell and district its
    grown box touches."""
    tree = shapely.STRtree(geoms)
    shapely.prepare(geoms)
    # The narrowest integers that hold every district position: the lookup stays in cache.
    kinds = np.full(ny * nx, OUTSIDE, dtype=np.min_scalar_type(-len(geoms)))
    margin = MARGIN * size
    span = 1 << max(0, math.ceil(math.log2(max(nx, ny) / TOP_BLOCKS)))  # cells per block side
    bx, by = (a.ravel() for a in np.meshgrid(np.arange(-(-nx // span)), np.arange(-(-ny // span))))
    while len(bx):
        boxes = shapely.box(x0 + bx * span * size - margin, y0 + by * span * size - margin,
                            x0 + (bx + 1) * span * size + margin,
                            y0 + (by + 1) * span * size + margin)
        box_idx, geom_idx = tree.query(boxes, predicate="intersects")
        touching = np.bincount(box_idx, minlength=len(boxes))
        owner = np.full(len(boxes), -1)
        single = touching[box_idx] == 1
        owner[box_idx[single]] = geom_idx[single]
        candidates = np.flatnonzero(owner >= 0)
        inside = shapely.contains_properly(geoms[owner[candidates]], boxes[candidates])
        interior = candidates[inside]
        crossed = touching > 0
        crossed[interior] = False
        if span == 1:
            kinds[by[interior] * nx + bx[interior]] = owner[interior]
            kinds[by[crossed] * nx + bx[crossed]] = BORDER
            pairs = crossed[box_idx]
            return (kinds, (by * nx + bx)[box_idx[pairs]].astype(np.int64),
                    geom_idx[pairs].astype(np.int64))
        _fill(kinds, nx, ny, bx[interior], by[interior], span, owner[interior])
        # Split every crossed block into its four children, dropping those beyond the grid.
        span //= 2
        kids_x = (2 * bx[crossed])[:, None] + np.array([0, 1, 0, 1])
        kids_y = (2 * by[crossed])[:, None] + np.array([0, 0, 1, 1])
        keep = (kids_x * span < nx) & (kids_y * span < ny)
        bx, by = kids_x[keep], kids_y[keep]
    empty = np.zeros(0, dtype=np.int64)  # no block a border crosses: no border cell
    return kinds, empty, empty


def _fill(kinds: np.ndarray, nx: int, ny: int, bx: np.ndarray, by: np.ndarray, span: int,
          values: np.ndarray) -> None:
    """Set every cell of the blocks (bx, by), ``span`` cells a side, to its block's value."""
    offsets = np.arange(span)
    ix = ((bx * span)[:, None, None] + offsets[None, None, :]).repeat(span, 1)
    iy = ((by * span)[:, None, None] + offsets[None, :, None]).repeat(span, 2)
    within = (ix < nx) & (iy < ny)
    kinds[(iy * nx + ix)[within]] = np.broadcast_to(values[:, None, None], ix.shape)[within]
