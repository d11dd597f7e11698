from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from indicators.compute import compute_city
from indicators.definitions import ShareFormula, load_definitions
from indicators.shares import share_values
from observatory.models import City, IngestRun, canonical_dims
from observatory.settings import DisclosureSettings

FOREIGN = ShareFormula(kind="share", variable="population", dimension="citizenship",
                       exclude=["national"])


def _obs(rows):
    return pd.DataFrame([
        {"district_code": d, "period": p, "variable": "population",
         "dims": canonical_dims(dims), "value": v, "unit": "persons", "ingest_run": "r1"}
        for d, p, dims, v in rows])


def test_share_per_district_and_city_with_small_counts_suppressed():
    obs = _obs([
        ("A", "2025", {"citizenship": "national", "sex": "male"}, 600),
        ("A", "2025", {"citizenship": "syrian", "sex": "male"}, 300),
        ("A", "2025", {"citizenship": "iraqi", "sex": "female"}, 100),
        ("B", "2025", {"citizenship": "national"}, 990),
        ("B", "2025", {"citizenship": "syrian"}, 10),  # 10 <= 15: suppressed
        ("B", "2025", {}, 5000),  # a totals row without the dimension must not count
    ])
    got = share_values(obs, FOREIGN, min_count=15).set_index(["period", "district_code"],
                                                             drop=False)
    a = got.loc[("2025", "A")]
    assert a["value"] == pytest.approx(0.4) and not a["suppressed"]
    b = got.loc[("2025", "B")]
    assert b["suppressed"] and pd.isna(b["value"])
    city = got[got["district_code"].isna()].iloc[0]
    assert city["value"] == pytest.approx(410 / 2000)
    assert city["total"] == 2000


def test_definitions_load_and_hash_is_stable():
    definitions = load_definitions()
    share = definitions["foreign_citizens_share"]
    assert share.names["ar"]
    assert share.hash == load_definitions()["foreign_citizens_share"].hash
    assert share.hash != share.model_copy(update={"unit": "percent"}).hash


def test_compute_city_stores_values_on_each_backend(store):
    store.upsert_city(City("c", "C", "سي"))
    districts = gpd.GeoDataFrame({"code": ["A", "B"], "name_en": ["A", "B"],
                                  "name_ar": ["أ", "ب"], "area_m2": [1.0, 1.0]},
                                 geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                                 crs="EPSG:4326")
    store.load(IngestRun("c", "boundaries", "b.geojson", "b"), districts=districts)
    obs = _obs([("A", "2025", {"citizenship": "national"}, 700),
                ("A", "2025", {"citizenship": "syrian"}, 300),
                ("B", "2025", {"citizenship": "national"}, 500),
                ("B", "2025", {"citizenship": "syrian"}, 500)]).drop(columns="ingest_run")
    run = store.load(IngestRun("c", "census", "c.csv", "c"), observations=obs)
    assert compute_city(store, "c", DisclosureSettings()) == 3
    got = store.indicator_values("c", "foreign_citizens_share", "2025")
    by_code = dict(zip(got["district_code"].fillna("city"), got["value"]))
    assert by_code == pytest.approx({"city": 0.4, "A": 0.3, "B": 0.5})
    assert set(got["source_runs"]) == {run.id}
    assert set(got["definition_hash"]) == {load_definitions()["foreign_citizens_share"].hash}
