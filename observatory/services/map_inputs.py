"""What every map starts from: an indicator's values for one period and the city's current
areas of one level, or an error that says how to load them."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from observatory.models import City
from observatory.services.errors import NotFound
from observatory.store import Store


def period_values(store: Store, city: City, indicator: str, period: str | None,
                  level: str | None = None) -> pd.DataFrame:
    """The area values of one indicator and period (default: the latest) at ``level`` (None:
    the top level), with the ``estimate`` of each."""
    periods = list(store.indicator_periods(city.slug, indicator, level=level)["period"]
                   .astype(str))
    if not periods:
        at = f" at level {level!r}" if level else ""
        raise NotFound(
            f"No values of indicator {indicator!r} for {city.slug}{at}. Compute them with: "
            f"observatory compute --city {city.slug} (after ingesting its census)."
        )
    period = period or periods[-1]
    if period not in periods:
        raise NotFound(
            f"No values of {indicator!r} for {city.slug} in period {period!r}; "
            f"computed periods: {', '.join(periods)}."
        )
    chosen = store.indicator_values(city.slug, indicator, period, level=level)
    return chosen[chosen["district_code"].notna()].reset_index(drop=True)


def current_districts(store: Store, city: City, level: str | None = None) -> gpd.GeoDataFrame:
    districts = store.districts(city.slug, level=level)
    if districts.empty:
        what = f"areas of level {level!r}" if level else "districts"
        raise NotFound(
            f"{city.slug} has no current {what}. Load them with: "
            f"observatory ingest boundaries FILE --city {city.slug}"
        )
    return districts
