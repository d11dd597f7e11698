"""Boundaries: codes from expressions, repairs, reprojection, areas and rejected features."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from ingest.boundaries import normalise_boundaries
from ingest.errors import IngestError
from ingest.spec import BoundariesSpec, ColumnSpec
from observatory.models import DISTRICT_COLUMNS

LOCAL = "EPSG:31256"  # Vienna's Gauss-Krüger: metres


def _spec(**overrides) -> BoundariesSpec:
    fields = {"feed": "boundaries", "code": ColumnSpec(expression="90000 + BEZNR*100"),
              "name_en": ColumnSpec(column="NAMEK")} | overrides
    return BoundariesSpec(**fields)


def _features(geometries, beznr, crs=LOCAL) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"BEZNR": beznr, "NAMEK": [f"district {n}" for n in beznr]},
        geometry=geometries, crs=crs,
    )
    frame.index = range(1, len(frame) + 1)
    return frame


def test_codes_from_expression_areas_in_local_crs_and_storage_in_4326():
    squares = [box(0, 340000, 1000, 341000), box(1000, 340000, 3000, 341000)]
    result = normalise_boundaries(_features(squares, [1, 2]), _spec(), source="d.geojson",
                                  local_crs=LOCAL)
    districts = result.districts
    assert list(districts.columns) == DISTRICT_COLUMNS
    assert districts["code"].tolist() == ["90100", "90200"]
    assert districts["area_m2"].tolist() == pytest.approx([1e6, 2e6], rel=1e-9)
    assert districts.crs.to_epsg() == 4326
    assert set(districts.geom_type) == {"MultiPolygon"}
    assert 16.0 < districts.geometry.iloc[0].centroid.x < 16.6  # Vienna's longitude
    assert result.local_crs == LOCAL and result.rejected == [] and result.notes == []


def test_text_codes_in_the_expression_are_used_as_numbers():
    result = normalise_boundaries(_features([box(0, 0, 10, 10)], ["07"]), _spec(),
                                  source="d.geojson", local_crs=LOCAL)
    assert result.districts["code"].tolist() == ["90700"]


def test_without_a_local_crs_an_utm_zone_is_estimated_and_returned():
    square = gpd.GeoSeries([box(0, 340000, 1000, 341000)], crs=LOCAL).to_crs(4326)
    result = normalise_boundaries(_features(list(square), [1], crs="EPSG:4326"), _spec(),
                                  source="d.geojson")
    assert result.local_crs == "EPSG:32633"
    assert result.districts["area_m2"].iloc[0] == pytest.approx(1e6, rel=2e-3)


def test_self_intersecting_polygon_is_repaired_and_reported():
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100), (0, 0)])
    result = normalise_boundaries(_features([bowtie, box(200, 0, 300, 100)], [1, 2]), _spec(),
                                  source="d.geojson", local_crs=LOCAL)
    repaired = result.districts.set_index("code").loc["90100"]
    assert repaired.geometry.is_valid and repaired.geometry.geom_type == "MultiPolygon"
    assert repaired["area_m2"] == pytest.approx(5000)  # two triangles of 2500 m² each
    assert len(result.notes) == 1
    assert result.notes[0].startswith("feature 1 (code 90100): Self-intersection")


def test_missing_crs_is_an_error_with_the_fix_and_spec_crs_supplies_it():
    features = _features([box(0, 340000, 10, 340010)], [1], crs=None)
    expected = (r"d.shp, column geometry: the file has no coordinate reference system .* "
                r"— fix: set crs in the boundaries spec")
    with pytest.raises(IngestError, match=expected):
        normalise_boundaries(features, _spec(), source="d.shp")
    result = normalise_boundaries(features, _spec(crs=LOCAL), source="d.shp", local_crs=LOCAL)
    assert result.districts["area_m2"].iloc[0] == pytest.approx(100)


def test_unusable_features_are_rejected_with_feature_number_and_reason():
    geometries = [box(0, 0, 10, 10), box(10, 0, 20, 10), Polygon(), box(30, 0, 40, 10),
                  Point(5, 5), LineString([(0, 0), (1, 1)])]
    features = _features(geometries, [1, 1, 3, None, 5, 6])
    result = normalise_boundaries(features, _spec(), source="d.geojson", local_crs=LOCAL)
    assert result.districts["code"].tolist() == ["90100"]
    rejected = {r.row_number: r for r in result.rejected}
    assert set(rejected) == {2, 3, 4, 5, 6}
    assert rejected[2].reason == "duplicate district code 90100 (first at feature 1)"
    assert rejected[2].column == "90000 + BEZNR*100"
    assert rejected[3].column == "geometry" and "no geometry" in rejected[3].reason
    assert "no district code" in rejected[4].reason
    assert "not a Point" in rejected[5].reason and "not a LineString" in rejected[6].reason


def test_unknown_column_names_the_key_and_lists_columns():
    with pytest.raises(IngestError, match=r"key name_en.column: no column 'NAME' — fix: .*NAMEK"):
        normalise_boundaries(_features([box(0, 0, 1, 1)], [1]),
                             _spec(name_en=ColumnSpec(column="NAME")), source="d.geojson",
                             local_crs=LOCAL)


def test_expression_naming_a_missing_column_suggests_the_close_one():
    with pytest.raises(IngestError, match=r"names 'BEZNO', which is not a column — fix: did you "
                                          r"mean 'BEZNR'\?"):
        normalise_boundaries(_features([box(0, 0, 1, 1)], [1]),
                             _spec(code=ColumnSpec(expression="90000 + BEZNO*100")),
                             source="d.geojson", local_crs=LOCAL)


def test_arabic_names_from_a_value_mapping():
    spec = _spec(name_ar=ColumnSpec(column="BEZNR", values={"1": "إنّيري شتات"}))
    result = normalise_boundaries(_features([box(0, 0, 1, 1), box(1, 0, 2, 1)], [1, 2]), spec,
                                  source="d.geojson", local_crs=LOCAL)
    assert result.districts["name_ar"].tolist() == ["إنّيري شتات", ""]
