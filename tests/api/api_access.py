"""Seeds for the API's tests: a census loaded by the real ingest job, fire events, and the
header carrying an API key (the ``api`` and ``keys`` fixtures are in conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from api_seed import CITY

from ingest.jobs import ingest_census
from observatory.models import IngestRun
from observatory.store import Store

# Small, so that the upload limit is tested without megabytes of test data.
MAX_PHOTO_BYTES = 20_000

CENSUS_SPEC = """\
feed: census
format: csv
encoding: utf-8
delimiter: ","
header_row: 2
district: {column: DISTRICT_CODE, match: code}
period: {column: YEAR}
variables:
  - {column: NATIONAL, variable: population, unit: persons, dims: {citizenship: national}}
  - {column: SYRIAN, variable: population, unit: persons, dims: {citizenship: syrian}}
  - {column: JORDANIAN, variable: population, unit: persons, dims: {citizenship: jordanian}}
"""
# District 103 has 8 foreign residents: at or below the disclosure threshold (15).
CENSUS_ROWS = {
    "101": (900, 300, 100),
    "102": (1200, 150, 60),
    "103": (700, 5, 3),
    "104": (2000, 600, 400),
}


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def finished_upload(client: Any, url: str, headers: dict[str, str],
                    wait_seconds: float = 60) -> dict[str, Any]:
    """The upload's status once its ingest has finished, or its last status after
    ``wait_seconds`` (an ingest in the background of a loaded machine can take a while)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        status = client.get(url, headers=headers).json()
        if status["state"] == "finished" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def write_census(folder: Path, year: str = "2026") -> tuple[Path, Path]:
    lines = [
        "Qalqilya census, residents by citizenship — إحصاء السكان",
        "DISTRICT_CODE,YEAR,NATIONAL,SYRIAN,JORDANIAN",
    ]
    lines += [f"{code},{year},{a},{b},{c}" for code, (a, b, c) in CENSUS_ROWS.items()]
    table = folder / f"census_{year}.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = folder / "census_spec.yaml"
    spec.write_text(CENSUS_SPEC, encoding="utf-8")
    return table, spec


def seed_census(store: Store, folder: Path, year: str = "2026") -> IngestRun:
    """A census loaded by the real ingest job, as `observatory ingest census` does."""
    table, spec = write_census(folder, year)
    return ingest_census(store, table, CITY.slug, spec)


def seed_events(store: Store) -> gpd.GeoDataFrame:
    """Six fire incidents (one awaiting review) around the four districts, over 2025."""
    events = gpd.GeoDataFrame(
        {
            "id": [f"fire-{i}" for i in range(6)],
            "layer": "fire",
            "occurred_at": pd.to_datetime([f"2025-0{m}-10T12:00Z" for m in range(1, 7)]),
            "attributes": ['{"cause": "كهرباء"}'] + ["{}"] * 5,
            "status": ["published"] * 5 + ["submitted"],
        },
        geometry=shapely.points(
            [
                (34.975, 32.185),
                (34.976, 32.186),
                (34.985, 32.185),
                (34.995, 32.182),
                (35.005, 32.188),
                (34.975, 32.185),
            ]
        ),
        crs="EPSG:4326",
    )
    store.load(IngestRun(CITY.slug, "events", "fires.csv", "fires-1"), events=events)
    return events
