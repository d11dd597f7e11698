"""``observatory export`` writes the files the API serves: a GeoPackage with the values the
API's features give the same role, and the heat surface as the API's Cloud-Optimised
GeoTIFF, read back with pyogrio and rasterio."""

from __future__ import annotations

import math

import numpy as np
import pyogrio
import pytest
import rasterio
from api_access import seed_events
from api_seed import CITY
from typer.testing import CliRunner

from observatory.cli import app

pytestmark = pytest.mark.parametrize("store_url", ["duckdb"], indirect=True)


def _export(store_url: str, *args: str):
    return CliRunner().invoke(app, ["--database-url", store_url, "export", "--city", CITY.slug,
                                    *args], env={"COLUMNS": "300"})


def test_the_cli_writes_the_layer_and_the_heat_surface_the_api_serves(client, seeded,
                                                                      store_url, tmp_path):
    api = client.get(f"/collections/{CITY.slug}.indicator.foreign_citizens_share/items",
                     params={"period": "2024", "limit": 100}).json()["features"]
    out = tmp_path / "layer.gpkg"
    result = _export(store_url, "--indicator", "foreign_citizens_share", "--period", "2024",
                     "--format", "gpkg", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 4 areas of qalqilya-foreign_citizens_share-2024" in result.output
    frame = pyogrio.read_dataframe(out).set_index("code")
    for feature in api:
        row = frame.loc[feature["id"]]
        assert row["value"] == feature["properties"]["value"]
        assert row["name_ar"] == feature["properties"]["name_ar"]

    seed_events(seeded)
    tif = tmp_path / "heat.tif"
    result = _export(store_url, "--heat", "fire", "--format", "cog", "--out", str(tif))
    assert result.exit_code == 0, result.output
    served = tmp_path / "served.tif"
    served.write_bytes(client.get(f"/cities/{CITY.slug}/heatmaps/fire.tif").content)
    with rasterio.open(tif) as mine, rasterio.open(served) as theirs:
        assert mine.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert mine.crs == theirs.crs and mine.transform == theirs.transform
        np.testing.assert_array_equal(mine.read(1), theirs.read(1))
        # Events per km² integrate to the events counted: the five published fires.
        cell_km2 = abs(mine.res[0] * mine.res[1]) / 1e6
        assert math.isclose(float(mine.read(1).sum()) * cell_km2, 5, rel_tol=0.02)

    refused = _export(store_url, "--indicator", "foreign_citizens_share", "--format", "cog",
                      "--out", str(tmp_path / "x.tif"))
    assert refused.exit_code == 2
    assert "--format cog with --heat LAYER" in refused.output
