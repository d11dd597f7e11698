"""Parameters past what a city's data can mean are refused with the allowed range (422), not a
server error: the six inputs an attack found answering 500, and their neighbours."""

from __future__ import annotations

import pytest
from api_access import seed_events
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.store import Store

HEAT = f"/cities/{CITY.slug}/heatmaps/fire"
TINY = "5e-324"  # the smallest positive float


@pytest.fixture
def fires(seeded: Store) -> Store:
    seed_events(seeded)
    return seeded


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        (f"/collections/{CITY.slug}.districts/items", {"offset": "9223372036854775808"},
         "less than or equal to 1000000000"),
        (f"/collections/{CITY.slug}.events.fire/items", {"offset": "9223372036854775808"},
         "less than or equal to 1000000000"),
        (f"{HEAT}.png", {"cell": TINY}, "greater than or equal to 0.1"),
        (f"{HEAT}.json", {"cell": TINY}, "greater than or equal to 0.1"),
        (f"/maps/{CITY.slug}/layers/heat.png", {"cell": TINY}, "greater than or equal to 0.1"),
        (f"{HEAT}.tif", {"cell": "1e300"}, "less than or equal to 10000"),
        (f"{HEAT}.json", {"bandwidth": "1e300"}, "metres from 1 to 50000"),
        (f"{HEAT}.json", {"bandwidth": TINY}, "metres from 1 to 50000"),
        (f"{HEAT}.json", {"bandwidth": "nan"}, "metres from 1 to 50000"),
        (f"{HEAT}.json", {"end": "9999-12-31"}, "give a day from 1900-01-01 to 2099-12-31"),
        (f"{HEAT}.json", {"start": "0001-01-01T00:00:00Z"},
         "give a day from 1900-01-01 to 2099-12-31"),
        (f"/maps/{CITY.slug}/layers", {"tolerance": TINY}, "greater than or equal to 0.1"),
        (f"/maps/{CITY.slug}/foreign_citizens_share", {"tolerance": TINY},
         "greater than or equal to 0.1"),
        (f"/maps/{CITY.slug}/hotspots/foreign_citizens_share", {"tolerance": TINY},
         "greater than or equal to 0.1"),
    ],
)
def test_out_of_range_parameters_are_refused_with_the_range(
    api: TestClient, fires, path, params, says
):
    response = api.get(path, params=params)

    assert response.status_code == 422, response.text
    assert says in response.text


def test_the_edges_of_the_ranges_are_answered(api: TestClient, fires):
    assert api.get(f"{HEAT}.json", params={"bandwidth": "50000", "cell": "10000"}).status_code \
        == 200
    assert api.get(f"{HEAT}.json", params={"start": "1900-01-01", "end": "2099-12-31"}) \
        .status_code == 200
    page = api.get(f"/collections/{CITY.slug}.districts/items", params={"offset": 1_000_000_000})
    assert page.status_code == 200 and page.json()["numberReturned"] == 0


@pytest.mark.parametrize("when", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00", "2200-01-01"])
def test_a_field_report_from_another_era_is_refused(api: TestClient, keys: dict, when):
    response = api.post(
        f"/cities/{CITY.slug}/field-reports",
        data={"lon": 34.975, "lat": 32.185, "category": "water", "observed_at": when},
        headers={"X-API-Key": keys["planner"]},
    )

    assert response.status_code == 422
    assert "give a time from 1900-01-01 to now (UTC)" in response.json()["detail"]
