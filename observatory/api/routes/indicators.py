"""Indicator values, district profiles, segregation and hot spots of a city."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from indicators.segregation_report import FOREIGN
from indicators.spatial import hotspots
from observatory.api.security import CallerDep
from observatory.http.deps import CityDep, DisclosureDep, LevelDep, StoreDep
from observatory.http.openapi import refusals
from observatory.services import district_profile as profiles
from observatory.services.indicator_values import city_values
from observatory.services.jsonable import plain
from observatory.services.map_inputs import period_values
from observatory.services.segregation import city_segregation

# 401: the routes that read the caller refuse a key that is not known.
router = APIRouter(tags=["indicators"], responses=refusals(401, 404, 422, 503))

GEOJSON = "application/geo+json"


class Grain(BaseModel):
    """Which grain a value is: service demand is published at the finest safe one."""

    period: str  # month, quarter, year (other: a period of another form)
    service_area: str | None  # service demand: the area, or "all"; None for other indicators
    level: str  # district (an area of the level) or city


class IndicatorValue(BaseModel):
    indicator_id: str
    name_en: str
    name_ar: str
    framework: str
    unit: str
    district_code: str | None
    period: str
    value: float | None
    score: float | None
    coverage: float | None
    suppressed: bool
    estimate: str  # '': computed from loaded counts; else how the value was carried (method)
    grain: Grain


class IndicatorList(BaseModel):
    city: str
    values: list[IndicatorValue]


class ProfileEntry(BaseModel):
    indicator_id: str
    name_en: str
    name_ar: str
    framework: str
    unit: str
    period: str
    value: float | None
    score: float | None
    coverage: float | None
    suppressed: bool
    estimate: str  # '': computed from loaded counts; else how the value was carried (method)
    grain: Grain
    city_value: float | None
    city_score: float | None


class AreaRef(BaseModel):
    level: str
    code: str
    name_en: str
    name_ar: str


class DistrictProfile(BaseModel):
    city: str
    level: str
    code: str
    name_en: str
    name_ar: str
    area_m2: float | None
    parent: AreaRef | None  # the area it lies in at the parent level
    children: list[AreaRef]  # its areas at the levels below
    indicators: list[ProfileEntry]


@router.get("/cities/{city}/indicators", response_model=IndicatorList)
def list_indicators(
    city: CityDep,
    store: StoreDep,
    caller: CallerDep,
    level: LevelDep,
    framework: str | None = Query(None, description="e.g. cpi, demography"),
    period: str | None = Query(None, description="e.g. 2025; default: each indicator's latest"),
    indicator: str | None = Query(None, description="one indicator id"),
    district: str | None = Query(None, description="one district code; 'city' for city level"),
) -> dict:
    """Stored values of one level with names (en, ar), unit, score and coverage; ``estimate``
    names the method of a value carried from other boundaries. Suppressed values keep their
    row but carry no value or score for roles below officer."""
    values = city_values(store, city, caller, framework=framework, period=period,
                         indicator=indicator, district=district, level=level.name)
    return {"city": city.slug, "values": values}


@router.get("/cities/{city}/districts/{code}/profile", response_model=DistrictProfile)
def district_profile(
    city: CityDep,
    code: str,
    store: StoreDep,
    caller: CallerDep,
    level: LevelDep,
    period: str | None = Query(None, description="default: each indicator's latest"),
) -> dict:
    """Every indicator of one area of a level for a period, with the city's value beside it,
    the area it lies in (parent level) and the areas it holds (levels below)."""
    return profiles.district_profile(store, city, code, caller, period, level=level.name)


@router.get("/cities/{city}/segregation")
def segregation(
    city: CityDep,
    store: StoreDep,
    caller: CallerDep,
    disclosure: DisclosureDep,
    level: LevelDep,
    dimension: str | None = Query(
        None, description="the dimension that defines the groups: citizenship, birthplace, "
        "migration_background, or one a feed spec names; default: the first of these the "
        "data carries"),
    group: str | None = Query(
        None, description=f"a group of the dimension, or {FOREIGN!r}: every group but the "
        "reference group (own nationals, native-born, no migration background); default "
        f"{FOREIGN!r}"),
    total: str | None = Query(
        None, description="the variable counted; default: the one carrying the dimension "
        "(population where several do)"),
    period: str | None = Query(None, description="default: the latest"),
) -> dict:
    """Dissimilarity, isolation, entropy and the other measures of one group across the
    districts, the multigroup measures, and the global Moran's I of the group's share, over
    any group dimension; the dimension and group are named in English and Arabic. Below
    officer: no counts, measures rounded and withheld (``suppressed``) for a small group, and
    personal-data variables (administrative records) not served."""
    return city_segregation(store, city, group, dimension=dimension, total=total,
                            period=period, caller=caller, disclosure=disclosure,
                            level=level.name)


@router.get(
    "/cities/{city}/hotspots",
    responses={200: {"content": {"application/json": {}, GEOJSON: {}}}},
)
def city_hotspots(
    city: CityDep,
    store: StoreDep,
    level: LevelDep,
    indicator: str = Query(..., description="indicator id, e.g. foreign_citizens_share"),
    period: str | None = Query(None, description="default: the latest"),
    alpha: float = Query(0.05, gt=0, lt=1, description="significance level"),
    permutations: int = Query(999, ge=99, le=9999),
    f: Literal["json", "geojson"] = Query(
        "json", description="geojson: districts with their categories"
    ),
):
    """LISA and Getis-Ord Gi* categories per district and the global Moran's I. Suppressed
    values take no part: their districts are "no data". ``estimate`` names the method of a
    value carried from other boundaries."""
    rows = period_values(store, city, indicator, period, level.name)
    period = str(rows["period"].iloc[0]) if len(rows) else period
    rows.loc[rows["suppressed"].astype(bool), "value"] = float("nan")
    districts = store.districts(city.slug, level=level.name)
    table, summary = hotspots(districts, rows, permutations=permutations, alpha=alpha)
    # a value carried from other boundaries says so, with its method ('' for loaded counts)
    carried = (dict(zip(rows["district_code"].astype(str), rows["estimate"].fillna(""),
                        strict=True)) if "estimate" in rows else {})
    table = table.assign(estimate=table["code"].astype(str).map(carried).fillna(""))
    if f == "geojson":
        shapes = districts[["code", "geometry"]].merge(table, on="code")
        shapes = shapes.set_index(shapes["code"].astype(str))
        return Response(
            shapes.to_json(ensure_ascii=False, na="null").encode("utf-8"), media_type=GEOJSON
        )
    return plain(
        {
            "city": city.slug,
            "indicator": indicator,
            "level": level.name,
            "period": period,
            "summary": summary,
            "districts": table.to_dict("records"),
        }
    )
