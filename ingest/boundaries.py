"""District boundaries: a vector file and its spec -> districts in the ``DISTRICT_COLUMNS`` shape.

Pure: no store. Geometry ends in EPSG:4326 as MultiPolygons; areas are measured in the city's
local projected CRS (or an estimated UTM zone, returned so the city record can keep it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon

from ingest.errors import IngestError
from ingest.expressions import evaluate_expression
from ingest.spec import BoundariesSpec, ColumnSpec
from ingest.text import as_text
from observatory.city_crs import metric_crs
from observatory.models import DISTRICT_COLUMNS, RejectedRow

STORAGE_CRS = "EPSG:4326"


@dataclass
class BoundaryResult:
    districts: gpd.GeoDataFrame  # DISTRICT_COLUMNS, EPSG:4326
    local_crs: str  # the CRS the areas were measured in
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs made, one line per feature
    source_crs: CRS | None = None  # the CRS the file or the spec declared
    source_bounds: tuple[float, float, float, float] | None = None  # kept features, in it


def normalise_boundaries(
    features: gpd.GeoDataFrame, spec: BoundariesSpec, *, source: str, local_crs: str = ""
) -> BoundaryResult:
    """``features`` as read by ``readers.read_vector`` (index: feature number)."""
    features = _with_crs(features, spec, source)
    codes = _column(features, spec.code, source=source, key="code")
    codes, corrected = _corrected(codes, spec, source)
    table = gpd.GeoDataFrame(
        {
            "code": codes,
            "name_en": _column(features, spec.name_en, source=source, key="name_en"),
            "name_ar": _column(features, spec.name_ar, source=source, key="name_ar"),
        },
        geometry=features.geometry,
        crs=features.crs,
    )
    code_column = spec.code.column or spec.code.expression or "code"
    table, rejected = _reject_unusable(table, code_column)
    table, notes, unrepairable = _repair(table)
    notes = corrected + notes
    rejected += unrepairable
    if table.empty:
        return BoundaryResult(table.reindex(columns=DISTRICT_COLUMNS), local_crs, rejected, notes)

    minx, miny, maxx, maxy = (float(b) for b in table.total_bounds)
    declared, bounds = table.crs, (minx, miny, maxx, maxy)
    local = metric_crs(local_crs, table)
    table["area_m2"] = table.to_crs(local).area
    table = table.to_crs(STORAGE_CRS)
    table["name_en"] = table["name_en"].fillna("")
    table["name_ar"] = table["name_ar"].fillna("")
    return BoundaryResult(table[DISTRICT_COLUMNS], local, rejected, notes, declared, bounds)


def _with_crs(features: gpd.GeoDataFrame, spec: BoundariesSpec, source: str) -> gpd.GeoDataFrame:
    if spec.crs:
        try:
            CRS.from_user_input(spec.crs)
        except CRSError as exc:
            raise IngestError(
                f"'{spec.crs}' is not a coordinate reference system",
                file=source,
                key="crs",
                fix="give an EPSG code such as EPSG:31256",
            ) from exc
        features = features.set_crs(spec.crs, allow_override=True)
        _refuse_out_of_range(features, source, said_by=f"the spec says its CRS is {spec.crs}")
        return features
    if features.crs is None:
        raise IngestError(
            "the file has no coordinate reference system (CRS)",
            file=source,
            column="geometry",
            fix="set crs in the boundaries spec to the CRS the coordinates are in, e.g. "
            'crs: "EPSG:31256" (or ship the Shapefile\'s .prj)',
        )
    _refuse_out_of_range(features, source, said_by=f"the file says its CRS is {features.crs.name}")
    return features


# Degrees beyond a CRS's registered area of use that coordinates may still lie.
AREA_OF_USE_MARGIN = 2.0


def _refuse_out_of_range(features: gpd.GeoDataFrame, source: str, *, said_by: str) -> None:
    """Coordinates that cannot be in the declared CRS: beyond ±180/±90 for degrees (metres
    labelled as degrees: GeoJSON without a crs member is read as WGS84), outside the CRS's
    area of use for a projected one."""
    bounds = features.geometry.bounds
    if features.crs.is_geographic:
        beyond = (bounds[["minx", "maxx"]].abs().max(axis=1) > 180) | (
            bounds[["miny", "maxy"]].abs().max(axis=1) > 90)
        if beyond.any():
            feature = beyond.idxmax()
            raise IngestError(
                f"coordinates such as {bounds.at[feature, 'minx']:g} "
                f"{bounds.at[feature, 'miny']:g} are not longitude and latitude, yet {said_by}",
                file=source,
                row=int(feature),
                column="geometry",
                fix="set crs in the boundaries spec to the CRS the coordinates are in, e.g. "
                'crs: "EPSG:31256"',
            )
        return
    outside = _outside_area_of_use(features.crs, bounds.dropna())
    if outside is not None:
        area = features.crs.area_of_use
        raise IngestError(
            f"coordinates such as {bounds.at[outside, 'minx']:g} {bounds.at[outside, 'miny']:g} "
            f"lie outside the area where {features.crs.name} is used (longitude "
            f"{area.west:g} to {area.east:g}, latitude {area.south:g} to {area.north:g}), yet "
            f"{said_by}",
            file=source,
            row=int(outside),
            column="geometry",
            fix="set crs in the boundaries spec to the CRS the coordinates are in (see the "
            "file's metadata or .prj), e.g. crs: \"EPSG:31256\"",
        )


def _outside_area_of_use(crs: CRS, bounds: pd.DataFrame) -> int | None:
    """The first feature whose box lies outside ``crs``'s area of use (with a margin)."""
    area = crs.area_of_use
    if area is None or area.west > area.east or bounds.empty:  # unknown, or across 180°
        return None
    corners_x = np.concatenate([bounds["minx"], bounds["maxx"], bounds["minx"], bounds["maxx"]])
    corners_y = np.concatenate([bounds["miny"], bounds["maxy"], bounds["maxy"], bounds["miny"]])
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(
        corners_x, corners_y, errcheck=False)
    margin = AREA_OF_USE_MARGIN
    bad = ~(np.isfinite(lon) & np.isfinite(lat)
            & (lon >= area.west - margin) & (lon <= area.east + margin)
            & (lat >= area.south - margin) & (lat <= area.north + margin))
    per_feature = bad.reshape(4, len(bounds)).any(axis=0)
    return int(bounds.index[per_feature.argmax()]) if per_feature.any() else None


