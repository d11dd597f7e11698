"""A synthetic city for the big-data feed tests: three 1 km squares in a row, in EPSG:32636.

    "01" [0, 1000] × [0, 1000]   "02" [1000, 2000] × …   "03" [2000, 3000] × …   (metres from
    the origin below). Edges carry a vertex every 500 m, so (1000, 500) is a vertex shared by
    "01" and "02": a point there lies exactly on their border in the stored EPSG:4326 geometry.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Transformer

from ingest.jobs import ingest_boundaries

CITY = "squares"
LOCAL_CRS = "EPSG:32636"
X0, Y0 = 700_000.0, 3_530_000.0
_TO_LONLAT = Transformer.from_crs(LOCAL_CRS, "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Metres from the origin -> (lon, lat)."""
    lon, lat = _TO_LONLAT.transform(X0 + x, Y0 + y)
    return float(lon), float(lat)


def add_city(store, tmp_path: Path) -> None:
    squares = [shapely.segmentize(shapely.box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000),
                                  500) for i in range(3)]
    frame = gpd.GeoDataFrame({"code": ["01", "02", "03"], "name_en": ["West", "Middle", "East"],
                              "name_ar": ["الغرب", "الوسط", "الشرق"]},
                             geometry=squares, crs=LOCAL_CRS)
    boundaries = tmp_path / "squares.gpkg"
    frame.to_file(boundaries, driver="GPKG")
    spec = tmp_path / "boundaries.yaml"
    spec.write_text(f"feed: boundaries\ncity: {{slug: {CITY}, name_en: Squares, "
                    f"local_crs: '{LOCAL_CRS}'}}\ncode: {{column: code}}\n"
                    "name_en: {column: name_en}\nname_ar: {column: name_ar}\n", encoding="utf-8")
    ingest_boundaries(store, boundaries, CITY, spec)


def border_vertex(store) -> tuple[float, float]:
    """The stored (lon, lat) of the vertex (1000, 500) shared by districts 01 and 02."""
    districts = store.districts(CITY).set_index("code")
    target = shapely.Point(lonlat(1000, 500))
    vertices = shapely.get_coordinates(districts.geometry["01"])
    nearest = min(vertices, key=lambda v: shapely.Point(v).distance(target))
    assert shapely.Point(nearest).distance(target) < 1e-9
    return float(nearest[0]), float(nearest[1])


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        # repr keeps every bit of a float, so a point on a vertex stays on it
        writer.writerows([[repr(v) if isinstance(v, float) else v for v in row] for row in rows])
    return path
