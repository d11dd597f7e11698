"""Boundary files that do not look like the city are refused, on both stores; the officer's
``--replace-boundaries`` (and the loss setting) let a real redraw through. The hostile files
themselves, with their messages, are in the malformed corpus."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries
from observatory.settings import BoundarySettings

CORPUS = Path(__file__).resolve().parent / "malformed"
SETUP = CORPUS / "setup" / "districts.geojson"
SPEC = CORPUS / "specs" / "boundaries.yaml"
CITY = "corpus"


def _codes(store) -> list[str]:
    return sorted(store.districts(CITY)["code"])


def test_replace_boundaries_lets_the_one_feature_file_through(store):
    ingest_boundaries(store, SETUP, CITY)
    one = CORPUS / "boundaries_one_feature.geojson"
    with pytest.raises(IngestError, match="would remove 2 of the 3 current districts"):
        ingest_boundaries(store, one, CITY, SPEC)
    assert _codes(store) == ["01", "02", "03"]
    assert [run.status for run in store.runs(CITY)] == ["succeeded"]  # the refusal wrote nothing
    run = ingest_boundaries(store, one, CITY, SPEC, replace_boundaries=True)
    assert (run.status, run.rows_loaded) == ("succeeded", 1)
    assert _codes(store) == ["01"]


def test_the_loss_setting_decides_how_many_districts_may_go(store):
    ingest_boundaries(store, SETUP, CITY)
    lenient = BoundarySettings(max_boundary_loss=0.7)
    run = ingest_boundaries(store, CORPUS / "boundaries_one_feature.geojson", CITY, SPEC,
                            boundary=lenient)
    assert run.status == "succeeded" and _codes(store) == ["01"]


def test_a_redraw_that_keeps_the_codes_and_the_place_loads(store, tmp_path):
    ingest_boundaries(store, SETUP, CITY)
    districts = gpd.read_file(SETUP)
    districts["geometry"] = districts.geometry.scale(1.02, 1.02)
    redrawn = tmp_path / "redrawn.geojson"
    districts.to_file(redrawn, driver="GeoJSON")
    assert ingest_boundaries(store, redrawn, CITY, SPEC).status == "succeeded"
    assert _codes(store) == ["01", "02", "03"]


def test_without_boundaries_the_citys_events_are_the_reference(store):
    event = gpd.GeoDataFrame({"id": ["e1"], "layer": ["fire"], "occurred_at": ["2025-01-01"],
                              "attributes": ["{}"], "status": ["published"]},
                             geometry=[Point(35.21, 31.905)], crs="EPSG:4326")
    store.add_event(CITY, event, submitter="field")
    assert store.extent(CITY) == pytest.approx((35.21, 31.905, 35.21, 31.905))
    with pytest.raises(IngestError, match="the earlier boundaries and events of 'corpus'.*"
                                          "lat/lon look swapped"):
        ingest_boundaries(store, CORPUS / "boundaries_swapped_lat_lon.geojson", CITY, SPEC)
    assert store.districts(CITY).empty
    assert ingest_boundaries(store, SETUP, CITY).status == "succeeded"


def test_a_new_city_has_nothing_to_compare_with(store):
    assert store.extent("elsewhere") is None
    run = ingest_boundaries(store, CORPUS / "boundaries_swapped_lat_lon.geojson", "elsewhere",
                            SPEC)
    assert run.status == "succeeded"