def _corrected(codes: pd.Series, spec: BoundariesSpec, source: str
               ) -> tuple[pd.Series, list[str]]:
    """The codes with the spec's corrections applied, and a note for each."""
    codes = codes.copy()
    notes = []
    for number, fix in enumerate(spec.corrections):
        if fix.feature not in codes.index:
            raise IngestError(
                f"corrections.{number} names feature {fix.feature}, but the file has "
                f"{len(codes)} features", file=source, key=f"corrections.{number}.feature",
                fix="give the feature's 1-based number in the file")
        notes.append(f"feature {fix.feature}: code {codes[fix.feature]} corrected to "
                     f"{fix.code} ({fix.reason})")
        codes[fix.feature] = fix.code
    return codes, notes


def _column(features: pd.DataFrame, spec: ColumnSpec, *, source: str, key: str) -> pd.Series:
    if spec.expression:
        values = evaluate_expression(
            features, spec.expression, file=source, key=f"{key}.expression"
        )
    elif spec.column:
        if spec.column not in features.columns:
            columns = [str(c) for c in features.columns if c != "geometry"]
            raise IngestError(
                f"no column '{spec.column}'",
                file=source,
                key=f"{key}.column",
                fix=f"use one of the file's columns: {', '.join(columns)}",
            )
        values = as_text(features[spec.column])
    else:
        return pd.Series(pd.NA, index=features.index, dtype="string")
    if spec.values:
        values = values.map(spec.values)
    return values


def _reject_unusable(
    table: gpd.GeoDataFrame, code_column: str
) -> tuple[gpd.GeoDataFrame, list[RejectedRow]]:
    rejected: list[RejectedRow] = []
    no_code = table["code"].isna()
    for feature in table.index[no_code]:
        rejected.append(RejectedRow(int(feature), code_column, "the feature has no district code"))
    empty = ~no_code & (table.geometry.isna() | table.geometry.is_empty)
    for feature in table.index[empty]:
        rejected.append(
            RejectedRow(int(feature), "geometry", "the feature has no geometry",
                        raw=str(table.at[feature, "code"]))
        )
    kept = table[~no_code & ~empty]
    polygonal = kept.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    for feature in kept.index[~polygonal]:
        rejected.append(
            RejectedRow(int(feature), "geometry",
                        f"a district needs a polygon, not a {kept.geometry[feature].geom_type}",
                        raw=str(kept.at[feature, "code"]))
        )
    kept = kept[polygonal]
    repeated = kept["code"].duplicated(keep="first")
    first_seen = pd.Series(kept.index, index=kept.index).groupby(kept["code"]).first()
    for feature in kept.index[repeated]:
        code = kept.at[feature, "code"]
        rejected.append(
            RejectedRow(int(feature), code_column,
                        f"duplicate district code {code} (first at feature {first_seen[code]})",
                        raw=str(code))
        )
    return kept[~repeated], rejected


def _repair(
    table: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[str], list[RejectedRow]]:
    """make_valid every invalid polygon, keep its polygonal part, always as MultiPolygon."""
    geometries = table.geometry.array
    invalid = ~shapely.is_valid(geometries)
    reasons = shapely.is_valid_reason(geometries)
    notes: list[str] = []
    rejected: list[RejectedRow] = []
    repaired = []
    for position, (feature, geometry) in enumerate(zip(table.index, geometries, strict=True)):
        code = table.at[feature, "code"]
        if invalid[position]:
            geometry = _polygonal(shapely.make_valid(geometry))
            if geometry.is_empty:
                rejected.append(
                    RejectedRow(int(feature), "geometry",
                                f"invalid polygon ({reasons[position]}) with no area left "
                                "after repair",
                                raw=str(code))
                )
            else:
                notes.append(f"feature {feature} (code {code}): {reasons[position]} — repaired")
        repaired.append(MultiPolygon([geometry]) if isinstance(geometry, Polygon) else geometry)
    table = table.set_geometry(gpd.GeoSeries(repaired, index=table.index, crs=table.crs))
    lost = {row.row_number for row in rejected}
    return table[~table.index.isin(lost)], notes, rejected


def _polygonal(geometry: shapely.Geometry) -> MultiPolygon:
    # make_valid may return a collection with stray lines or points along the repaired ring.
    members = [m for m in shapely.get_parts(geometry) if isinstance(m, (Polygon, MultiPolygon))]
    return MultiPolygon([polygon for m in members for polygon in shapely.get_parts(m)])
