"""Kernel-density heat surfaces: a grid of point density, its COG and its PNG overlay.

The density is computed the fast way, never with a loop over points: points are linearly binned
onto the grid (each point's weight shared among the four nearest cell centres), then the binned
grid is convolved with a sampled Gaussian kernel by FFT. Points are given in a projected CRS in
metres (the city's local CRS), so the bandwidth and cell size are metres and the surface is a
density per m² (or per km²) that integrates to the number of points, or the sum of weights.
"""

from __future__ import annotations

import math
import warnings
from os import PathLike
from typing import Literal

import branca.colormap
import numpy as np
import rasterio
import rasterio.shutil
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.transform import Affine
from scipy.signal import fftconvolve

# The kernel is cut at this many bandwidths; the cut-off mass (about 3e-4 of it) is put back by
# normalising the sampled kernel to sum to one.
KERNEL_RADIUS_BANDWIDTHS = 4.0

# Ramps that stay readable with the common colour-vision deficiencies: the perceptually uniform
# matplotlib ramps and the ColorBrewer sequential ones marked colour-blind safe.
COLOUR_BLIND_SAFE_RAMPS = ("viridis", "magma", "inferno", "plasma", "YlOrRd_09", "YlGnBu_09")

Bounds = tuple[float, float, float, float]


def kde_grid(
    xy,
    *,
    bounds: Bounds,
    cell_size: float,
    bandwidth: float | Literal["scott", "silverman"],
    weights=None,
    unit: Literal["m2", "km2"] = "m2",
) -> tuple[np.ndarray, Affine]:
    """Gaussian kernel density of points on a north-up grid covering ``bounds``.

    ``xy`` is an (n, 2) array of x, y in metres; ``bounds`` is (xmin, ymin, xmax, ymax), the grid
    starting at (xmin, ymax) with square cells of ``cell_size`` metres (the last row and column
    reach past xmax and ymin when the extent is not a whole number of cells). ``bandwidth`` is
    the kernel's standard deviation in metres, or a rule: ``"scott"`` or ``"silverman"`` (see
    :func:`bandwidth_rule`). Points outside the grid still add the part of their kernel that
    falls on it. Returns the density (float64, rows north to south) and the grid's transform.
    """
    if unit not in ("m2", "km2"):
        raise ValueError(f"unit {unit!r} is unknown; use 'm2' or 'km2'")
    points, point_weights = _checked_points(xy, weights)
    if isinstance(bandwidth, str):
        bandwidth = bandwidth_rule(points, bandwidth, point_weights)
    _check_grid(bounds, cell_size, bandwidth)
    xmin, ymin, xmax, ymax = bounds
    # Rounding first keeps 0.7 / 0.1 = 6.999…9 and 7.000…1 both at 7 cells.
    width = math.ceil(round((xmax - xmin) / cell_size, 9))
    height = math.ceil(round((ymax - ymin) / cell_size, 9))
    transform = Affine(cell_size, 0.0, xmin, 0.0, -cell_size, ymax)

    # Bin onto a grid padded by the kernel radius, so that points just off the grid contribute
    # and no kernel mass is lost at the edges before the crop.
    pad = math.ceil(KERNEL_RADIUS_BANDWIDTHS * bandwidth / cell_size)
    binned = _linear_binning(
        (points[:, 0] - xmin) / cell_size - 0.5 + pad,
        (ymax - points[:, 1]) / cell_size - 0.5 + pad,
        point_weights,
        shape=(height + 2 * pad, width + 2 * pad),
    )
    density = fftconvolve(binned, _gaussian_kernel(bandwidth / cell_size, pad), mode="same")
    # FFT round-off leaves values like -1e-20 where there are no points.
    density = np.maximum(density[pad : pad + height, pad : pad + width], 0.0) / cell_size**2
    return (density * 1e6 if unit == "km2" else density), transform


