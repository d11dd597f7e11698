"""Negative pixels (issue 12, point 7): a population is never negative, so such pixels count
as nodata and the run message says how many, on both stores."""

from __future__ import annotations

import pytest
from test_raster_ingest_job import BOXES, CITY, PEOPLE, write_boundaries
from tiny_rasters import write_raster

from ingest.jobs import ingest_boundaries, ingest_raster


def test_negative_pixels_are_nodata_and_reported(store, tmp_path):
    ingest_boundaries(store, write_boundaries(tmp_path, BOXES), CITY, tmp_path / "boundaries.yaml")
    people = PEOPLE.copy()
    people[0, 0] = -43_916.0  # an undeclared nodata value: D29 once summed to -43,916
    people[1, 4] = -9999.0
    raster = write_raster(tmp_path / "population_2025.tif", people)

    run = ingest_raster(store, raster, CITY)

    sums = store.observations(CITY, variables=["population"]).set_index("district_code")["value"]
    assert sums["01"] == pytest.approx(PEOPLE[:, 0:3].sum() - PEOPLE[0, 0])  # left out, not summed
    assert sums["02"] == pytest.approx(PEOPLE[:, 3:6].sum())
    assert (sums >= 0).all()
    assert "2 negative pixels (in districts 01, 02) were treated as nodata" in run.message
