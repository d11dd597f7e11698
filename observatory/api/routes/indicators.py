"""Indicator values, district profiles, segregation and hot spots of a city."""

from __future__ import annotations

from typing import Literal

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel

from indicators.segregation_report import FOREIGN, group_counts, segregation_summary
from indicators.spatial import hotspots
from observatory.api.deps import CityDep, StoreDep
from observatory.api.indicator_catalog import IndicatorInfo, indicator_catalog, unknown
from observatory.api.jsonable import plain
from observatory.api.map_inputs import period_values
from observatory.api.security import CallerDep
from observatory.api.visibility import shown_values
from observatory.models import City
from observatory.store import Store

router = APIRouter(tags=["indicators"])

GEOJSON = "application/geo+json"


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
    city_value: float | None
    city_score: float | None


class DistrictProfile(BaseModel):
    city: str
    code: str
    name_en: str
    name_ar: str
    area_m2: float | None
    indicators: list[ProfileEntry]


def _latest_per_indicator(values: pd.DataFrame) -> pd.DataFrame:
    latest = values.groupby("indicator_id")["period"].transform("max")
    return values[values["period"] == latest]


def _described(values: pd.DataFrame) -> list[dict]:
    catalog = indicator_catalog()
    rows = []
    for record in values.to_dict("records"):
        info: IndicatorInfo = catalog.get(record["indicator_id"]) or unknown(record["indicator_id"])
        rows.append(
            plain(
                {
                    "indicator_id": info.id,
                    "name_en": info.name_en,
                    "name_ar": info.name_ar,
                    "framework": info.framework,
                    "unit": info.unit,
                    "district_code": record["district_code"],
                    "period": str(record["period"]),
                    "value": record["value"],
                    "score": record["score"],
                    "coverage": record["coverage"],
                    "suppressed": bool(record["suppressed"]),
                }
            )
        )
    return rows


@router.get("/cities/{city}/indicators", response_model=IndicatorList)
def list_indicators(
    city: CityDep,
    store: StoreDep,
    caller: CallerDep,
    framework: str | None = Query(None, description="e.g. cpi, demography"),
    period: str | None = Query(None, description="e.g. 2025; default: each indicator's latest"),
    indicator: str | None = Query(None, description="one indicator id"),
    district: str | None = Query(None, description="one district code; 'city' for city level"),
) -> dict:
    """Stored values with names (en, ar), unit, score and coverage. Suppressed values keep
    their row but carry no value or score for roles below officer."""
    values = store.indicator_values(city.slug, indicator, period)
    if framework is not None:
        catalog = indicator_catalog()
        frameworks = sorted({info.framework for info in catalog.values()})
        if framework not in frameworks:
            raise HTTPException(
                404, f"No framework {framework!r}; frameworks: {', '.join(frameworks)}."
            )
        ids = {i for i, info in catalog.items() if info.framework == framework}
        values = values[values["indicator_id"].isin(ids)]
    if district == "city":
        values = values[values["district_code"].isna()]
    elif district is not None:
        values = values[values["district_code"] == district]
    if period is None and not values.empty:
        values = _latest_per_indicator(values)
    return {"city": city.slug, "values": _described(shown_values(values, caller))}


