"""``GET /maps/{city}/{indicator}``: a choropleth page of one indicator for one period."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from maps.classify import Classification
from maps.simplify import DEFAULT_TOLERANCE_M
from observatory.api.map_params import ToleranceParam
from observatory.http.deps import CityDep, LevelDep, MapAssetsDep, StoreDep
from observatory.http.openapi import HTML_PAGE, refusals
from observatory.services import map_pages

router = APIRouter(tags=["maps"], responses=refusals(404, 422, 503))


@router.get("/maps/{city}/{indicator}", response_class=Response, responses=HTML_PAGE)
def indicator_map(
    city: CityDep,
    indicator: str,
    store: StoreDep,
    assets: MapAssetsDep,
    level: LevelDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    return HTMLResponse(map_pages.indicator_map(
        store, city, indicator, assets, period=period, classification=classification,
        tolerance=tolerance, lang=lang, level=level.name,
    ))
