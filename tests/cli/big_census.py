"""A city of many square districts and census tables big enough that an ingest takes seconds:
a district × period × variable grid whose values depend on a ``version``, so that two versions
of the same table differ in every value."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

CITY = "testville"
VARIABLES = 8
_SIDE = 20  # districts per row of the grid


def codes(districts: int) -> list[str]:
    return [f"D{i:04d}" for i in range(districts)]


def write_city(folder: Path, districts: int) -> tuple[Path, Path]:
    """The districts' GeoJSON and their boundaries spec."""
    folder.mkdir(parents=True, exist_ok=True)
    step = 0.01
    squares = [box(36.5 + (i % _SIDE) * step, 37.0 + (i // _SIDE) * step,
                   36.5 + (i % _SIDE + 1) * step, 37.0 + (i // _SIDE + 1) * step)
               for i in range(districts)]
    names = codes(districts)
    path = folder / "districts.geojson"
    gpd.GeoDataFrame({"code": names, "name_en": names, "name_ar": names}, geometry=squares,
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    spec = folder / "boundaries.yaml"
    spec.write_text(
        "feed: boundaries\n"
        f'city: {{slug: {CITY}, name_en: Testville, name_ar: "مدينة الاختبار", country: XX, '
        'local_crs: "EPSG:32637"}\n'
        "code: {column: code}\nname_en: {column: name_en}\nname_ar: {column: name_ar}\n",
        encoding="utf-8")
    return path, spec


def write_census(path: Path, districts: int, periods: int, version: int) -> Path:
    """``code,year,v0..v7``: one row per district and year from 1990, every value above any
    disclosure threshold; ``version`` changes them all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [f"v{j}" for j in range(VARIABLES)]
    lines = ["code,year," + ",".join(columns)]
    for period in range(periods):
        for i, code in enumerate(codes(districts)):
            values = ((i * 7 + period * 3 + j) * (2 * version + 1) % 1000 + 20
                      for j in range(VARIABLES))
            lines.append(f"{code},{1990 + period}," + ",".join(map(str, values)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_census_spec(path: Path) -> Path:
    path.write_text(
        "feed: census\ndelimiter: ','\nheader_row: 1\n"
        "district: {column: code, match: code}\nperiod: {column: year}\nvariables:\n"
        + "".join(f"  - {{column: v{j}, variable: population, unit: persons, "
                  f"dims: {{group: g{j}}}}}\n" for j in range(VARIABLES)),
        encoding="utf-8")
    return path
