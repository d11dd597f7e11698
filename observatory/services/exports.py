"""District layers and heat surfaces as files GIS users open: GeoPackage, GeoParquet, GeoJSON,
CSV and XLSX for the areas of a level with one indicator's values in one period (names in
English and Arabic), a Cloud-Optimised GeoTIFF for a heat surface. The API, the pages' download
links and ``observatory export`` all write through here.

A layer holds what its caller may see (:func:`observatory.services.visibility.shown_values`):
below officer a suppressed value keeps its row and its ``suppressed`` flag, never its value or
score. Layers carry published indicator values only, never the raw counts of a feed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import geopandas as gpd
import pandas as pd
import pyogrio

from maps.heat import write_cog
from observatory.models import City
from observatory.services.callers import Caller
from observatory.services.heat_surface import HeatRequest, city_heat
from observatory.services.indicator_catalog import indicator_catalog, info_of
from observatory.services.map_inputs import current_districts, period_values
from observatory.services.visibility import shown_values
from observatory.store import Store

LayerFormat = Literal["gpkg", "parquet", "geojson", "csv", "xlsx"]
LAYER_FORMATS: tuple[LayerFormat, ...] = get_args(LayerFormat)
WGS84 = "EPSG:4326"
# The columns of an indicator layer, in the order every format writes them.
INDICATOR_COLUMNS = ("code", "name_en", "name_ar", "area_m2", "indicator_id", "period",
                     "value", "score", "coverage", "suppressed", "estimate")
DISTRICT_COLUMNS = ("code", "name_en", "name_ar", "area_m2")
# Excel's cap on a sheet's name.
SHEET_NAME_CHARS = 31


@dataclass(frozen=True)
class FileFormat:
    extension: str
    media_type: str
    label: str  # as a download link names it


FILE_FORMATS: dict[str, FileFormat] = {
    "gpkg": FileFormat("gpkg", "application/geopackage+sqlite3", "GeoPackage"),
    "parquet": FileFormat("parquet", "application/vnd.apache.parquet", "GeoParquet"),
    "geojson": FileFormat("geojson", "application/geo+json", "GeoJSON"),
    "csv": FileFormat("csv", "text/csv; charset=utf-8", "CSV"),
    "xlsx": FileFormat(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "cog": FileFormat("tif", "image/tiff; application=geotiff; profile=cloud-optimized",
                      "Cloud-Optimised GeoTIFF"),
}


@dataclass(frozen=True)
class DistrictLayer:
    """The areas of one level, with one indicator's values of one period when ``indicator``
    is set; ``frame`` in lon/lat (EPSG:4326), one row per current area."""

    city: str
    level: str | None
    indicator: str | None
    period: str | None
    frame: gpd.GeoDataFrame

    @property
    def name(self) -> str:
        """What its files are called: city, level, indicator and period."""
        parts = [self.city, self.level, self.indicator, self.period]
        return "-".join(part for part in parts if part)

    def filename(self, fmt: str) -> str:
        return f"{self.name}.{FILE_FORMATS[fmt].extension}"


def district_layer(store: Store, city: City, caller: Caller, *, indicator: str | None = None,
                   level: str | None = None, period: str | None = None) -> DistrictLayer:
    """The current areas of ``level`` (None: the top level) with the values of ``indicator``
    in ``period`` (default: its latest) as ``caller`` may see them; without ``indicator``, the
    areas alone. :class:`NotFound` naming what to load when there is nothing."""
    districts = current_districts(store, city, level)
    areas = districts.assign(code=districts["code"].astype(str)).to_crs(WGS84)
    areas = areas.sort_values("code").reset_index(drop=True)
    if indicator is None:
        return DistrictLayer(city.slug, level, None, None,
                             areas[[*DISTRICT_COLUMNS, "geometry"]])
    values = shown_values(period_values(store, city, indicator, period, level), caller)
    chosen = str(values["period"].iloc[0]) if len(values) else str(period)
    values = values.assign(district_code=values["district_code"].astype(str),
                           period=values["period"].astype(str),
                           estimate=values["estimate"].fillna("").astype(str),
                           suppressed=values["suppressed"].fillna(False).astype(bool))
    joined = areas.merge(values, left_on="code", right_on="district_code", how="left")
    joined = joined.assign(indicator_id=indicator, period=chosen,
                           suppressed=joined["suppressed"].fillna(False).astype(bool),
                           estimate=joined["estimate"].fillna("").astype(str))
    for column in ("value", "score", "coverage"):
        joined[column] = pd.to_numeric(joined[column]).astype(float)
    frame = gpd.GeoDataFrame(joined[[*INDICATOR_COLUMNS, "geometry"]], geometry="geometry",
                             crs=WGS84)
    return DistrictLayer(city.slug, level, indicator, chosen, frame)


def write_layer(layer: DistrictLayer, fmt: LayerFormat, path: Path) -> Path:
    """Write ``layer`` to ``path`` as ``fmt``; CSV and XLSX are tables without geometry, in
    UTF-8 Excel opens with Arabic intact (CSV with a byte-order mark)."""
    WRITERS[fmt](layer, path)
    return path


def layer_bytes(layer: DistrictLayer, fmt: LayerFormat) -> bytes:
    """``layer`` written as ``fmt``, as the bytes of the file."""
    with tempfile.TemporaryDirectory(prefix="observatory-export-") as folder:
        return write_layer(layer, fmt, Path(folder) / layer.filename(fmt)).read_bytes()


def write_heat_cog(store: Store, city: City, event_layer: str | None, params: HeatRequest,
                   path: Path) -> Path:
    """The heat surface of ``event_layer`` (None: every incident layer) as a float32
    Cloud-Optimised GeoTIFF in the city's local CRS, as the heat-map routes serve it."""
    overlay = city_heat(store, city, event_layer, params)
    write_cog(overlay.grid, overlay.transform, overlay.crs, path)
    return path


