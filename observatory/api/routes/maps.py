"""``GET /maps/{city}/{indicator}``: a choropleth page of one indicator for one period."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from maps.classify import Classification
from maps.simplify import DEFAULT_TOLERANCE_M
from observatory.api.map_params import ToleranceParam
from observatory.http.deps import CityDep, LevelDep, MapAssetsDep, StoreDep
from observatory.http.openapi import HTML_PAGE, refusals
from observatory.http.response_cache import ResponseCacheDep, cached
from observatory.http.security_headers import page_response
from observatory.services import map_pages
from observatory.services.callers import PUBLIC

router = APIRouter(tags=["maps"], responses=refusals(404, 422, 503))


@router.get("/maps/{city}/{indicator}", response_class=Response, responses=HTML_PAGE)
def indicator_map(
    request: Request,
    city: CityDep,
    indicator: str,
    store: StoreDep,
    cache: ResponseCacheDep,
    assets: MapAssetsDep,
    level: LevelDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    lang: Literal["en", "ar"] = "en",
) -> Response:
    # A public page (no key is asked for): kept once for everyone until the data change.
    return cached(request, store, cache, PUBLIC, lambda: page_response(map_pages.indicator_map(
        store, city, indicator, assets, period=period, classification=classification,
        tolerance=tolerance, lang=lang, level=level.name,
    )))
