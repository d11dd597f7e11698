"""The API benchmark's input: a synthetic city of Voronoi districts (English and Arabic names),
indicator values for three periods, and the requests both servers answer (same bbox, page
size and tile)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from observatory.models import City

LOCAL_CRS = "EPSG:32637"  # UTM 37N, around Gaziantep
CENTRE_LONLAT = (37.38, 37.07)
DISTRICT_AREA_M2 = 180_000.0  # mean district size: ~420 m across, like census tracts
VERTEX_SPACING_M = 50.0  # borders get a vertex every 50 m, as digitised boundaries have
CITY = City(slug="bench", name_en="Bench City", name_ar="مدينة القياس", country="TR",
            local_crs=LOCAL_CRS)
INDICATOR = "foreign_citizens_share"
INDICATORS = (INDICATOR, "foreign_born_share", "non_national_children_share")
PERIODS = ("2023", "2024", "2025")
SUPPRESSED_SHARE = 0.05  # districts whose values are withheld (small counts)
PAGE_SIZE = 100
BBOX_DISTRICTS = 300  # about this many districts meet the items bbox
TILE_ZOOM = 12  # a zoom-12 tile here is ~7.8 km wide: a few hundred districts
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class ApiCase:
    label: str
    n_districts: int
    seconds: float  # timed load per endpoint, server and concurrency
    warmup_seconds: float
    concurrency: tuple[int, ...]  # in-flight requests the load generator keeps
    choropleth_repeats: int
    duckdb: bool  # also serve the same data from our DuckDB store
    seed: int = 2026
    two_workers: bool = True  # also serve PostGIS with 2 uvicorn workers

    @property
    def side_m(self) -> float:
        """The city's square side: the density of districts is the same at every size."""
        return math.sqrt(self.n_districts * DISTRICT_AREA_M2)


FULL = ApiCase("full", 5_000, seconds=15.0, warmup_seconds=3.0, concurrency=(1, 8),
               choropleth_repeats=3, duckdb=True)
QUICK = ApiCase("quick", 1_000, seconds=4.0, warmup_seconds=1.0, concurrency=(1, 8),
                choropleth_repeats=1, duckdb=True)


def _centre_local() -> tuple[float, float]:
    return Transformer.from_crs(4326, LOCAL_CRS, always_xy=True).transform(*CENTRE_LONLAT)


def districts(case: ApiCase) -> gpd.GeoDataFrame:
    """Voronoi cells of seeded uniform points over a square city, in EPSG:4326."""
    cx, cy = _centre_local()
    half = case.side_m / 2
    frame = shapely.box(cx - half, cy - half, cx + half, cy + half)
    rng = np.random.default_rng(case.seed)
    seeds = rng.uniform([cx - half, cy - half], [cx + half, cy + half], (case.n_districts, 2))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=frame))
    # voronoi_polygons does not keep the input order: give each cell the seed it holds.
    order = shapely.STRtree(cells).query(shapely.points(seeds), predicate="intersects")
    by_seed = np.empty(case.n_districts, dtype=object)
    by_seed[order[0]] = cells[order[1]]
    shapes = shapely.segmentize(shapely.intersection(by_seed, frame), VERTEX_SPACING_M)
    codes = [f"{i + 1:04d}" for i in range(case.n_districts)]
    local = gpd.GeoDataFrame(
        {"code": codes,
         "name_en": [f"District {c}" for c in codes],
         "name_ar": [f"حي {c.translate(ARABIC_DIGITS)}" for c in codes]},
        geometry=shapes, crs=LOCAL_CRS)
    local["area_m2"] = local.area
    return local.to_crs(4326)


def indicator_values(case: ApiCase) -> pd.DataFrame:
    """Every indicator × period for every district and the city; some values suppressed."""
    rng = np.random.default_rng(case.seed + 1)
    codes = [f"{i + 1:04d}" for i in range(case.n_districts)] + [None]
    frames = []
    for indicator in INDICATORS:
        for period in PERIODS:
            value = rng.uniform(0.0, 0.6, len(codes))
            frames.append(pd.DataFrame({
                "district_code": codes, "period": period, "indicator_id": indicator,
                "value": value, "score": value / 0.6 * 100, "coverage": 1.0,
                "suppressed": np.append(rng.random(len(codes) - 1) < SUPPRESSED_SHARE, False),
                "definition_hash": "bench"}))
    return pd.concat(frames, ignore_index=True)


def items_bbox(case: ApiCase) -> tuple[float, float, float, float]:
    """A square round the centre that about BBOX_DISTRICTS districts meet (lon/lat)."""
    cx, cy = _centre_local()
    half = math.sqrt(min(BBOX_DISTRICTS, case.n_districts / 2) * DISTRICT_AREA_M2) / 2
    to_lonlat = Transformer.from_crs(LOCAL_CRS, 4326, always_xy=True)
    minx, miny = to_lonlat.transform(cx - half, cy - half)
    maxx, maxy = to_lonlat.transform(cx + half, cy + half)
    return round(minx, 6), round(miny, 6), round(maxx, 6), round(maxy, 6)


def centre_tile(zoom: int = TILE_ZOOM) -> tuple[int, int, int]:
    """The web-mercator XYZ tile holding the city's centre."""
    lon, lat = CENTRE_LONLAT
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return zoom, x, y