def _table(layer: DistrictLayer) -> pd.DataFrame:
    return pd.DataFrame(layer.frame.drop(columns="geometry"))


def _gpkg(layer: DistrictLayer, path: Path) -> None:
    pyogrio.write_dataframe(layer.frame, path, driver="GPKG", layer=layer.name)


def _geojson(layer: DistrictLayer, path: Path) -> None:
    pyogrio.write_dataframe(layer.frame, path, driver="GeoJSON", RFC7946=True)


def _parquet(layer: DistrictLayer, path: Path) -> None:
    layer.frame.to_parquet(path, index=False)


def _csv(layer: DistrictLayer, path: Path) -> None:
    _table(layer).to_csv(path, index=False, encoding="utf-8-sig")


def _xlsx(layer: DistrictLayer, path: Path) -> None:
    about = _about(layer)
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        _table(layer).to_excel(book, sheet_name=(layer.indicator or "districts")[
            :SHEET_NAME_CHARS], index=False)
        about.to_excel(book, sheet_name="about", index=False)


def _about(layer: DistrictLayer) -> pd.DataFrame:
    """What the values sheet holds, for a reader who has only the file."""
    rows = [("city", layer.city), ("level", layer.level or "top level")]
    if layer.indicator is not None:
        info = info_of(indicator_catalog(), layer.indicator)
        rows += [("indicator", layer.indicator), ("name_en", info.name_en),
                 ("name_ar", info.name_ar), ("unit", info.unit), ("period", layer.period or ""),
                 ("suppressed", ("true: withheld (small counts); value and score left empty "
                                 "unless you hold an officer key"))]
    return pd.DataFrame(rows, columns=["field", "value"])


WRITERS: dict[str, Callable[[DistrictLayer, Path], None]] = {
    "gpkg": _gpkg, "parquet": _parquet, "geojson": _geojson, "csv": _csv, "xlsx": _xlsx,
}
