"""The KDE benchmark's input: seeded clustered points on a square grid, and the cells sampled
for the error check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Clusters as (x, y, standard deviation) in fractions of the extent, with their share of the
# points; the rest is uniform noise. One tight, heavy cluster makes a sharp peak that a coarse
# binning would flatten, so the error check has something to find.
CLUSTERS = (
    (0.30, 0.35, 0.030, 0.30),
    (0.65, 0.60, 0.060, 0.20),
    (0.45, 0.75, 0.020, 0.15),
    (0.75, 0.25, 0.045, 0.10),
    (0.22, 0.70, 0.0125, 0.05),
)
NOISE_SHARE = 1.0 - sum(c[3] for c in CLUSTERS)


@dataclass(frozen=True)
class KdeCase:
    label: str
    n_points: int
    grid_cells: int  # per side: the grid is grid_cells × grid_cells
    extent_m: float  # the square's side, metres
    bandwidth_m: float  # the Gaussian kernel's standard deviation, metres
    error_cells: int  # cells where every contender is compared with the exact KDE
    scipy_cells: int  # cells scipy's gaussian_kde is evaluated on (its time is extrapolated)
    repeats: int  # timed runs of the grid contenders; the best counts
    seed: int = 2026

    @property
    def cell_size(self) -> float:
        return self.extent_m / self.grid_cells

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.extent_m, self.extent_m)

    def centres(self) -> np.ndarray:
        """Cell-centre coordinates along one axis, ascending."""
        return (np.arange(self.grid_cells) + 0.5) * self.cell_size

    def cell_xy(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Centres of cells given by (row, col) of a north-up grid (row 0 at the top)."""
        centres = self.centres()
        return np.column_stack([centres[cols], centres[self.grid_cells - 1 - rows]])


FULL = KdeCase("full", n_points=1_000_000, grid_cells=1024, extent_m=20_000.0,
               bandwidth_m=200.0, error_cells=500, scipy_cells=2_000, repeats=3)
QUICK = KdeCase("quick", n_points=100_000, grid_cells=256, extent_m=20_000.0,
                bandwidth_m=200.0, error_cells=200, scipy_cells=400, repeats=2)


def clustered_points(case: KdeCase) -> np.ndarray:
    """``n_points`` seeded points (metres), all within the outermost cell centres.

    FFTKDE refuses points outside its grid, so points beyond the centres are drawn again
    rather than clipped (clipping would pile them up on the edge).
    """
    rng = np.random.default_rng(case.seed)
    low, high = case.centres()[[0, -1]]
    kept, count = [], 0
    while count < case.n_points:
        batch = _draw(rng, case.n_points, case.extent_m)
        inside = batch[((batch >= low) & (batch <= high)).all(axis=1)]
        kept.append(inside)
        count += len(inside)
    return np.concatenate(kept)[: case.n_points]


def _draw(rng: np.random.Generator, n: int, extent: float) -> np.ndarray:
    shares = np.array([c[3] for c in CLUSTERS] + [NOISE_SHARE])
    sizes = rng.multinomial(n, shares)
    parts = [rng.normal((x * extent, y * extent), sd * extent, size=(size, 2))
             for (x, y, sd, _), size in zip(CLUSTERS, sizes[:-1])]
    parts.append(rng.uniform(0.0, extent, size=(sizes[-1], 2)))
    return rng.permutation(np.concatenate(parts))


def sample_cells(case: KdeCase, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``scipy_cells`` (row, col) cells alternating between the cell of a random point (so
    dense areas, where errors are largest, are well covered) and a uniformly random cell.
    The first ``error_cells`` of them are the error sample."""
    rng = np.random.default_rng(case.seed + 1)
    half = (case.scipy_cells + 1) // 2
    at = points[rng.choice(len(points), half, replace=False)]
    dense_cols = np.floor(at[:, 0] / case.cell_size).astype(int)
    dense_rows = np.floor((case.extent_m - at[:, 1]) / case.cell_size).astype(int)
    rows = np.empty(2 * half, dtype=int)
    cols = np.empty(2 * half, dtype=int)
    rows[0::2], cols[0::2] = dense_rows, dense_cols
    rows[1::2] = rng.integers(0, case.grid_cells, half)
    cols[1::2] = rng.integers(0, case.grid_cells, half)
    return rows[: case.scipy_cells], cols[: case.scipy_cells]


def exact_density(points: np.ndarray, xy: np.ndarray, bandwidth: float,
                  chunk: int = 8) -> np.ndarray:
    """The exact Gaussian KDE (per m², integrating to the number of points) at ``xy``: a direct
    sum over every point, a few cells at a time to bound the memory."""
    out = np.empty(len(xy))
    scale = -0.5 / bandwidth**2
    for start in range(0, len(xy), chunk):
        cells = xy[start : start + chunk]
        d2 = (points[:, :1] - cells[:, 0]) ** 2 + (points[:, 1:] - cells[:, 1]) ** 2
        out[start : start + chunk] = np.exp(d2 * scale).sum(axis=0)
    return out / (2 * np.pi * bandwidth**2)
