"""The data version: every write raises it in its own transaction, a rolled-back one does not,
and another store object on the same database (as a CLI beside the server) sees it at once."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from observatory.models import Attachment, City, IngestRun
from observatory.store import Store, open_store

CITY = City(slug="zarqa", name_en="Zarqa", name_ar="الزرقاء", country="JO",
            local_crs="EPSG:32637")


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": ["01"], "name_en": ["One"], "name_ar": ["واحد"],
                             "area_m2": [1.0]},
                            geometry=[shapely.box(36.0, 32.0, 36.01, 32.01)], crs="EPSG:4326")


def _event() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["e1"], "layer": ["fire"],
                             "occurred_at": pd.to_datetime(["2025-01-01T00:00Z"]),
                             "attributes": ["{}"], "status": ["submitted"]},
                            geometry=shapely.points([(36.005, 32.005)]), crs="EPSG:4326")


def _values() -> pd.DataFrame:
    return pd.DataFrame({"district_code": ["01"], "period": ["2025"], "indicator_id": ["x"],
                         "value": [0.5], "score": [None], "coverage": [1.0],
                         "suppressed": [False], "definition_hash": ["h"]})


def test_every_write_raises_the_version_and_others_see_it(store: Store, store_url: str):
    writes = [
        lambda s: s.upsert_city(CITY),
        lambda s: s.load(IngestRun(CITY.slug, "boundaries", "d.geojson", "h1"),
                         districts=_districts()),
        lambda s: s.add_event(CITY.slug, _event(), "anonymous"),
        lambda s: s.set_event_status("e1", "published"),
        lambda s: s.add_attachment(Attachment("a1", "e1", "0" * 64, "image/jpeg", 3, "p")),
        lambda s: s.add_api_key("k" * 64, "officer", "a key"),
        lambda s: s.put_indicator_values(CITY.slug, _values()),
    ]
    other = open_store(store_url)  # the CLI beside the server: its own connections
    try:
        seen = [store.data_version()]
        for write in writes:
            write(other)
            seen.append(store.data_version())
        assert seen == list(range(seen[0], seen[0] + len(writes) + 1))
    finally:
        other.close()


def test_a_rolled_back_write_leaves_the_version(store: Store):
    store.upsert_city(CITY)
    before = store.data_version()
    with pytest.raises(RuntimeError, match="half-way"), store._transaction() as con:
        store._execute(con, "bump_data_version")
        raise RuntimeError("the ingest broke half-way")
    assert store.data_version() == before
