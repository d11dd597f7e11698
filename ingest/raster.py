"""Zonal sums of a population raster with exact partial-pixel coverage.

Each pixel counts with the fraction of its area that the zone covers, so a zone smaller than a
few pixels still gets its fair share of people. The fraction is computed exactly (polygon ∩ pixel
cell, with shapely/GEOS) for the pixels the zone's boundary crosses; every other pixel of the
zone's window is either wholly inside or wholly outside, which rasterising the zone by pixel
centre decides. Only the window around each zone is read, in strips of rows, so a large raster
is never read whole.

Coverage fractions are computed in the raster's own CRS. For a geographic raster (degrees) that
means fractions of a pixel's area in degrees, as exactextract does: a pixel is a rectangle in
degrees and the ratio of covered to total area barely changes with latitude within one pixel.
The values are summed as they are (population counts per pixel), not multiplied by area.

The same pass gives each zone's population-weighted centre: the mean of the pixel centres,
each weighted by its value times its coverage fraction.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.errors import RasterioIOError
from rasterio.features import rasterize
from rasterio.transform import Affine
from rasterio.windows import Window
from scipy.ndimage import binary_dilation

from ingest.errors import IngestError
from observatory.settings import ResourceSettings

STORAGE_CRS = "EPSG:4326"


def zonal_sums(
    raster_path: str | PathLike,
    zones_gdf: gpd.GeoDataFrame,
    *,
    code_column: str = "code",
    band: int = 1,
    max_pixels_per_read: int = 4_000_000,
) -> pd.Series:
    """Sum of the raster's valid pixels over each zone, weighted by exact pixel coverage.

    Nodata pixels (as the raster declares them, e.g. −3.4e38 or 65535) and NaN are skipped.
    Zones are reprojected to the raster's CRS first. A zone that covers no valid pixel (outside
    the raster, or over nodata only) gets NaN, not 0, so "no data" is not read as "nobody".
    A zone's window is read in strips of rows of at most ``max_pixels_per_read`` pixels (at
    least one row), which bounds memory. Returns a float Series indexed by the zones' codes.
    """
    codes, _, totals, _ = _zone_pass(raster_path, zones_gdf, code_column, band,
                                     max_pixels_per_read)
    return pd.Series([t.sum for t in totals], index=pd.Index(codes, name=code_column),
                     name="sum", dtype="float64")


def population_centres(
    raster_path: str | PathLike,
    zones_gdf: gpd.GeoDataFrame,
    *,
    code_column: str = "code",
    band: int = 1,
    nodata: float | None = None,
    max_pixels_per_read: int = 4_000_000,
) -> gpd.GeoDataFrame:
    """Each zone's population-weighted centre, as lon/lat points (EPSG:4326), with its sum.

    The centre is the mean of the pixel-centre coordinates weighted by value × exact coverage
    fraction (the weights of ``zonal_sums``), computed in the raster's CRS. A zone holding no
    population (sum 0 or NaN) gets its representative point instead, a point surely inside it,
    and ``representative_point`` is True. Columns: ``sum`` (as ``zonal_sums``),
    ``representative_point``, ``negative_pixels`` (pixels below 0 in the zone, treated as
    nodata), ``geometry``; indexed by the zones' codes.
    """
    codes, geometries, totals, crs = _zone_pass(raster_path, zones_gdf, code_column, band,
                                                max_pixels_per_read, nodata)
    centres = np.array([t.centre() for t in totals], dtype=object)
    fallback = np.array([centre is None for centre in centres], dtype=bool)
    centres[fallback] = shapely.point_on_surface(np.asarray(geometries.values)[fallback])
    return gpd.GeoDataFrame(
        {"sum": np.array([t.sum for t in totals], dtype="float64"),
         "representative_point": fallback,
         "negative_pixels": np.array([t.negative_pixels for t in totals], dtype="int64")},
        geometry=gpd.GeoSeries(centres, crs=crs).to_crs(STORAGE_CRS).values,
        index=pd.Index(codes, name=code_column),
    )


@dataclass(frozen=True)
class _ZoneTotals:
    """Σ coverage·value over a zone's valid pixels, and the same weights times pixel x and y."""

    weight: float = 0.0
    weighted_x: float = 0.0
    weighted_y: float = 0.0
    covered_valid: bool = False
    negative_pixels: int = 0  # in the zone, treated as nodata

    @property
    def sum(self) -> float:
        return self.weight if self.covered_valid else math.nan

    def centre(self) -> shapely.Point | None:
        if not self.sum > 0:
            return None
        return shapely.Point(self.weighted_x / self.weight, self.weighted_y / self.weight)


