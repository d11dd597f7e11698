"""A city whose district A is split into A1 (its western 40 %) and A2 on a given day: districts
A, B, C from 2015, then A1, A2, B, C — two boundary versions loaded into a store."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

from ingest.jobs import ingest_boundaries
from observatory.settings import BoundarySettings

CITY = "redrawn"
X0, Y0 = 35.20, 31.90
BOUNDARIES = """feed: boundaries
level: {{name: district, name_en: Districts, name_ar: الأحياء}}
code: {{column: code}}
name_en: {{column: name_en}}
name_ar: {{column: name_ar}}
valid_from: "{day}"
"""
BEFORE = {"A": (0, 0.05), "B": (0.05, 0.10), "C": (0.10, 0.15)}  # west, east offsets
AFTER = {"A1": (0, 0.02), "A2": (0.02, 0.05), "B": (0.05, 0.10), "C": (0.10, 0.15)}


def _version(tmp: Path, name: str, day: str, areas: dict[str, tuple[float, float]]) -> None:
    frame = gpd.GeoDataFrame(
        {"code": list(areas), "name_en": list(areas), "name_ar": list(areas)},
        geometry=[box(X0 + west, Y0, X0 + east, Y0 + 0.01) for west, east in areas.values()],
        crs="EPSG:4326")
    frame.to_file(tmp / f"{name}.gpkg", driver="GPKG")
    (tmp / f"{name}.yaml").write_text(BOUNDARIES.format(day=day), encoding="utf-8")


def redraw(store, tmp: Path, split_on: str) -> None:
    """Load both versions of the city, the second beginning on ``split_on``."""
    lax = BoundarySettings(max_boundary_loss=1.0)  # A's removal is the point
    _version(tmp, "v1", "2015-01-01", BEFORE)
    _version(tmp, "v2", split_on, AFTER)
    for name in ("v1", "v2"):
        run = ingest_boundaries(store, tmp / f"{name}.gpkg", CITY, tmp / f"{name}.yaml",
                                boundary=lax)
        assert run.status == "succeeded", run.message
