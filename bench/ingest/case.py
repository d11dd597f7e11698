"""The synthetic city and feed: 30 districts (a 6 × 5 grid of 2 km squares in EPSG:32636 with a
vertex every 100 m) and seeded geotagged points, written by DuckDB so that making 5 M rows is
quick and never passes through pandas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import geopandas as gpd
import shapely

from observatory.models import City

LOCAL_CRS = "EPSG:32636"
X0, Y0, SIDE = 700_000.0, 3_530_000.0, 2_000.0
COLUMNS, ROWS = 6, 5
CITY = City(slug="bench", name_en="Bench", name_ar="مدينة الاختبار", local_crs=LOCAL_CRS)
CATEGORIES = ["waste", "fire", "noise", "roads"]
OUTSIDE_SHARE = 0.02  # points beyond the city's edge, which must be reported


@dataclass(frozen=True)
class IngestCase:
    label: str
    n_rows: int  # points in the feed
    geopandas_rows: int  # geopandas runs on the first rows only when fewer; time extrapolated
    postgis_rows: int  # observation rows for the PostGIS load
    repeats: int


FULL = IngestCase("full", 5_000_000, 500_000, 1_000_000, 2)
QUICK = IngestCase("quick", 200_000, 200_000, 50_000, 2)


def districts() -> gpd.GeoDataFrame:
    squares, codes = [], []
    for i in range(COLUMNS):
        for j in range(ROWS):
            box = shapely.box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE,
                              Y0 + (j + 1) * SIDE)
            squares.append(shapely.segmentize(box, 100.0))
            codes.append(f"{i + 1}{j + 1:02d}")
    local = gpd.GeoDataFrame({"code": codes, "name_en": [f"District {c}" for c in codes],
                              "name_ar": [f"الحي {c}" for c in codes]},
                             geometry=squares, crs=LOCAL_CRS)
    local["area_m2"] = local.area
    return local.to_crs("EPSG:4326")


def write_feed(path: Path, n_rows: int, seed: float = 0.2026) -> None:
    """Points uniform over the city and a margin around it (about OUTSIDE_SHARE outside)."""
    minx, miny, maxx, maxy = districts().total_bounds
    margin = OUTSIDE_SHARE / 4  # of the extent on each side, roughly
    dx, dy = (maxx - minx), (maxy - miny)
    categories = "[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SELECT setseed({seed})")
    con.execute(f"""
        COPY (
            SELECT
                round({minx - margin * dx} + random() * {dx * (1 + 2 * margin)}, 6) AS lon,
                round({miny - margin * dy} + random() * {dy * (1 + 2 * margin)}, 6) AS lat,
                TIMESTAMP '2025-01-01' + to_seconds(CAST(floor(random() * 90 * 86400) AS BIGINT))
                    AS reported_at,
                {categories}[1 + CAST(floor(random() * 4) AS INTEGER)] AS category
            FROM range({n_rows})
        ) TO '{path.as_posix()}' (HEADER, DELIMITER ',')""")
    con.close()


def write_head(source: Path, target: Path, n_rows: int) -> None:
    """The header and the first ``n_rows`` rows of ``source``."""
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i > n_rows:
                break
            out.write(line)


SPEC = """feed: points
columns: {lon: lon, lat: lat, time: reported_at}
dimensions:
  category: {column: category}
variable: service_requests
unit: requests
"""
