"""What every map page starts from: an indicator's values for one period, the city's current
districts (or a 404 that says how to load them) and the simplification tolerance."""

from __future__ import annotations

from typing import Annotated

import geopandas as gpd
import pandas as pd
from fastapi import HTTPException, Query, Request

from observatory.models import City
from observatory.settings import ApiSettings
from observatory.store import Store

# Coverage simplification of the districts (see maps.simplify), in metres: at 10 m a border moves
# less than a pixel at street zoom; 5,000 districts then stay under 5 MB of HTML.
ToleranceParam = Annotated[
    float,
    Query(gt=0, le=1000, description="How far a simplified border may move, in metres"),
]


def period_values(store: Store, city: City, indicator: str, period: str | None) -> pd.DataFrame:
    """The district values of one indicator and period (default: the latest), or a 404."""
    periods = list(store.indicator_periods(city.slug, indicator)["period"].astype(str))
    if not periods:
        raise HTTPException(
            status_code=404,
            detail=f"No values of indicator {indicator!r} for {city.slug}. Compute them with: "
            f"observatory compute --city {city.slug} (after ingesting its census).",
        )
    period = period or periods[-1]
    if period not in periods:
        raise HTTPException(
            status_code=404,
            detail=f"No values of {indicator!r} for {city.slug} in period {period!r}; "
            f"computed periods: {', '.join(periods)}.",
        )
    chosen = store.indicator_values(city.slug, indicator, period)
    return chosen[chosen["district_code"].notna()].reset_index(drop=True)


def current_districts(store: Store, city: City) -> gpd.GeoDataFrame:
    districts = store.districts(city.slug)
    if districts.empty:
        raise HTTPException(
            status_code=404,
            detail=f"{city.slug} has no current districts. Load them with: "
            f"observatory ingest boundaries FILE --city {city.slug}",
        )
    return districts


def page_assets(request: Request, api_settings: ApiSettings) -> dict:
    """What every map page is given: the basemap (none: the page works offline) and where the
    observatory serves Leaflet's files."""
    return {"basemap_url": api_settings.basemap_url,
            "basemap_attribution": api_settings.basemap_attribution,
            "asset_base": f"{request.scope.get('root_path', '')}/static"}
