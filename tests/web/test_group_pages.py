"""Choosing the dimension that defines population groups on the pages, both languages, both
stores: the dashboard's group-share chooser and the segregation page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box

from indicators.compute import compute_city
from observatory.app import create_app
from observatory.models import City, IngestRun, canonical_dims
from observatory.settings import ApiSettings, DisclosureSettings, StoreSettings
from observatory.store import Store

CITY = City(slug="qalqilya", name_en="Qalqilya", name_ar="قلقيلية", country="PS",
            local_crs="EPSG:28191", population=55000)
# foreign-born, native-born per district: dissimilarity by hand 1/3 (tests/api)
# Every cell above the threshold: a public segregation measure rests on published cells only.
BORN = [("101", 20, 180), ("102", 60, 140), ("103", 100, 100), ("104", 220, 180)]


@pytest.fixture
def client(store: Store, store_url: str) -> Iterator[TestClient]:
    store.upsert_city(CITY)
    districts = gpd.GeoDataFrame(
        {"code": [code for code, _, _ in BORN], "name_en": "", "name_ar": "", "area_m2": 1e6},
        geometry=[box(34.97 + i * 0.01, 32.18, 34.98 + i * 0.01, 32.19) for i in range(4)],
        crs="EPSG:4326")
    store.load(IngestRun(CITY.slug, "boundaries", "districts.geojson", "d"), districts=districts)
    rows = [{"district_code": code, "period": "2026", "variable": "population_by_birthplace",
             "dims": canonical_dims({"birthplace": group}), "value": value, "unit": "persons"}
            for code, foreign, native in BORN
            for group, value in (("foreign_born", foreign), ("native_born", native))]
    store.load(IngestRun(CITY.slug, "census", "birthplace.csv", "b"),
               observations=pd.DataFrame(rows))
    compute_city(store, CITY.slug, DisclosureSettings(), framework="demography")
    app = create_app(StoreSettings(database_url=store_url), ApiSettings())
    with TestClient(app) as test_client:
        yield test_client


def _text(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>(.*?)</(?:h2|select|table)>', html, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_dashboard_and_segregation_page_choose_the_dimension_and_group(client):
    page = client.get(f"/en/cities/{CITY.slug}", params={"dimension": "birthplace"}).text
    # no group named: the first one but the reference group (native-born)
    assert _text(page, "indicator-heading") == (
        "Share of residents by place of birth: Foreign-born (2026)")
    assert 'value="birthplace" selected' in page and 'value="foreign_born" selected' in page
    assert 'href="/en/cities/qalqilya/segregation?dimension=birthplace"' in page
    arabic = client.get(f"/ar/cities/{CITY.slug}",
                        params={"dimension": "birthplace", "group": "native_born"}).text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert _text(arabic, "indicator-heading") == (
        "نسبة السكان حسب مكان الولادة: المولودون في البلد (2026)")
    assert "مكان الولادة" in _text(arabic, "share-dimension")

    page = client.get(f"/en/cities/{CITY.slug}/segregation",
                      params={"dimension": "birthplace", "group": "foreign_born"}).text
    assert _text(page, "segregation-heading") == "Foreign-born — Place of birth (2026)"
    table = _text(page, "segregation-table")
    assert "Dissimilarity index 0.333" in table  # 1/3 by hand, rounded for the public
    assert "4 areas" in page and "220" not in table  # no counts on a public page
    arabic = client.get(f"/ar/cities/{CITY.slug}/segregation").text
    assert '<html lang="ar" dir="rtl">' in arabic
    # defaults: the only dimension carried, and everyone but the reference group
    assert _text(arabic, "segregation-heading") == (
        "الجميع عدا: المولودون في البلد — مكان الولادة (2026)")
    assert "مؤشر التباين (الاختلاف) 0.333" in _text(arabic, "segregation-table")
    unknown = client.get(f"/en/cities/{CITY.slug}/segregation", params={"dimension": "caste"})
    assert unknown.status_code == 200 and 'value="birthplace" selected' in unknown.text