def _zone_pass(raster_path, zones_gdf: gpd.GeoDataFrame, code_column: str, band: int,
               max_pixels: int, nodata: float | None = None
               ) -> tuple[list, gpd.GeoSeries, list[_ZoneTotals], object]:
    """One read of each zone's window: codes, zones in the raster CRS, totals, raster CRS.
    ``nodata``: a value skipped besides the one the raster declares (a file that declares
    none, or the wrong one)."""
    codes = _zone_codes(zones_gdf, code_column)
    with open_raster(raster_path) as src:
        _check_raster(src, raster_path, band)
        geometries = _zones_in_raster_crs(zones_gdf, src.crs)
        totals = [_zone_totals(src, band, geometry, max_pixels, nodata)
                  for geometry in geometries]
        return codes, geometries, totals, src.crs


def open_raster(raster_path, limits: ResourceSettings | None = None) -> rasterio.DatasetReader:
    """The raster, opened once its file size and its declared sizes (whole and per block) are
    within ``limits``: only the header is read before that, no pixel is decoded."""
    limits = limits or ResourceSettings()
    name = Path(raster_path).name
    try:
        size = os.stat(raster_path).st_size
    except OSError as exc:
        raise IngestError(f"cannot read the raster ({exc.strerror})", file=name,
                          fix="check the path") from exc
    if size > limits.max_raster_bytes:
        raise IngestError(
            f"the raster file is {_mib(size)}; rasters are opened up to "
            f"{_mib(limits.max_raster_bytes)}",
            file=name,
            fix="clip the raster to the city first (gdalwarp -cutline or -te), or raise "
            "OBSERVATORY_MAX_RASTER_BYTES")
    try:
        src = rasterio.open(raster_path)
    except RasterioIOError as exc:
        raise IngestError(
            f"cannot read the raster ({exc})",
            fix="check the path, and that the file is a complete GeoTIFF (gdalinfo opens it)",
            file=name,
        ) from exc
    try:
        _check_declared_size(src, name, limits)
    except IngestError:
        src.close()
        raise
    return src


def _check_declared_size(src: rasterio.DatasetReader, name: str,
                         limits: ResourceSettings) -> None:
    pixel_bytes = max(np.dtype(dtype).itemsize for dtype in src.dtypes)
    decoded = src.width * src.height * src.count * pixel_bytes
    if decoded > limits.max_raster_decoded_bytes:
        raise IngestError(
            f"the raster declares {src.width:,} x {src.height:,} pixels x {src.count} band(s) "
            f"of {pixel_bytes} bytes, {_mib(decoded)} decoded; at most "
            f"{_mib(limits.max_raster_decoded_bytes)}",
            file=name,
            fix="clip the raster to the city or coarsen it (gdalwarp -te / -tr), or raise "
            "OBSERVATORY_MAX_RASTER_DECODED_BYTES")
    rows, cols = max(src.block_shapes, key=lambda shape: shape[0] * shape[1])
    block = rows * cols * pixel_bytes
    if block > limits.max_raster_block_bytes:
        raise IngestError(
            f"the raster is stored in blocks of {cols:,} x {rows:,} pixels ({_mib(block)} each, "
            f"decoded whole); at most {_mib(limits.max_raster_block_bytes)}",
            file=name,
            fix="write it tiled: gdal_translate -co TILED=YES -co COMPRESS=DEFLATE in.tif "
            "out.tif (or raise OBSERVATORY_MAX_RASTER_BLOCK_BYTES)")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def _zone_codes(zones_gdf: gpd.GeoDataFrame, code_column: str) -> list:
    if code_column not in zones_gdf.columns:
        raise IngestError(
            f"the zones have no column {code_column!r} (they have {list(zones_gdf.columns)})",
            fix="pass code_column= naming the column that holds the zone codes",
            column=code_column,
        )
    codes = zones_gdf[code_column]
    repeated = codes.duplicated()
    if repeated.any():
        row = int(np.flatnonzero(repeated.to_numpy())[0])
        raise IngestError(
            f"zone code {codes.iloc[row]!r} repeats",
            fix="dissolve the zones by code first, so that each code has one geometry",
            row=row + 1,
            column=code_column,
        )
    return codes.tolist()


def _check_raster(src: rasterio.DatasetReader, raster_path, band: int) -> None:
    if src.crs is None:
        raise IngestError(
            "the raster has no CRS",
            fix="assign one, e.g. gdal_edit.py -a_srs",
            file=str(raster_path),
        )
    if not 1 <= band <= src.count:
        raise IngestError(
            f"band {band} does not exist; the raster has {src.count} band(s)",
            fix="pick an existing band",
            file=str(raster_path),
        )
    if not src.transform.is_rectilinear:
        raise IngestError(
            "the raster grid is rotated",
            fix="warp it to a north-up grid first (gdalwarp)",
            file=str(raster_path),
        )


