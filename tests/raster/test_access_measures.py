"""Access to welcome services: distances in metres and services per 1,000 foreign residents."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from indicators.access import (
    centres_from_observations,
    nearest_service_distance,
    services_per_1000,
)
from observatory.models import canonical_dims

UTM = "EPSG:32633"


def lonlat_points(xy: list[tuple[float, float]], index=None) -> gpd.GeoDataFrame:
    """Points placed in UTM metres and handed over in EPSG:4326, as the store keeps them."""
    frame = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in xy], crs=UTM, index=index)
    return frame.to_crs("EPSG:4326")


def test_distances_are_hand_computed_metres_from_lon_lat_input():
    centres = lonlat_points([(500_000, 5_000_000), (502_000, 5_000_120)],
                            index=pd.Index(["الشرق", "الغرب"], name="code"))
    services = lonlat_points([(500_300, 5_000_400), (502_000, 5_000_000)])
    distances = nearest_service_distance(centres, services, UTM)
    # 300-400-500 triangle to the first service; 120 m due north of the second.
    assert distances.to_dict() == {"الشرق": pytest.approx(500.0, abs=1e-3),
                                   "الغرب": pytest.approx(120.0, abs=1e-3)}
    assert distances.name == "nearest_service_m"


def test_distances_match_a_brute_force_distance_matrix():
    rng = np.random.default_rng(5)
    centre_xy = rng.uniform([490_000, 4_990_000], [510_000, 5_010_000], size=(60, 2))
    service_xy = rng.uniform([490_000, 4_990_000], [510_000, 5_010_000], size=(250, 2))
    distances = nearest_service_distance(lonlat_points(list(map(tuple, centre_xy))),
                                         lonlat_points(list(map(tuple, service_xy))), UTM)
    matrix = np.hypot(centre_xy[:, None, 0] - service_xy[None, :, 0],
                      centre_xy[:, None, 1] - service_xy[None, :, 1])
    np.testing.assert_allclose(distances.to_numpy(), matrix.min(axis=1), rtol=0, atol=1e-3)


def test_missing_centres_and_no_services_give_nan_not_zero():
    centres = lonlat_points([(500_000, 5_000_000), (501_000, 5_000_000)])
    centres.loc[1, "geometry"] = None
    services = lonlat_points([(500_000, 5_000_100)])
    distances = nearest_service_distance(centres, services, UTM)
    assert distances[0] == pytest.approx(100.0, abs=1e-3) and np.isnan(distances[1])
    assert nearest_service_distance(centres, services.iloc[:0], UTM).isna().all()


def test_distances_refuse_degrees_and_missing_crs():
    centres = lonlat_points([(500_000, 5_000_000)])
    with pytest.raises(ValueError, match="not a projected CRS in metres"):
        nearest_service_distance(centres, centres, "EPSG:4326")
    with pytest.raises(ValueError, match="the services have no CRS"):
        nearest_service_distance(centres, centres.set_crs(None, allow_override=True), UTM)


def four_square_districts() -> gpd.GeoDataFrame:
    """Three 1 km squares side by side (west to east) and a fourth north of the first."""
    squares = [box(500_000 + i * 1000, 5_000_000, 501_000 + i * 1000, 5_001_000) for i in range(3)]
    squares.append(box(500_000, 5_001_000, 501_000, 5_002_000))
    return gpd.GeoDataFrame({"code": ["A", "B", "C", "D"]}, geometry=squares, crs=UTM)


def test_services_per_1000_foreign_residents():
    services = lonlat_points([
        (500_200, 5_000_200), (500_800, 5_000_700),  # in A
        (501_500, 5_000_500),                        # in B
        (501_000, 5_000_300),                        # on the A|B border: counts once, for A
        (520_000, 5_000_000),                        # in no district
    ])
    foreign = pd.Series({"A": 4000, "B": 500, "C": 0})  # D: unknown
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division-by-zero warning either
        rate = services_per_1000(four_square_districts().to_crs("EPSG:4326"), services, foreign)
    assert list(rate.index) == ["A", "B", "C", "D"]
    assert rate["A"] == pytest.approx(3 / 4.0) and rate["B"] == pytest.approx(1 / 0.5)
    assert np.isnan(rate["C"]) and np.isnan(rate["D"])


def test_services_per_1000_counts_zero_services_as_zero_and_refuses_foreign_codes():
    districts = four_square_districts()
    rate = services_per_1000(districts, lonlat_points([(600_000, 5_000_000)]),
                             pd.Series({"A": 10, "B": 10, "C": 10, "D": 10}))
    assert rate.tolist() == [0.0, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="none of which is a district code"):
        services_per_1000(districts, lonlat_points([]), pd.Series({1: 10, 2: 20}))


def test_centres_come_back_from_the_stored_observations():
    dims = canonical_dims({"source": "raster"})
    observations = pd.DataFrame({
        "district_code": ["01", "01", "01", "02", "02"],
        "period": "2025",
        "variable": ["population", "population_centre_lon", "population_centre_lat",
                     "population_centre_lon", "population_centre_lat"],
        "dims": dims,
        "value": [120.0, 15.1, 45.2, 15.3, 45.4],
        "unit": ["persons", "degrees", "degrees", "degrees", "degrees"],
    })
    centres = centres_from_observations(observations)
    assert centres.crs.to_epsg() == 4326 and list(centres.index) == ["01", "02"]
    assert [(p.x, p.y) for p in centres.geometry] == [(15.1, 45.2), (15.3, 45.4)]


def test_centres_of_several_periods_are_refused():
    observations = pd.DataFrame({
        "district_code": ["01", "01"], "period": ["2024", "2025"],
        "variable": ["population_centre_lon", "population_centre_lon"],
        "dims": "{}", "value": [15.1, 15.2], "unit": "degrees",
    })
    with pytest.raises(ValueError, match="several periods"):
        centres_from_observations(observations)
