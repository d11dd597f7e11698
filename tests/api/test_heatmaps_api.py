"""Heat maps of a layer's published events: a COG rasterio reads, a PNG overlay with its
lon/lat bounds, per-capita surfaces that need residents."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from api_access import seed_census, seed_events
from api_seed import CITY
from fastapi.testclient import TestClient
from pyproj import Geod, Transformer
from rasterio.io import MemoryFile

from maps.heat import ramp_lut
from observatory.models import City, IngestRun
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
        assert image.count == 4
        assert (image.width, image.height) == (facts["image_width"], facts["image_height"])
        alpha = image.read(4)
    assert alpha.max() == 255 and alpha.min() == 0  # see-through where there is no fire
    west, south, east, north = map(float, png.headers["x-bounds"].split(","))
    assert west < 34.975 and east > 35.005 and south < 32.182 and north > 32.188
    assert facts["bounds"] == pytest.approx([west, south, east, north], abs=1e-6)
    assert (facts["events"], facts["bandwidth_m"], facts["unit"]) == (5, 300.0, "per_km2")
    assert (facts["crs"], facts["cell_m"]) == ("EPSG:28191", 50.0)


def test_time_window_and_bandwidth_rules(api: TestClient, fires):
    spring = api.get(
        f"{URL}.json",
        params={**PARAMS, "start": "2025-03-01T00:00:00Z", "end": "2025-05-01T00:00:00Z"},
    ).json()
    assert spring["events"] == 2
    march = api.get(f"{URL}.json", params={**PARAMS, "start": "2025-03-10", "end": "2025-04-10"})
    assert march.json()["events"] == 2  # a day alone is the whole day, the end day included
    scott = api.get(f"{URL}.json", params={"bandwidth": "scott", "cell": "50"}).json()
    assert scott["bandwidth_m"] > 50
    bad = api.get(f"{URL}.json", params={"bandwidth": "wide"})
    assert bad.status_code == 422 and "scott" in bad.json()["detail"]
    huge = api.get(f"{URL}.json", params={"bandwidth": "300", "cell": "0.5"})
    assert huge.status_code == 422 and "use a cell size of" in huge.json()["detail"]
    # An empty window is an empty surface on the same grid: pages compare windows.
    nothing = api.get(f"{URL}.json", params={**PARAMS, "start": "2030-01-01T00:00:00Z"})
    assert nothing.status_code == 200
    assert (nothing.json()["events"], nothing.json()["peak"]) == (0, 0.0)
    assert nothing.json()["bounds"] == api.get(f"{URL}.json", params=PARAMS).json()["bounds"]
    unknown = api.get(f"/cities/{CITY.slug}/heatmaps/carjacking.json", params=PARAMS)
    assert unknown.status_code == 404 and "no published 'carjacking' events" in unknown.text


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
    assert facts["unit"] == "per_1000_residents"


def _lonlat_of_pixel(row: float, col: float, shape, bounds) -> tuple[float, float]:
    """Where Leaflet draws pixel (row, col) of an image overlay at ``bounds`` (west, south,
    east, north): linearly between the corners in Web Mercator."""
    west, south, east, north = bounds
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform([west, east], [south, north])
    height, width = shape
    x = x0 + (x1 - x0) * (col + 0.5) / width
    y = y1 - (y1 - y0) * (row + 0.5) / height
    return to_merc.transform(x, y, direction="INVERSE")


# A city whose local grid is turned against north: UTM 37N at 35° E, about 2° of convergence.
ROTATED = City(
    slug="rotated", name_en="Rotated", name_ar="مدينة مائلة", country="PS", local_crs="EPSG:32637"
)


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_png_draws_a_planted_cluster_where_it_is_within_one_cell(api: TestClient, seeded: Store):
    """A tight cluster at the eastern corner of 10 km of scattered fires. Drawn north-up
    between its lon/lat corners without warping, the rotated local grid put the cluster
    about 300 m off."""
    rng = np.random.default_rng(11)
    cluster = np.array([35.06, 32.23])
    lonlat = np.vstack(
        [
            cluster + rng.normal(0, 1e-4, (300, 2)),
            rng.uniform((34.95, 32.15), (35.05, 32.24), (60, 2)),
        ]
    )
    seeded.upsert_city(ROTATED)
    events = gpd.GeoDataFrame(
        {
            "id": [f"planted-{i}" for i in range(len(lonlat))],
            "layer": "fire",
            "occurred_at": pd.Timestamp("2025-05-01T12:00Z"),
            "attributes": "{}",
            "status": "published",
        },
        geometry=shapely.points(lonlat),
        crs="EPSG:4326",
    )
    seeded.load(IngestRun(ROTATED.slug, "events", "planted.csv", "planted-1"), events=events)
    cell = 25.0

    response = api.get(
        f"/cities/{ROTATED.slug}/heatmaps/fire.png",
        params={"bandwidth": "60", "cell": str(cell), "ramp": "viridis"},
    )

    assert response.status_code == 200
    bounds = tuple(map(float, response.headers["x-bounds"].split(",")))
    with MemoryFile(response.content) as memory, memory.open() as image:
        rgba = np.moveaxis(image.read(), 0, -1)
    top = ramp_lut("viridis")[255][:3]
    hits = np.argwhere((rgba[..., :3] == top).all(axis=-1) & (rgba[..., 3] == 255))
    assert len(hits), "the peak colour is drawn nowhere"
    drawn = _lonlat_of_pixel(*hits.mean(axis=0), rgba.shape[:2], bounds)
    _, _, metres = Geod(ellps="WGS84").inv(*drawn, *lonlat[:300].mean(axis=0))
    assert metres <= cell, f"the cluster is drawn {metres:.0f} m from where it is"
