"""``GET /maps/{city}/{indicator}``: a choropleth page of one indicator for one period."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from maps.choropleth import choropleth_html
from maps.classify import Classification
from maps.simplify import DEFAULT_TOLERANCE_M, simplify_districts
from observatory.api.city_crs import local_crs
from observatory.api.deps import ApiSettingsDep, CityDep, StoreDep
from observatory.api.indicator_display import indicator_display
from observatory.api.map_inputs import (
    ToleranceParam,
    current_districts,
    page_assets,
    period_values,
)

router = APIRouter(tags=["maps"])


@router.get("/maps/{city}/{indicator}", response_class=HTMLResponse)
def indicator_map(
    request: Request,
    city: CityDep,
    indicator: str,
    store: StoreDep,
    api_settings: ApiSettingsDep,
    period: str | None = Query(None, description="e.g. 2025; default: the latest computed"),
    classification: Classification = "quantiles",
    tolerance: ToleranceParam = DEFAULT_TOLERANCE_M,
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = period_values(store, city, indicator, period)
    districts = current_districts(store, city)
    display = indicator_display(indicator, lang)
    html = choropleth_html(
        simplify_districts(districts, local_crs(city, districts), tolerance),
        values,
        title=f"{city.name_in(lang)} — {display.label} ({values['period'].iloc[0]})",
        indicator_label=display.label,
        value_format=display.value_format,
        classification=classification,
        **page_assets(request, api_settings),
        lang=lang,
    )
    return HTMLResponse(html)
