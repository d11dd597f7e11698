"""Kernel density by binning + FFT, checked against the exact kernel sum."""

import numpy as np
import pytest
from scipy.stats import gaussian_kde

from maps.heat import bandwidth_rule, kde_grid

# A 3 km × 2.5 km grid in a local metric CRS, away from the origin like real coordinates.
BOUNDS = (600_000.0, 4_100_000.0, 603_000.0, 4_102_500.0)


def seeded_points(n: int = 3000, seed: int = 11) -> np.ndarray:
    """Three clusters of incidents, well inside BOUNDS."""
    rng = np.random.default_rng(seed)
    centres = np.array(
        [[600_900.0, 4_101_600.0], [602_100.0, 4_100_900.0], [601_500.0, 4_101_300.0]]
    )
    spreads = np.array([[180.0, 120.0], [90.0, 140.0], [300.0, 250.0]])
    which = rng.choice(3, size=n, p=[0.4, 0.25, 0.35])
    return centres[which] + rng.normal(size=(n, 2)) * spreads[which]


def exact_kde_at_cell_centres(xy, weights, transform, shape, bandwidth) -> np.ndarray:
    """Σ w · N(centre − p; 0, h²I), point by point: the slow, obviously right oracle."""
    rows, cols = np.indices(shape)
    cx, cy = transform @ (cols.ravel() + 0.5, rows.ravel() + 0.5)
    centres = np.column_stack([cx, cy])
    density = np.zeros(len(centres))
    for start in range(0, len(xy), 500):
        chunk, w = xy[start : start + 500], weights[start : start + 500]
        d2 = ((centres[:, None, :] - chunk[None, :, :]) ** 2).sum(axis=2)
        density += (np.exp(-0.5 * d2 / bandwidth**2) * w).sum(axis=1)
    return (density / (2 * np.pi * bandwidth**2)).reshape(shape)


def test_grid_matches_the_exact_kernel_sum_at_cell_centres():
    xy = seeded_points()
    grid, transform = kde_grid(xy, bounds=BOUNDS, cell_size=25.0, bandwidth=120.0)
    exact = exact_kde_at_cell_centres(xy, np.ones(len(xy)), transform, grid.shape, 120.0)
    assert grid.shape == (100, 120)
    assert np.abs(grid - exact).max() <= 0.01 * exact.max()


def test_weighted_grid_matches_the_exact_weighted_sum():
    xy = seeded_points(800, seed=3)
    weights = np.random.default_rng(5).integers(1, 6, size=len(xy)).astype(float)
    grid, transform = kde_grid(xy, bounds=BOUNDS, cell_size=20.0, bandwidth=100.0, weights=weights)
    exact = exact_kde_at_cell_centres(xy, weights, transform, grid.shape, 100.0)
    assert np.abs(grid - exact).max() <= 0.01 * exact.max()


def test_scipy_gaussian_kde_agrees_for_a_round_cloud():
    # scipy's kernel covariance is the data covariance times factor²; whitening the cloud to a
    # covariance of exactly 200² · I makes that kernel isotropic with bandwidth 200 · factor.
    rng = np.random.default_rng(2)
    raw = rng.normal(size=(2000, 2))
    white = (raw - raw.mean(axis=0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(raw.T))).T
    xy = np.array([601_500.0, 4_101_250.0]) + white * 200.0
    kde = gaussian_kde(xy.T, bw_method=0.6)
    np.testing.assert_allclose(kde.covariance, np.eye(2) * 120.0**2, atol=1e-6)

    grid, transform = kde_grid(xy, bounds=BOUNDS, cell_size=20.0, bandwidth=120.0)
    rows, cols = np.indices(grid.shape)
    cx, cy = transform @ (cols.ravel() + 0.5, rows.ravel() + 0.5)
    expected = (kde(np.vstack([cx, cy])) * len(xy)).reshape(grid.shape)
    assert np.abs(grid - expected).max() <= 0.01 * expected.max()


def test_surface_integrates_to_the_number_of_points_and_to_the_weights():
    xy = seeded_points()
    cell = 25.0
    # Bounds 2 km wider than BOUNDS on every side hold all of every kernel.
    wide = (BOUNDS[0] - 2000, BOUNDS[1] - 2000, BOUNDS[2] + 2000, BOUNDS[3] + 2000)
    grid, _ = kde_grid(xy, bounds=wide, cell_size=cell, bandwidth=120.0)
    assert grid.sum() * cell**2 == pytest.approx(len(xy), rel=1e-9)

    weights = np.linspace(0.5, 2.0, len(xy))
    weighted, _ = kde_grid(xy, bounds=wide, cell_size=cell, bandwidth=120.0, weights=weights)
    assert weighted.sum() * cell**2 == pytest.approx(weights.sum(), rel=1e-9)


