"""The contenders, each a (setup, run) pair executed in its own child process by
``bench.measure``. Each child imports only its own library, hence the imports inside setup."""

from __future__ import annotations

import numpy as np

from bench.kde.case import KdeCase


def setup_kde_grid(points_path: str, case: KdeCase):
    from maps.heat import kde_grid

    return kde_grid, np.load(points_path), case


def run_kde_grid(state) -> np.ndarray:
    kde_grid, points, case = state
    grid, _ = kde_grid(points, bounds=case.bounds, cell_size=case.cell_size,
                       bandwidth=case.bandwidth_m)
    return grid


def setup_fftkde(points_path: str, case: KdeCase):
    from KDEpy import FFTKDE

    # FFTKDE takes the grid as every cell centre, x varying slowest; built outside the timing.
    centres = case.centres()
    grid_points = np.stack(np.meshgrid(centres, centres, indexing="ij"), axis=-1).reshape(-1, 2)
    return FFTKDE, np.load(points_path), grid_points, case


def run_fftkde(state) -> np.ndarray:
    fftkde, points, grid_points, case = state
    return fftkde(kernel="gaussian", bw=case.bandwidth_m, norm=2).fit(points).evaluate(grid_points)


def fftkde_as_grid(values: np.ndarray, case: KdeCase) -> np.ndarray:
    """FFTKDE's output (a pdf, x-major, y ascending) as kde_grid's: north-up, per m², × n."""
    n = case.grid_cells
    return values.reshape(n, n).T[::-1] * case.n_points


def setup_scipy(points_path: str, case: KdeCase, cells_xy: np.ndarray):
    from scipy.stats import gaussian_kde

    class IsotropicGaussianKDE(gaussian_kde):
        """gaussian_kde scales the data's covariance; this kernel is isotropic, σ = bandwidth,
        like the others (overriding the covariance hook is scipy's own recipe for custom
        kernels)."""

        def __init__(self, dataset, bandwidth: float):
            self.bandwidth = bandwidth
            super().__init__(dataset)

        def _compute_covariance(self):
            self.factor = 1.0
            self.covariance = np.eye(self.d) * self.bandwidth**2
            self.cho_cov = np.eye(self.d) * self.bandwidth
            self.log_det = 2 * np.log(np.diag(self.cho_cov * np.sqrt(2 * np.pi))).sum()

    return IsotropicGaussianKDE, np.load(points_path), cells_xy, case


def run_scipy(state) -> np.ndarray:
    kde_class, points, cells_xy, case = state
    return kde_class(points.T, case.bandwidth_m)(cells_xy.T)
