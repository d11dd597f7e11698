"""Vector files: GeoJSON, GeoPackage (layers), Shapefile and zipped Shapefile."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box

from ingest.errors import IngestError
from ingest.readers import read_vector


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["01", "02"], "name_ar": ["حي الزيتون", "حي النخيل"]},
        geometry=[box(35.20, 31.90, 35.21, 31.91), box(35.21, 31.90, 35.22, 31.91)],
        crs="EPSG:4326",
    )


def test_zipped_shapefile_is_read_with_feature_numbers(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    _districts().to_file(folder / "districts.shp", encoding="utf-8")
    archive = tmp_path / "districts.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in folder.iterdir():
            bundle.write(part, part.name)
    frame = read_vector(archive)
    assert frame.index.tolist() == [1, 2]
    assert frame["code"].tolist() == ["01", "02"]
    assert frame["name_ar"].tolist() == ["حي الزيتون", "حي النخيل"]
    assert frame.crs.to_epsg() == 4326


def test_geopackage_layer_is_chosen_and_several_layers_need_a_choice(tmp_path):
    path = tmp_path / "city.gpkg"
    _districts().to_file(path, layer="districts", driver="GPKG")
    _districts().head(1).to_file(path, layer="old_districts", driver="GPKG")
    assert len(read_vector(path, layer="old_districts")) == 1
    with pytest.raises(IngestError, match=r"holds 2 layers.* — fix: set layer"):
        read_vector(path)


def test_a_file_that_is_not_what_its_extension_says_is_refused(tmp_path):
    path = tmp_path / "districts.geojson"
    path.write_text("code,name\n1,a\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"districts.geojson: cannot read it as geojson"):
        read_vector(path)


def test_unknown_extension_and_empty_file(tmp_path):
    kml = tmp_path / "districts.kml"
    kml.write_text("<kml/>", encoding="utf-8")
    with pytest.raises(IngestError, match=r"unknown boundary file extension '.kml'"):
        read_vector(kml)
    empty = tmp_path / "districts.geojson"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match=r"the file is empty"):
        read_vector(empty)
