import re

import geopandas as gpd
import numpy as np
import shapely

from observatory.demo.city import CENTRE_LON_LAT
from observatory.demo.geography import build_geography

ARABIC = re.compile("[\u0600-\u06ff]")


def test_about_thirty_districts_with_codes_and_bilingual_names(demo, districts) -> None:
    assert len(districts) == 30
    assert list(districts["code"]) == [f"D{i:02d}" for i in range(1, 31)]
    assert districts["name_ar"].map(lambda name: bool(ARABIC.search(name))).all()
    assert not districts["name_en"].str.contains(ARABIC).any()
    assert districts["name_ar"].is_unique and districts["name_en"].is_unique


def test_written_in_wgs84_and_valid(demo) -> None:
    raw = gpd.read_file(demo.boundaries)
    assert raw.crs.to_epsg() == 4326
    assert raw.geometry.is_valid.all()
    minx, miny, maxx, maxy = raw.total_bounds
    assert minx < CENTRE_LON_LAT[0] < maxx and miny < CENTRE_LON_LAT[1] < maxy


def test_districts_tile_the_city_without_overlaps_or_gaps(districts) -> None:
    union = shapely.union_all(districts.geometry.values)
    # Written at 7 decimals (about 1 cm), so shared edges may differ by a few square metres.
    assert abs(districts.area.sum() - union.area) < 50.0
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert 80e6 < union.area < 150e6  # a city of about 110 km²


def test_tessellation_covers_the_outline_exactly() -> None:
    geography = build_geography(CENTRE_LON_LAT, "EPSG:32637", np.random.default_rng(11))
    cells = geography.districts.geometry
    union = shapely.union_all(cells.values)
    assert shapely.symmetric_difference(union, geography.outline).area < 1.0
    overlaps = sum(
        cells.iloc[i].intersection(cells.iloc[j]).area
        for i in range(len(cells)) for j in range(i + 1, len(cells))
    )
    assert overlaps < 1.0
    # Inner districts are smaller: D01 is at the centre, D30 at the edge.
    assert cells.iloc[:5].area.mean() < cells.iloc[-5:].area.mean()
