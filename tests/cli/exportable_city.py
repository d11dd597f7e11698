"""A city a benchmark bundle can be exported from: one current, published city value."""

from __future__ import annotations

import pandas as pd

from indicators.definitions import load_definitions
from observatory.models import City
from observatory.store import open_store

SLUG = "tarsus"


def add_exportable_city(url: str) -> None:
    """Add the city ``tarsus`` with one published city value to the store at ``url``."""
    store = open_store(url)
    store.upsert_city(City(SLUG, "Tarsus", "طرسوس", "TR", "EPSG:32636", 350_000))
    store.put_indicator_values(SLUG, pd.DataFrame([{
        "district_code": None, "period": "2024", "indicator_id": "foreign_citizens_share",
        "value": 0.0512, "score": None, "coverage": 1.0, "suppressed": False,
        "definition_hash": load_definitions()["foreign_citizens_share"].hash}]))
    store.close()
