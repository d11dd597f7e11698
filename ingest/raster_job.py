"""Ingest job for a population raster (GeoTIFF): per-district sums and weighted centres.

Same shape as the jobs in ``ingest.jobs``: hash -> re-run check -> read -> normalise -> one
transaction. Each district gets three observations: the raster's ``<variable>`` summed with
exact partial-pixel coverage, and the population-weighted centre as ``<variable>_centre_lon``
and ``<variable>_centre_lat`` (the point access measures start from).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.errors import IngestError
from ingest.job_steps import Progress, begin_run, districts_or_refuse
from ingest.raster import population_centres
from observatory.models import OBSERVATION_COLUMNS, IngestRun, RejectedRow, canonical_dims
from observatory.store.base import Store

FEED = "raster"
DIMS = canonical_dims({"source": "raster"})
# A year standing alone in a file name: ppp_2020_1km.tif, pop-2025.tif (not 478140).
_YEAR_IN_NAME = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def ingest_raster(
    store: Store,
    path: Path,
    city_slug: str,
    *,
    variable: str = "population",
    period: str | None = None,
    progress: Progress | None = None,
) -> IngestRun:
    """Load a population raster as per-district observations; the districts must exist.

    ``period`` defaults to the 4-digit year in the file name. Districts the raster does not
    cover (or covers with nodata only) are recorded as rejected rows; a raster that covers
    none of them is refused.
    """
    path = Path(path)
    period = period or _period_from_name(path)
    # The parameters shape the observations, so they are part of what "the same content" is.
    report, content_hash, earlier = begin_run(
        store, path, city_slug, FEED, f"feed: {FEED}\nvariable: {variable}\nperiod: {period}",
        progress)
    if earlier:
        return earlier

    districts = districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}: sums and centres per district")
    centres = population_centres(path, districts, code_column="code")
    report(3, "checking coverage")
    observations, rejected = _observations(centres, variable, period)
    if observations.empty:
        raise IngestError(
            f"the raster does not overlap any of the {len(districts)} districts of "
            f"'{city_slug}' (or has only nodata there)",
            file=path.name,
            fix="use a raster that covers the city, whose districts span (lon/lat) "
            f"{', '.join(f'{b:.4f}' for b in districts.total_bounds)}",
        )

    report(4, "loading")
    fallbacks = int(centres["representative_point"].sum())
    run = IngestRun(
        city=city_slug, feed=FEED, source_name=path.name, content_hash=content_hash,
        rows_read=len(districts),
        message=f"{len(districts)} districts -> {len(observations)} observations, period "
        f"{period}; {fallbacks} centre(s) are representative points (no population)",
    )
    return store.load(run, observations=observations, rejected=rejected)


def _period_from_name(path: Path) -> str:
    years = sorted(set(_YEAR_IN_NAME.findall(path.stem)))
    if len(years) == 1:
        return years[0]
    found = f"several years ({', '.join(years)})" if years else "no 4-digit year"
    raise IngestError(
        f"the period cannot be taken from the file name: it holds {found}",
        file=path.name,
        fix="give the period explicitly (period='2025', or --period 2025 on the command line)",
    )


def _observations(
    centres: gpd.GeoDataFrame, variable: str, period: str
) -> tuple[pd.DataFrame, list[RejectedRow]]:
    covered = centres[centres["sum"].notna()]
    rejected = [
        RejectedRow(row_number=None, column="district", raw=str(code),
                    reason=f"district {code} lies outside the raster or over nodata only")
        for code in centres.index[centres["sum"].isna()]
    ]
    codes = covered.index.astype(str)
    parts = [
        (variable, covered["sum"].to_numpy(), "persons"),
        (f"{variable}_centre_lon", covered.geometry.x.to_numpy(), "degrees"),
        (f"{variable}_centre_lat", covered.geometry.y.to_numpy(), "degrees"),
    ]
    frame = pd.concat(
        [pd.DataFrame({"district_code": codes, "period": period, "variable": name,
                       "dims": DIMS, "value": values, "unit": unit})
         for name, values, unit in parts],
        ignore_index=True,
    )
    return frame[OBSERVATION_COLUMNS], rejected
