"""Fixtures of the ingest tests: the small city most jobs need first."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box


@pytest.fixture
def boundaries(tmp_path: Path) -> Path:
    """Two square districts side by side (codes 01 and 02, Arabic names) as a GeoPackage."""
    frame = gpd.GeoDataFrame(
        {"code": ["01", "02"], "name_en": ["Al-Zaytoun", "Al-Nakheel"],
         "name_ar": ["حي الزيتون", "حي النخيل"]},
        geometry=[box(35.20, 31.90, 35.21, 31.91), box(35.21, 31.90, 35.22, 31.91)],
        crs="EPSG:4326",
    )
    path = tmp_path / "districts.gpkg"
    frame.to_file(path, driver="GPKG")
    return path