def test_per_km2_is_per_m2_times_a_million():
    xy = seeded_points(500)
    per_m2, _ = kde_grid(xy, bounds=BOUNDS, cell_size=50.0, bandwidth=150.0)
    per_km2, _ = kde_grid(xy, bounds=BOUNDS, cell_size=50.0, bandwidth=150.0, unit="km2")
    np.testing.assert_allclose(per_km2, per_m2 * 1e6)


def test_transform_puts_the_grid_on_the_bounds():
    grid, transform = kde_grid(seeded_points(100), bounds=BOUNDS, cell_size=40.0, bandwidth=200.0)
    # 3000 / 40 = 75 columns, 2500 / 40 = 62.5 → 63 rows reaching just past ymin.
    assert grid.shape == (63, 75)
    assert (transform.c, transform.f, transform.a, transform.e) == (
        600_000.0,
        4_102_500.0,
        40.0,
        -40.0,
    )


def test_a_point_off_the_grid_adds_the_part_of_its_kernel_that_falls_on_it():
    xmin, ymin, _, ymax = BOUNDS
    just_west = np.array([[xmin - 100.0, (ymin + ymax) / 2]])  # one bandwidth west of the grid
    grid, _ = kde_grid(just_west, bounds=BOUNDS, cell_size=10.0, bandwidth=100.0)
    # The share of a Gaussian beyond one standard deviation on one side: 1 − Φ(1) ≈ 0.1587.
    assert grid.sum() * 100.0 == pytest.approx(0.158655, abs=2e-3)


def test_no_points_with_a_fixed_bandwidth_is_an_empty_surface():
    grid, _ = kde_grid(np.empty((0, 2)), bounds=BOUNDS, cell_size=50.0, bandwidth=100.0)
    assert grid.shape == (50, 60) and not grid.any()


def test_scott_rule_is_spread_times_n_to_the_minus_sixth_as_in_scipy():
    xy = seeded_points()
    sigma = xy.std(axis=0)
    expected = np.sqrt(np.mean(sigma**2)) * gaussian_kde(xy.T).scotts_factor()
    assert bandwidth_rule(xy, "scott") == pytest.approx(expected, rel=1e-9)
    grid_rule, _ = kde_grid(xy, bounds=BOUNDS, cell_size=10.0, bandwidth="scott")
    grid_metres, _ = kde_grid(xy, bounds=BOUNDS, cell_size=10.0, bandwidth=expected)
    np.testing.assert_allclose(grid_rule, grid_metres, rtol=1e-9, atol=1e-12 * grid_metres.max())


def test_silverman_rule_resists_a_far_cluster_where_scott_does_not():
    rng = np.random.default_rng(4)
    core = rng.normal(size=(1000, 2)) * 100.0
    assert bandwidth_rule(core, "silverman") == pytest.approx(
        bandwidth_rule(core, "scott"), rel=0.05
    )
    with_far_cluster = np.vstack([core, rng.normal(size=(60, 2)) * 10.0 + 20_000.0])
    scott = bandwidth_rule(with_far_cluster, "scott")
    silverman = bandwidth_rule(with_far_cluster, "silverman")
    assert silverman < scott / 10


def test_bad_input_is_refused_with_the_fix():
    xy = seeded_points(50)
    with pytest.raises(ValueError, match="smaller than the cell size.*smaller cell_size"):
        kde_grid(xy, bounds=BOUNDS, cell_size=100.0, bandwidth=50.0)
    with pytest.raises(ValueError, match="point 7 has a missing"):
        kde_grid(np.where(np.arange(50)[:, None] == 7, np.nan, xy), bounds=BOUNDS, cell_size=10.0,
                 bandwidth=50.0)  # fmt: skip
    with pytest.raises(ValueError, match="weight 3 is -1.0"):
        kde_grid(
            xy,
            bounds=BOUNDS,
            cell_size=10.0,
            bandwidth=50.0,
            weights=np.r_[[1, 1, 1, -1], np.ones(46)],
        )
    with pytest.raises(ValueError, match="at least two points"):
        kde_grid(xy[:1], bounds=BOUNDS, cell_size=10.0, bandwidth="scott")
    with pytest.raises(ValueError, match="unknown bandwidth rule 'wide'"):
        kde_grid(xy, bounds=BOUNDS, cell_size=10.0, bandwidth="wide")
    with pytest.raises(ValueError, match="bounds .* are empty"):
        kde_grid(xy, bounds=(1.0, 1.0, 0.0, 2.0), cell_size=10.0, bandwidth=50.0)