def bandwidth_rule(xy, rule: Literal["scott", "silverman"], weights=None, *,
                   binned: bool = False) -> float:
    """Isotropic Gaussian bandwidth in metres from a rule of thumb.

    In two dimensions the normal-reference rules of Scott (1992) and Silverman (1986) share
    the factor n^(-1/6) (n the effective number of points, (Σw)²/Σw²); they differ here in the
    spread they scale: ``"scott"`` uses the standard deviation averaged over x and y
    (√((σx² + σy²)/2)), ``"silverman"`` uses Silverman's robust spread min(σ, IQR/1.349) per
    axis, averaged the same way, which keeps one far-away cluster from blowing the bandwidth up.

    ``binned``: each row of ``xy`` stands for ``weights`` points (binned counts), so n is
    their sum, as for the points themselves.
    """
    points, point_weights = _checked_points(xy, weights)
    if binned:
        n_eff = point_weights.sum()
    else:
        n_eff = point_weights.sum() ** 2 / (point_weights**2).sum() if len(points) else 0.0
    if n_eff < 2:
        raise ValueError(
            f"the {rule!r} bandwidth rule needs at least two points; give bandwidth in metres"
        )
    mean = np.average(points, axis=0, weights=point_weights)
    sigma = np.sqrt(np.average((points - mean) ** 2, axis=0, weights=point_weights))
    if rule == "silverman":
        q75, q25 = (
            np.quantile(points, q, axis=0, weights=point_weights, method="inverted_cdf")
            for q in (0.75, 0.25)
        )
        iqr_spread = (q75 - q25) / 1.349
        sigma = np.where(iqr_spread > 0, np.minimum(sigma, iqr_spread), sigma)
    elif rule != "scott":
        raise ValueError(f"unknown bandwidth rule {rule!r}; use 'scott', 'silverman' or metres")
    spread = float(np.sqrt(np.mean(sigma**2)))
    if spread == 0:
        raise ValueError(
            "all points are at one place, so no rule can choose a bandwidth; give metres"
        )
    return spread * n_eff ** (-1 / 6)


def _checked_points(xy, weights) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(xy, dtype="float64").reshape(-1, 2) if np.size(xy) else np.empty((0, 2))
    if not np.isfinite(points).all():
        bad = int(np.flatnonzero(~np.isfinite(points).all(axis=1))[0])
        raise ValueError(f"point {bad} has a missing or infinite coordinate; drop or fix it first")
    if weights is None:
        return points, np.ones(len(points))
    point_weights = np.asarray(weights, dtype="float64")
    if point_weights.shape != (len(points),):
        raise ValueError(
            f"{point_weights.size} weights for {len(points)} points; give one weight a point"
        )
    if not (np.isfinite(point_weights) & (point_weights >= 0)).all():
        bad = int(np.flatnonzero(~(np.isfinite(point_weights) & (point_weights >= 0)))[0])
        raise ValueError(f"weight {bad} is {point_weights[bad]}; weights must be finite and ≥ 0")
    return points, point_weights


def _check_grid(bounds: Bounds, cell_size: float, bandwidth: float) -> None:
    xmin, ymin, xmax, ymax = bounds
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"bounds {bounds} are empty; give (xmin, ymin, xmax, ymax) with min < max")
    if not cell_size > 0:
        raise ValueError(f"cell_size must be a positive number of metres, not {cell_size}")
    # A kernel narrower than a cell cannot be sampled on the grid: the surface would be a
    # scatter of spikes, not a density.
    if not bandwidth >= cell_size:
        raise ValueError(
            f"bandwidth {bandwidth:.4g} m is smaller than the cell size {cell_size:.4g} m; "
            "use a smaller cell_size or a larger bandwidth"
        )


