"""Heat surfaces leave as a Cloud-Optimised GeoTIFF and as a transparent PNG overlay."""

import warnings

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from maps.heat import (
    COLOUR_BLIND_SAFE_RAMPS,
    kde_grid,
    render_png,
    write_cog,
)

LOCAL_CRS = "EPSG:32637"  # UTM 37N, where Gaziantep is


@pytest.fixture(scope="module")
def surface():
    rng = np.random.default_rng(8)
    xy = np.array([370_000.0, 4_100_000.0]) + rng.normal(size=(4000, 2)) * [1500.0, 900.0]
    bounds = (362_000.0, 4_094_000.0, 378_000.0, 4_106_000.0)
    return kde_grid(xy, bounds=bounds, cell_size=25.0, bandwidth=200.0, unit="km2")


def test_cog_reads_back_tiled_with_overviews_crs_and_transform(tmp_path, surface):
    grid, transform = surface
    assert grid.shape == (480, 640)
    path = tmp_path / "heat.tif"
    write_cog(grid, transform, LOCAL_CRS, path, blocksize=128)

    with rasterio.open(path) as cog:
        assert cog.crs == CRS.from_user_input(LOCAL_CRS)
        assert cog.transform.almost_equals(transform)
        assert cog.block_shapes == [(128, 128)]
        assert cog.overviews(1) == [2, 4, 8]
        assert cog.compression.name == "deflate"
        assert cog.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"  # overviews before the data
        np.testing.assert_array_equal(cog.read(1), grid.astype("float32"))
        overview = cog.read(1, out_shape=(60, 80))  # served from the 8× overview
        assert overview.sum() * (25.0 * 8) ** 2 / 1e6 == pytest.approx(4000, rel=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heat.tif"]  # no .ovr sidecar


def read_png(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # an overlay has no georeference
        with MemoryFile(data) as memory, memory.open() as png:
            assert png.driver == "PNG" and png.count == 4
            return np.moveaxis(png.read(), 0, -1)


def test_png_is_transparent_where_there_is_nothing_and_ramped_elsewhere(surface):
    grid, _ = surface
    rgba = read_png(render_png(grid, "viridis"))
    assert rgba.shape == (*grid.shape, 4)
    empty = grid < 1e-3 * grid.max()
    assert empty.any() and (~empty).any()
    assert (rgba[..., 3][empty] == 0).all()
    assert (rgba[..., 3][~empty] == 255).all()
    peak = np.unravel_index(np.argmax(grid), grid.shape)
    assert tuple(rgba[peak][:3]) == (0xFD, 0xE7, 0x25)  # viridis' top colour
    # The ramp is monotone in density: brighter (viridis' luminance rises) where denser.
    row = grid[peak[0]]
    luminance = rgba[peak[0], :, :3].astype(float) @ [0.2126, 0.7152, 0.0722]
    shown = ~empty[peak[0]]
    assert np.corrcoef(row[shown], luminance[shown])[0, 1] > 0.95


def test_png_of_an_all_zero_or_nan_grid_is_fully_transparent():
    grid = np.zeros((5, 7))
    grid[2, 3] = np.nan
    assert not read_png(render_png(grid, "magma"))[..., 3].any()


@pytest.mark.parametrize("ramp", COLOUR_BLIND_SAFE_RAMPS)
def test_every_offered_ramp_renders(ramp):
    grid = np.outer(np.linspace(0, 1, 8), np.ones(3))
    rgba = read_png(render_png(grid, ramp))
    assert len({tuple(pixel) for pixel in rgba[1:, 0]}) == 7  # seven distinct colours


def test_unknown_or_unsafe_ramp_is_refused():
    with pytest.raises(ValueError, match="unknown ramp 'jet'; use one of viridis"):
        render_png(np.ones((2, 2)), "jet")
