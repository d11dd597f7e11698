import geopandas as gpd
import numpy as np
import shapely

from observatory.demo.city import CENTRE_LON_LAT
from observatory.demo.geography import local_centre
from observatory.demo.incidents import hotspot_centres


def test_about_three_thousand_incidents_in_three_layers(demo, districts) -> None:
    incidents = gpd.read_file(demo.incidents)
    assert incidents.crs.to_epsg() == 4326
    assert 2_500 <= len(incidents) <= 3_500 and incidents["id"].is_unique
    assert set(incidents["layer"]) == {"fire", "waste", "carjacking"}
    assert incidents.geometry.geom_type.eq("Point").all()
    city = shapely.union_all(districts.geometry.values).buffer(1.0)
    assert incidents.to_crs(districts.crs).within(city).all()
    assert incidents["time"].astype(str).str.startswith("2025-").all()


def test_each_layer_has_its_hot_spot_at_the_planted_centre(demo, districts) -> None:
    incidents = gpd.read_file(demo.incidents).to_crs(districts.crs)
    city_area = shapely.union_all(districts.geometry.values).area
    centres = hotspot_centres(local_centre(CENTRE_LON_LAT, demo.city.local_crs))
    radius = 750.0
    for layer, (cx, cy) in centres.items():
        points = incidents[incidents["layer"] == layer].geometry
        near = np.hypot(points.x - cx, points.y - cy) < radius
        density_near = near.sum() / (np.pi * radius**2)
        density_elsewhere = (~near).sum() / (city_area - np.pi * radius**2)
        assert density_near > 20 * density_elsewhere, layer
