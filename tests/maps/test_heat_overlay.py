"""Heat overlays: events in a window -> KDE in the local CRS -> a Web Mercator PNG that lines up."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.transform import Affine

from maps.heat import ramp_lut, write_cog
from maps.heat_overlay import DEFAULT_RAMP, heat_overlay, ramp_stops

LOCAL_CRS = "EPSG:32637"  # UTM 37N; at 36.5° E its grid north is ~1.5° off true north
R = 6378137.0


def _events(xy_local: np.ndarray, days: pd.DatetimeIndex) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"layer": "fire", "occurred_at": days},
        geometry=shapely.points(xy_local),
        crs=LOCAL_CRS,
    ).to_crs(4326)


def _read_png(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(data) as memory, memory.open() as png:
            return np.moveaxis(png.read(), 0, -1)


def _lonlat_of_pixel(row: float, col: float, shape, bounds_4326) -> tuple[float, float]:
    """Where Leaflet draws pixel (row, col) of an image overlay: linear in Web Mercator."""
    (south, west), (north, east) = bounds_4326
    height, width = shape

    def merc_y(lat):
        return R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y = merc_y(north) + (merc_y(south) - merc_y(north)) * (row + 0.5) / height
    lon = west + (east - west) * (col + 0.5) / width
    return lon, math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)


@pytest.fixture(scope="module")
def planted():
    """Two tight clusters 12 km apart (diagonally), where a grid drawn north-up would show the
    CRS's rotation: 1.5° over 12 km is about 300 m."""
    rng = np.random.default_rng(5)
    centres = np.array([[330_000.0, 4_090_000.0], [338_500.0, 4_098_500.0]])
    xy = np.vstack([c + rng.normal(0, 60.0, (400, 2)) for c in centres])
    days = pd.date_range("2025-01-01", periods=len(xy), freq="h", tz="UTC")
    return _events(xy, days), centres


def test_overlay_peaks_where_the_planted_clusters_are(planted):
    events, centres = planted
    overlay = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=25.0)

    rgba = _read_png(overlay.png)
    top = ramp_lut(DEFAULT_RAMP)[255][:3]
    hits = np.argwhere((rgba[..., :3] == top).all(axis=-1) & (rgba[..., 3] == 255))
    assert len(hits)
    expected = gpd.GeoSeries(shapely.points(centres), crs=LOCAL_CRS).to_crs(4326)
    for centre in expected:
        near = [
            h
            for h in hits
            if abs(_lonlat_of_pixel(*h, rgba.shape[:2], overlay.bounds_4326)[0] - centre.x) < 0.01
        ]
        assert near, f"no peak drawn near {centre}"
        lon, lat = _lonlat_of_pixel(*np.mean(near, axis=0), rgba.shape[:2], overlay.bounds_4326)
        # within two cells (50 m) of the planted centre: about 5e-4° of latitude
        assert lat == pytest.approx(centre.y, abs=5e-4)
        assert lon == pytest.approx(centre.x, abs=6e-4)


def test_density_is_per_km2_and_integrates_to_the_event_count(planted):
    events, _ = planted
    overlay = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=25.0)

    assert overlay.unit == "per_km2" and overlay.events == 800
    assert overlay.grid.sum() * (25.0**2 / 1e6) == pytest.approx(800, rel=1e-3)
    assert overlay.peak == pytest.approx(overlay.grid.max(), rel=0.05)  # warped, same scale
    assert overlay.data_uri().startswith("data:image/png;base64,iVBOR")


def test_only_events_in_the_window_count(planted):
    events, _ = planted
    start, end = pd.Timestamp("2025-01-02T00:00Z"), pd.Timestamp("2025-01-03T00:00Z")
    overlay = heat_overlay(events, LOCAL_CRS, start=start, end=end, bandwidth=150.0)

    assert overlay.events == 24
    naive = heat_overlay(
        events, LOCAL_CRS, start=start.tz_localize(None), end=end.tz_localize(None), bandwidth=150.0
    )
    assert naive.events == 24  # a time without zone is UTC, as stored