@router.get("/cities/{city}/districts/{code}/profile", response_model=DistrictProfile)
def district_profile(
    city: CityDep,
    code: str,
    store: StoreDep,
    caller: CallerDep,
    period: str | None = Query(None, description="default: each indicator's latest"),
) -> dict:
    """Every indicator of one district for a period, with the city's value beside it."""
    found, _ = store.district_page(city.slug, code=code)
    if found.empty:
        raise HTTPException(
            404,
            f"{city.slug} has no current district {code!r}; "
            f"list them at /cities/{city.slug}/districts.",
        )
    values = shown_values(store.indicator_values(city.slug, period=period), caller)
    mine = values[values["district_code"] == code]
    if period is None and not mine.empty:
        mine = _latest_per_indicator(mine)
    whole = values[values["district_code"].isna()].set_index(["indicator_id", "period"])
    entries = []
    for row in _described(mine):
        key = (row["indicator_id"], row["period"])
        city_row = whole.loc[key] if key in whole.index else None
        row.pop("district_code")
        entries.append(
            {
                **row,
                "city_value": plain(city_row["value"]) if city_row is not None else None,
                "city_score": plain(city_row["score"]) if city_row is not None else None,
            }
        )
    district = found.iloc[0]
    return plain(
        {
            "city": city.slug,
            "code": code,
            "name_en": district["name_en"],
            "name_ar": district["name_ar"],
            "area_m2": district["area_m2"],
            "indicators": entries,
        }
    )


@router.get("/cities/{city}/segregation")
def segregation(
    city: CityDep,
    store: StoreDep,
    group: str = Query(FOREIGN, description="a citizenship value, or 'foreign' (all but national)"),
    total: str = Query("population", description="the variable counted"),
    period: str | None = Query(None, description="default: the latest"),
) -> dict:
    """Dissimilarity, isolation, entropy and the other measures of one group across the
    districts, the multigroup measures, and the global Moran's I of the group's share."""
    observations = store.observations(city.slug, variables=[total])
    if observations.empty:
        raise HTTPException(
            404,
            f"{city.slug} has no observations of {total!r}. Ingest a "
            f"census: observatory ingest census FILE --city {city.slug}",
        )
    periods = sorted(observations["period"].astype(str).unique())
    period = period or periods[-1]
    if period not in periods:
        raise HTTPException(
            404, f"No {total!r} observations in period {period!r}; periods: {', '.join(periods)}."
        )
    counts = group_counts(observations, period=period, variable=total)
    if counts.empty:
        raise HTTPException(
            422,
            f"The {total!r} observations of {period} have no "
            "'citizenship' dimension; map one in the census feed spec.",
        )
    try:
        summary = segregation_summary(counts, group)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return plain(
        {
            "city": city.slug,
            "period": period,
            "total": total,
            **summary,
            "moran": _share_moran(store, city, counts, group),
        }
    )


def _share_moran(store: Store, city: City, counts: pd.DataFrame, group: str) -> dict:
    members = (
        counts.drop(columns=["national"], errors="ignore").sum(axis=1)
        if group == FOREIGN
        else counts[group]
    )
    totals = counts.sum(axis=1)
    share = (members / totals.where(totals > 0)).rename("value")
    values = share.rename_axis("district_code").reset_index()
    _, summary = hotspots(store.districts(city.slug), values)
    return {
        k.removeprefix("moran_"): v
        for k, v in summary.items()
        if k.startswith("moran_") or k in ("n", "message")
    }


@router.get(
    "/cities/{city}/hotspots",
    responses={200: {"content": {"application/json": {}, GEOJSON: {}}}},
)
def city_hotspots(
    city: CityDep,
    store: StoreDep,
    indicator: str = Query(..., description="indicator id, e.g. foreign_citizens_share"),
    period: str | None = Query(None, description="default: the latest"),
    alpha: float = Query(0.05, gt=0, lt=1, description="significance level"),
    permutations: int = Query(999, ge=99, le=9999),
    f: Literal["json", "geojson"] = Query(
        "json", description="geojson: districts with their categories"
    ),
):
    """LISA and Getis-Ord Gi* categories per district and the global Moran's I. Suppressed
    values take no part: their districts are "no data"."""
    rows = period_values(store, city, indicator, period)
    period = str(rows["period"].iloc[0]) if len(rows) else period
    rows.loc[rows["suppressed"].astype(bool), "value"] = float("nan")
    districts = store.districts(city.slug)
    table, summary = hotspots(districts, rows, permutations=permutations, alpha=alpha)
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
            "period": period,
            "summary": summary,
            "districts": table.to_dict("records"),
        }
    )
