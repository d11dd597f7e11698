"""``GET /maps/{city}/{indicator}``: a choropleth page of one indicator for one period."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from maps.choropleth import choropleth_html
from maps.classify import Classification
from observatory.api.deps import ApiSettingsDep, CityDep, StoreDep
from observatory.api.indicator_display import indicator_display

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
    lang: Literal["en", "ar"] = "en",
) -> HTMLResponse:
    values = store.indicator_values(city.slug, indicator)
    if values.empty:
        raise HTTPException(
            status_code=404,
            detail=f"No values of indicator {indicator!r} for {city.slug}. Compute them with: "
            f"observatory compute --city {city.slug} (after ingesting its census).",
        )
    periods = sorted(values["period"].astype(str).unique())
    period = period or periods[-1]
    if period not in periods:
        raise HTTPException(
            status_code=404,
            detail=f"No values of {indicator!r} for {city.slug} in period {period!r}; "
            f"computed periods: {', '.join(periods)}.",
        )
    districts = store.districts(city.slug)
    if districts.empty:
        raise HTTPException(
            status_code=404,
            detail=f"{city.slug} has no current districts. Load them with: "
            f"observatory ingest boundaries FILE --city {city.slug}",
        )
    display = indicator_display(indicator, lang)
    city_name = (city.name_ar if lang == "ar" else "") or city.name_en
    html = choropleth_html(
        districts,
        values[values["period"].astype(str) == period],
        title=f"{city_name} — {display.label} ({period})",
        indicator_label=display.label,
        value_format=display.value_format,
        classification=classification,
        basemap_url=api_settings.basemap_url,
        basemap_attribution=api_settings.basemap_attribution,
        asset_base=f"{request.scope.get('root_path', '')}/static",
        lang=lang,
    )
    return HTMLResponse(html)