def test_fixed_bounds_give_every_window_the_same_place(planted):
    events, _ = planted
    bounds = (325_000.0, 4_085_000.0, 345_000.0, 4_105_000.0)
    first = heat_overlay(
        events,
        LOCAL_CRS,
        end=pd.Timestamp("2025-01-10T00:00Z"),
        bandwidth=200.0,
        cell_size=50.0,
        bounds=bounds,
    )
    later = heat_overlay(
        events,
        LOCAL_CRS,
        start=pd.Timestamp("2025-01-10T00:00Z"),
        bandwidth=200.0,
        cell_size=50.0,
        bounds=bounds,
    )

    assert first.bounds_4326 == later.bounds_4326
    assert first.grid.shape == later.grid.shape == (400, 400)


def test_empty_window_with_bounds_is_a_transparent_overlay(planted):
    events, _ = planted
    overlay = heat_overlay(
        events,
        LOCAL_CRS,
        start=pd.Timestamp("2030-01-01T00:00Z"),
        bandwidth=200.0,
        bounds=(325_000.0, 4_085_000.0, 345_000.0, 4_105_000.0),
    )

    assert overlay.events == 0 and overlay.peak == 0
    assert (_read_png(overlay.png)[..., 3] == 0).all()


def test_empty_window_without_bounds_or_bandwidth_says_what_to_give(planted):
    events, _ = planted
    late = pd.Timestamp("2030-01-01T00:00Z")
    with pytest.raises(ValueError, match="no bounds given"):
        heat_overlay(events, LOCAL_CRS, start=late, bandwidth=200.0)
    with pytest.raises(ValueError, match="give bandwidth in metres"):
        heat_overlay(events, LOCAL_CRS, start=late, bandwidth="silverman")


def test_per_capita_surface_divides_by_residents_smoothed_the_same_way(planted, tmp_path):
    events, _ = planted
    # 100 m pixels of 50 residents (5,000 per km²) over the western cluster only.
    transform = Affine(100.0, 0, 325_000.0, 0, -100.0, 4_095_000.0)
    persons = np.full((100, 100), 50.0, dtype="float32")
    path = tmp_path / "population.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=100,
        height=100,
        count=1,
        dtype="float32",
        crs=LOCAL_CRS,
        transform=transform,
        nodata=-1,
    ) as out:
        out.write(persons, 1)

    bounds = (326_000.0, 4_086_000.0, 334_000.0, 4_094_000.0)
    rate = heat_overlay(
        events, LOCAL_CRS, bandwidth=150.0, cell_size=50.0, bounds=bounds, population=path
    )
    density = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=50.0, bounds=bounds)

    assert rate.unit == "per_1000_residents"
    middle = (80, 80)  # (330 000, 4 090 000), the western cluster, well inside the population
    assert rate.grid[middle] == pytest.approx(1000 * density.grid[middle] / 5000, rel=1e-3)


