"""The pages of a city with two levels and a redrawn boundary, on both stores: the level
switch, carried values marked with their method (English and Arabic), the profile's parent and
child areas, and the changed-boundaries page the dashboard links to."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from two_level_city import CARRIED, CITY, seed_two_levels

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store

BASE = f"/{{lang}}/cities/{CITY.slug}"


@pytest.fixture
def client(store: Store, store_url: str) -> Iterator[TestClient]:
    seed_two_levels(store)
    with TestClient(create_app(StoreSettings(database_url=store_url), ApiSettings())) as client:
        yield client


def _switch(page: str) -> list[str]:
    nav = re.search(r'<nav id="level-switch".*?</nav>', page, re.DOTALL).group(0)
    return re.findall(r'data-level="(\w+)"', nav)


def test_dashboard_switches_level_and_marks_carried_values(client: TestClient):
    top = client.get(BASE.format(lang="en")).text
    assert _switch(top) == ["district", "neighbourhood"]
    assert 'aria-current="page" data-level="district"' in top
    assert 'id="estimate-note"' not in top
    assert f'href="/en/cities/{CITY.slug}/boundaries"' in top
    carried = client.get(BASE.format(lang="ar"),
                         params={"level": "neighbourhood", "period": "2018"}).text
    assert 'dir="rtl"' in carried and "level=neighbourhood" in carried
    assert "القيم المعلّمة بالرمز ≈ تقديرية" in carried and CARRIED in carried
    assert carried.count('class="estimated"') == 8
    assert client.get(BASE.format(lang="en"), params={"level": "ward"}).status_code == 404


def test_profile_links_its_parent_and_children(client: TestClient):
    district = client.get(f"{BASE.format(lang='en')}/districts/3").text
    children = re.search(r'<nav id="child-areas".*?</nav>', district, re.DOTALL).group(0)
    assert re.findall(r'districts/(\w+)\?level=neighbourhood', children) == ["31", "32"]
    quarter = client.get(f"{BASE.format(lang='ar')}/districts/31",
                         params={"level": "neighbourhood", "period": "2018"}).text
    assert re.search(r'يقع ضمن \(المناطق\): <a href="[^"]*/districts/3\?level=district">'
                     r"المنطقة 3</a>", quarter)
    assert 'class="estimated"' in quarter and 'id="estimate-note"' in quarter


def test_changed_boundaries_page(client: TestClient):
    page = client.get(f"{BASE.format(lang='ar')}/boundaries").text
    assert f'src="/maps/{CITY.slug}/boundaries/neighbourhood/2015-01-01?lang=ar"' in page
    assert re.search(r'data-kind="recoded"><bdi dir="ltr">X12 → 12</bdi>', page)
    assert re.search(r'data-kind="split"><bdi>30</bdi>', page)
    assert page.count('data-from="30"') == 2