def _zones_in_raster_crs(zones_gdf: gpd.GeoDataFrame, crs) -> gpd.GeoSeries:
    if zones_gdf.crs is None:
        raise IngestError(
            "the zones have no CRS, so they cannot be laid over the raster",
            fix="set it with GeoDataFrame.set_crs before summing",
        )
    geometries = zones_gdf.geometry.to_crs(crs).values
    # "structure" keeps repaired polygons polygonal (no stray lines), so they keep a boundary.
    repaired = shapely.make_valid(geometries, method="structure", keep_collapsed=False)
    return gpd.GeoSeries(repaired, crs=crs)


def _zone_totals(src: rasterio.DatasetReader, band: int, geometry, max_pixels: int,
                 nodata: float | None = None) -> _ZoneTotals:
    window = _zone_window(src, geometry)
    if window is None:
        return _ZoneTotals()
    rows_per_strip = max(1, max_pixels // window.width)
    weight = weighted_x = weighted_y = 0.0
    covered_valid = False
    negative = 0
    for row_off in range(window.row_off, window.row_off + window.height, rows_per_strip):
        height = min(rows_per_strip, window.row_off + window.height - row_off)
        strip = Window(window.col_off, row_off, window.width, height)
        data = src.read(band, window=strip, masked=True).astype("float64")
        if nodata is not None:
            data = np.ma.masked_where(data.data == nodata, data)
        values = data.filled(np.nan)
        # A population is never negative nor infinite: such pixels are an undeclared nodata
        # value (-9999, -1) or damage, and count as nodata, reported.
        valid = ~np.ma.getmaskarray(data) & np.isfinite(values) & (values >= 0)
        strip_transform = src.transform @ Affine.translation(strip.col_off, strip.row_off)
        coverage = coverage_fractions(geometry, strip_transform, data.shape)
        negative += int(np.count_nonzero(~np.ma.getmaskarray(data) & (values < 0)
                                         & (coverage > 0)))
        rows, cols = np.nonzero(valid & (coverage > 0))
        weights = coverage[rows, cols] * data.data[rows, cols]
        x, y = strip_transform @ (cols + 0.5, rows + 0.5)  # pixel centres
        weight += float(weights.sum())
        weighted_x += float(weights @ x)
        weighted_y += float(weights @ y)
        covered_valid |= bool(rows.size)
    return _ZoneTotals(weight, weighted_x, weighted_y, covered_valid, negative)


def _zone_window(src: rasterio.DatasetReader, geometry) -> Window | None:
    """The raster's pixels touched by the zone's bounding box, or None when it misses them."""
    if geometry is None or geometry.is_empty:
        return None
    minx, miny, maxx, maxy = geometry.bounds
    cols, rows = ~src.transform @ (np.array([minx, maxx]), np.array([maxy, miny]))
    col_start, col_stop = math.floor(min(cols)), math.ceil(max(cols))
    row_start, row_stop = math.floor(min(rows)), math.ceil(max(rows))
    col_start, row_start = max(col_start, 0), max(row_start, 0)
    col_stop, row_stop = min(col_stop, src.width), min(row_stop, src.height)
    if col_stop <= col_start or row_stop <= row_start:
        return None
    return Window(col_start, row_start, col_stop - col_start, row_stop - row_start)


def coverage_fractions(geometry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Fraction (0–1) of each pixel of a north-up grid covered by a (multi)polygon."""
    inside = rasterize(
        [(geometry, 1)], out_shape=shape, transform=transform, fill=0, dtype="uint8"
    ).astype("float64")
    crossed = _boundary_pixels(geometry, transform, shape)
    rows, cols = np.nonzero(crossed)
    if rows.size:
        inside[rows, cols] = _exact_fractions(geometry, transform, rows, cols)
    return inside


def _boundary_pixels(geometry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Pixels the zone's boundary may cross, with a one-pixel margin.

    GDAL's line rasterising can miss a pixel when the boundary runs exactly along a pixel edge;
    widening the candidates by one pixel (computed on a grid one pixel larger on every side, so
    the margin is right at the edges of a strip) makes sure no crossed pixel is taken for a
    wholly inside or outside one. The extra pixels cost a few exact intersections, nothing more.
    """
    height, width = shape
    padded_transform = transform @ Affine.translation(-1, -1)
    lines = rasterize(
        [(geometry.boundary, 1)],
        out_shape=(height + 2, width + 2),
        transform=padded_transform,
        fill=0,
        all_touched=True,
        dtype="uint8",
    ).astype(bool)
    return binary_dilation(lines, structure=np.ones((3, 3), bool))[1:-1, 1:-1]


def _exact_fractions(geometry, transform: Affine, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    x_left, y_top = transform @ (cols, rows)
    x_right, y_bottom = transform @ (cols + 1, rows + 1)
    cells = shapely.box(
        np.minimum(x_left, x_right),
        np.minimum(y_top, y_bottom),
        np.maximum(x_left, x_right),
        np.maximum(y_top, y_bottom),
    )
    cell_area = abs(transform.a * transform.e)
    covered = shapely.area(shapely.intersection(cells, geometry))
    return np.clip(covered / cell_area, 0.0, 1.0)