def test_per_capita_is_blank_where_nobody_lives(planted, tmp_path):
    events, _ = planted
    # 1 km² of residents around the western cluster; the eastern cluster has none.
    transform = Affine(100.0, 0, 329_500.0, 0, -100.0, 4_090_500.0)
    path = tmp_path / "small.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="float32",
        crs=LOCAL_CRS,
        transform=transform,
    ) as out:
        out.write(np.full((10, 10), 50.0, dtype="float32"), 1)

    rate = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=50.0, population=path)

    assert np.isfinite(rate.grid).any()
    east = ~np.isfinite(rate.grid[:, rate.grid.shape[1] // 2 :])
    assert east.all()
    rgba = _read_png(rate.png)
    assert (rgba[..., 3] == 0).mean() > 0.5  # blank cells are transparent


def test_local_grid_is_written_as_a_cog_in_the_local_crs(planted, tmp_path):
    events, _ = planted
    overlay = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=25.0)
    path = tmp_path / "heat.tif"
    write_cog(overlay.grid, overlay.transform, overlay.crs, path)

    with rasterio.open(path) as cog:
        assert cog.crs.to_epsg() == 32637
        assert cog.transform.almost_equals(overlay.transform)


def test_legend_ramp_runs_from_the_png_lowest_to_highest_colour():
    stops = ramp_stops(n=5)
    lut = ramp_lut(DEFAULT_RAMP)
    assert stops[0] == "#{:02x}{:02x}{:02x}".format(*lut[0][:3])
    assert stops[-1] == "#{:02x}{:02x}{:02x}".format(*lut[255][:3])


def test_per_capita_from_district_counts_matches_the_same_residents_as_a_raster(planted, tmp_path):
    events, _ = planted
    # One district of 5,000 residents; the same people as one raster pixel at its centre.
    district = shapely.box(329_900.0, 4_089_900.0, 330_100.0, 4_090_100.0)
    districts = gpd.GeoDataFrame(
        {"code": ["1"], "residents": [5000.0]}, geometry=[district], crs=LOCAL_CRS
    ).to_crs(4326)
    path = tmp_path / "one_pixel.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=1, height=1, count=1, dtype="float32", crs=LOCAL_CRS,
        transform=Affine(200.0, 0, 329_900.0, 0, -200.0, 4_090_100.0),
    ) as out:  # fmt: skip
        out.write(np.full((1, 1), 5000.0, dtype="float32"), 1)
    bounds = (328_000.0, 4_088_000.0, 332_000.0, 4_092_000.0)
    options = {"bandwidth": 150.0, "cell_size": 50.0, "bounds": bounds}

    by_district = heat_overlay(events, LOCAL_CRS, population=districts, **options)
    by_raster = heat_overlay(events, LOCAL_CRS, population=path, **options)

    assert by_district.unit == "per_1000_residents"
    assert np.isfinite(by_district.grid).sum() > 0
    np.testing.assert_allclose(by_district.grid, by_raster.grid, rtol=1e-6)


def test_districts_without_residents_say_what_is_missing(planted):
    events, _ = planted
    districts = gpd.GeoDataFrame(
        {"code": ["1"]}, geometry=[shapely.box(329_000, 4_089_000, 331_000, 4_091_000)],
        crs=LOCAL_CRS,
    )  # fmt: skip
    with pytest.raises(ValueError, match="no 'residents' column"):
        heat_overlay(events, LOCAL_CRS, bandwidth=150.0, population=districts)
    with pytest.raises(ValueError, match="no district has residents"):
        heat_overlay(events, LOCAL_CRS, bandwidth=150.0, population=districts.assign(residents=0.0))


def test_margin_widens_given_bounds_by_bandwidths(planted):
    events, _ = planted
    bounds = (325_000.0, 4_085_000.0, 345_000.0, 4_105_000.0)
    overlay = heat_overlay(
        events, LOCAL_CRS, bandwidth=200.0, cell_size=50.0, bounds=bounds, margin=2
    )

    assert overlay.grid.shape == (400 + 2 * 8, 400 + 2 * 8)  # 2 × 200 m = 8 cells a side
    assert (overlay.transform.c, overlay.transform.f) == (324_600.0, 4_105_400.0)


def test_too_fine_a_cell_is_refused_with_the_finest_that_works(planted):
    events, _ = planted
    with pytest.raises(ValueError, match=r"at most 4,000,000\); use a cell size of (\d+) m"):
        heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=1.0)


def test_describe_says_where_the_png_goes_and_what_it_shows(planted):
    events, _ = planted
    overlay = heat_overlay(events, LOCAL_CRS, bandwidth=150.0, cell_size=25.0)
    facts = overlay.describe()
    rgba = _read_png(overlay.png)

    (south, west), (north, east) = overlay.bounds_4326
    assert facts["bounds"] == [west, south, east, north]
    assert (facts["image_height"], facts["image_width"]) == rgba.shape[:2]
    assert (facts["grid_height"], facts["grid_width"]) == overlay.grid.shape
    assert (facts["crs"], facts["cell_m"], facts["events"]) == (LOCAL_CRS, 25.0, 800)