def _linear_binning(col, row, weights, shape: tuple[int, int]) -> np.ndarray:
    """Share each weight among the four cell centres around (col, row), by bilinear weights."""
    height, width = shape
    col0, row0 = np.floor(col).astype(np.int64), np.floor(row).astype(np.int64)
    fc, fr = col - col0, row - row0
    grid = np.zeros(height * width)
    for dr, dc, share in (
        (0, 0, (1 - fr) * (1 - fc)),
        (0, 1, (1 - fr) * fc),
        (1, 0, fr * (1 - fc)),
        (1, 1, fr * fc),
    ):
        r, c = row0 + dr, col0 + dc
        on_grid = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        grid += np.bincount(
            r[on_grid] * width + c[on_grid], weights=(weights * share)[on_grid], minlength=grid.size
        )
    return grid.reshape(shape)


def _gaussian_kernel(sigma_cells: float, radius_cells: int) -> np.ndarray:
    offsets = np.arange(-radius_cells, radius_cells + 1)
    profile = np.exp(-0.5 * (offsets / sigma_cells) ** 2)
    kernel = np.outer(profile, profile)
    return kernel / kernel.sum()


def write_cog(
    grid: np.ndarray, transform: Affine, crs, path: str | PathLike, *, blocksize: int = 256
) -> None:
    """Write a single-band float32 Cloud-Optimised GeoTIFF (tiled, deflate, with overviews)
    with GDAL's COG driver (in every GDAL rasterio ≥ 1.4 runs on: it needs GDAL ≥ 3.5, the
    driver came with 3.1)."""
    with MemoryFile() as memory, _in_memory_dataset(memory, grid, transform, crs) as src:
        rasterio.shutil.copy(
            src,
            path,
            driver="COG",
            compress="DEFLATE",
            predictor=3,  # floating-point predictor: densities compress far better with it
            blocksize=blocksize,
            overview_resampling="AVERAGE",
        )


def _in_memory_dataset(memory: MemoryFile, grid, transform, crs):
    height, width = grid.shape
    dataset = memory.open(
        driver="GTiff", width=width, height=height, count=1, dtype="float32", crs=crs,
        transform=transform,
    )  # fmt: skip
    dataset.write(np.asarray(grid, dtype="float32"), 1)
    return dataset


def render_png(
    grid: np.ndarray, ramp: str = "viridis", *, transparent_below: float = 1e-3
) -> bytes:
    """The grid as an RGBA PNG (bytes): a colour ramp from 0 to the grid's maximum.

    Cells whose density is below ``transparent_below`` × maximum (and NaN cells) are fully
    transparent, so the basemap shows where there is nothing. ``ramp`` is one of
    ``COLOUR_BLIND_SAFE_RAMPS``.
    """
    if ramp not in COLOUR_BLIND_SAFE_RAMPS:
        raise ValueError(f"unknown ramp {ramp!r}; use one of {', '.join(COLOUR_BLIND_SAFE_RAMPS)}")
    values = np.asarray(grid, dtype="float64")
    peak = np.nanmax(values) if np.isfinite(values).any() else 0.0
    scaled = np.nan_to_num(values / peak, nan=0.0) if peak > 0 else np.zeros(values.shape)
    lut = ramp_lut(ramp)
    rgba = lut[np.clip(np.round(scaled * 255), 0, 255).astype(np.uint8)]
    rgba[(scaled < transparent_below) | ~np.isfinite(values), 3] = 0
    height, width = values.shape
    # The PNG is an image overlay placed by its bounds in the map, so it has no georeference.
    with warnings.catch_warnings(), MemoryFile() as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with memory.open(driver="PNG", width=width, height=height, count=4, dtype="uint8") as png:
            png.write(np.moveaxis(rgba, -1, 0))
        return memory.read()


def ramp_lut(ramp: str) -> np.ndarray:
    colormap = getattr(branca.colormap.linear, ramp).scale(0, 255)
    return np.array(
        [[round(channel * 255) for channel in colormap.rgba_floats_tuple(i)] for i in range(256)],
        dtype=np.uint8,
    )
