"""Heat maps of a layer's published events: a COG rasterio reads, a PNG overlay with its
lon/lat bounds, per-capita surfaces that need residents."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from api_access import seed_census, seed_events
from api_seed import CITY
from fastapi.testclient import TestClient
from rasterio.io import MemoryFile

from observatory.store import Store

URL = f"/cities/{CITY.slug}/heatmaps/fire"
PARAMS = {"bandwidth": "300", "cell": "50"}


@pytest.fixture
def fires(seeded: Store) -> Store:
    seed_events(seeded)
    return seeded


def test_geotiff_is_a_cloud_optimised_density_in_the_local_crs(api: TestClient, fires, tmp_path):
    response = api.get(f"{URL}.tif", params=PARAMS)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/tiff")
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "heat.tif"
    path.write_bytes(response.content)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 28191 and src.res == (50.0, 50.0)
        assert src.profile["tiled"] and src.dtypes[0] == "float32"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        density = src.read(1)
    # Events per km² over 50 m cells integrate to the 5 published fires (less edge loss).
    assert 4.5 < density.sum() * 0.05**2 <= 5.0 + 1e-6


# The PNG is placed by its bounds, so it has no georeference of its own.
@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_png_overlay_decodes_and_says_where_it_goes(api: TestClient, fires):
    png = api.get(f"{URL}.png", params={**PARAMS, "ramp": "magma"})
    facts = api.get(f"{URL}.json", params=PARAMS).json()

    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    with MemoryFile(png.content) as memory, memory.open() as image:
        assert image.count == 4 and (image.width, image.height) == (facts["width"], facts["height"])
        alpha = image.read(4)
    assert alpha.max() == 255 and alpha.min() == 0  # see-through where there is no fire
    west, south, east, north = map(float, png.headers["x-bounds"].split(","))
    assert west < 34.975 and east > 35.005 and south < 32.182 and north > 32.188
    assert facts["bounds"] == pytest.approx([west, south, east, north], abs=1e-6)
    assert (facts["points"], facts["bandwidth_m"], facts["unit"]) == (5, 300.0, "events per km²")


def test_time_window_and_bandwidth_rules(api: TestClient, fires):
    spring = api.get(
        f"{URL}.json",
        params={**PARAMS, "start": "2025-03-01T00:00:00Z", "end": "2025-05-01T00:00:00Z"},
    ).json()
    assert spring["points"] == 2
    scott = api.get(f"{URL}.json", params={"bandwidth": "scott", "cell": "50"}).json()
    assert scott["bandwidth_m"] > 50
    bad = api.get(f"{URL}.json", params={"bandwidth": "wide"})
    assert bad.status_code == 422 and "scott" in bad.json()["detail"]
    huge = api.get(f"{URL}.json", params={"bandwidth": "300", "cell": "0.5"})
    assert huge.status_code == 422 and "use cell=" in huge.json()["detail"]
    nothing = api.get(f"{URL}.json", params={**PARAMS, "start": "2030-01-01T00:00:00Z"})
    assert nothing.status_code == 404


def test_per_capita_needs_residents_and_then_gives_a_rate(api: TestClient, fires: Store, tmp_path):
    refused = api.get(f"{URL}.json", params={**PARAMS, "per_capita": "true"})
    assert refused.status_code == 422
    assert "observatory ingest census" in refused.json()["detail"]

    seed_census(fires, tmp_path)
    rate = api.get(f"{URL}.tif", params={**PARAMS, "per_capita": "true"})
    assert rate.status_code == 200
    with MemoryFile(rate.content) as memory, memory.open() as src:
        values = src.read(1)
    assert np.isfinite(values).any() and np.nanmax(values) > 0
    facts = api.get(f"{URL}.json", params={**PARAMS, "per_capita": "true"}).json()
    assert facts["unit"] == "events per 1,000 residents"
