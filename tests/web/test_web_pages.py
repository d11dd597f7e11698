"""The pages served by the app on a real store of each backend: language and direction,
pickers, suppressed values, district profiles, the officer's sign-in and ingest runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box

from observatory.app import create_app
from observatory.keys import create_api_key
from observatory.models import City, IngestRun, RejectedRow
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store

CITY = City(slug="nablus", name_en="Nablus", name_ar="نابلس", country="PS",
            local_crs="EPSG:28191", population=160000)
DISTRICTS = {  # code: (name_en, name_ar)
    "N1": ("Old City", "البلدة القديمة"),
    "N2": ("Rafidia", "رفيديا"),
    "N3": ("<script>alert(1)</script>", "{{ 7*7 }}"),
}
SUPPRESSED_SHARE = 0.987  # never shown: 98.7% must not appear on a public page


def _shares(period: str, values: list[float], suppressed: set[str] = frozenset()) -> pd.DataFrame:
    codes = list(DISTRICTS)
    return pd.DataFrame({
        "district_code": [*codes, None], "period": period,
        "indicator_id": "foreign_citizens_share", "value": [*values, 0.25],
        "score": None, "coverage": 1.0,
        "suppressed": [c in suppressed for c in codes] + [False], "definition_hash": "test",
    })


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    """The city, a boundaries run with one rejected row, two periods of shares, two keys."""
    store.upsert_city(CITY)
    districts = gpd.GeoDataFrame(
        {"code": list(DISTRICTS), "name_en": [en for en, _ in DISTRICTS.values()],
         "name_ar": [ar for _, ar in DISTRICTS.values()], "area_m2": [1.5e6, 2.0e6, 0.5e6]},
        geometry=[box(35.25 + i * 0.01, 32.21, 35.26 + i * 0.01, 32.22) for i in range(3)],
        crs="EPSG:4326",
    )
    run = store.load(
        IngestRun(CITY.slug, "boundaries", "nablus_districts.geojson", "hash-1"),
        districts=districts,
        rejected=[RejectedRow(4, "DISTRICT_CODE", "empty district code: fill it in", "4;;Askar")],
    )
    store.put_indicator_values(CITY.slug, _shares("2024", [0.05, 0.10, 0.20]))
    store.put_indicator_values(CITY.slug, _shares("2025", [0.06, SUPPRESSED_SHARE, 0.21],
                                                  suppressed={"N2"}))
    return {"run": run.id, "planner": create_api_key(store, "planner", "tests: field worker"),
            "officer": create_api_key(store, "officer", "tests: officer")}


@pytest.fixture
def client(seeded: dict[str, str], store_url: str) -> Iterator[TestClient]:
    app = create_app(StoreSettings(database_url=store_url), ApiSettings())
    with TestClient(app) as test_client:
        yield test_client


def _html_tag(text: str) -> str:
    return re.search(r"<html[^>]*>", text).group(0)


def _row(text: str, attribute: str) -> str:
    """The inner HTML of the table row with ``attribute`` (e.g. data-code="N2")."""
    return re.search(rf"<tr {attribute}[^>]*>(.*?)</tr>", text, re.DOTALL).group(1)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]


def test_home_leads_to_the_only_city_and_the_city_list_in_each_language(client, store):
    # One city: a newcomer lands on its dashboard, in the language of the address.
    for path, target in (("/", "/en/cities/nablus"), ("/en", "/en/cities/nablus"),
                         ("/ar", "/ar/cities/nablus")):
        home = client.get(path, follow_redirects=False)
        assert home.status_code == 307 and home.headers["location"] == target, path
    # Two cities: the list of them.
    store.upsert_city(City(slug="jenin", name_en="Jenin", name_ar="جنين", country="PS",
                           local_crs="EPSG:32636"))
    for path, target in (("/", "/en/cities"), ("/en", "/en/cities"), ("/ar", "/ar/cities")):
        home = client.get(path, follow_redirects=False)
        assert home.status_code == 307 and home.headers["location"] == target, path
    english = client.get("/en/cities")
    assert _html_tag(english.text) == '<html lang="en" dir="ltr">'
    assert 'href="/en/cities/nablus">Nablus</a>' in english.text
    arabic = client.get("/ar/cities")
    assert _html_tag(arabic.text) == '<html lang="ar" dir="rtl">'
    assert 'href="/ar/cities/nablus">نابلس</a>' in arabic.text
    assert "مرصد بيانات الهجرة" in arabic.text
    assert client.get("/fr/cities").status_code == 422


def test_dashboard_picks_the_latest_period_and_hides_suppressed_values(client):
    page = client.get("/en/cities/nablus")
    assert page.status_code == 200
    assert 'src="/maps/nablus/foreign_citizens_share?period=2025&amp;lang=en"' in page.text
    assert '<option value="2025" selected>' in page.text
    assert '<option value="foreign_citizens_share" selected>' in page.text
    assert "suppressed" in _row(page.text, 'data-code="N2"')
    assert "98.7%" not in page.text
    assert "6.0%" in page.text and "25.0%" in page.text  # a district and the whole city
    arabic = client.get("/ar/cities/nablus")
    assert "محجوب" in _row(arabic.text, 'data-code="N2"')
    # Arabic district names first on Arabic pages.
    assert re.search(r">البلدة القديمة</a>\s*<span class=\"muted\">Old City</span>", arabic.text)


def test_dashboard_falls_back_from_unknown_choices(client):
    page = client.get("/en/cities/nablus", params={"indicator": "nonsense", "period": "1900"})
    assert page.status_code == 200
    assert 'src="/maps/nablus/foreign_citizens_share?period=2025&amp;lang=en"' in page.text
    older = client.get("/en/cities/nablus", params={"period": "2024"})
    assert "period=2024" in older.text and "20.0%" in older.text


def test_language_toggle_keeps_city_indicator_and_period(client):
    page = client.get("/en/cities/nablus", params={"indicator": "foreign_citizens_share",
                                                   "period": "2024"})
    toggle = re.search(r'<a id="language-toggle"[^>]*href="([^"]+)"', page.text).group(1)
    assert toggle == "/ar/cities/nablus?indicator=foreign_citizens_share&amp;period=2024"
    back = client.get("/ar/cities/nablus/districts/N1", params={"period": "2024"})
    toggle = re.search(r'<a id="language-toggle"[^>]*href="([^"]+)"', back.text).group(1)
    assert toggle == "/en/cities/nablus/districts/N1?period=2024"


def test_district_names_are_escaped_never_evaluated(client):
    for lang in ("en", "ar"):
        page = client.get(f"/{lang}/cities/nablus")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "{{ 7*7 }}" in page.text and ">49<" not in page.text


def test_district_profile_puts_the_city_value_beside_the_district(client):
    page = client.get("/en/cities/nablus/districts/N1")
    cells = _cells(_row(page.text, 'data-indicator="foreign_citizens_share"'))
    assert cells[1:4] == ["2025", "6.0%", "25.0%"]
    assert "1.50 km²" in page.text
    suppressed = client.get("/ar/cities/nablus/districts/N2", params={"period": "2025"})
    assert _html_tag(suppressed.text) == '<html lang="ar" dir="rtl">'
    assert "محجوب" in suppressed.text and "98.7%" not in suppressed.text
    earlier = client.get("/en/cities/nablus/districts/N2", params={"period": "2024"})
    assert "10.0%" in earlier.text
    assert client.get("/en/cities/nablus/districts/N9").status_code == 404


def test_ingest_runs_need_an_officer_signed_in(client, seeded):
    refused = client.get("/en/cities/nablus/runs")
    assert refused.status_code == 401
    assert 'id="sign-in"' in refused.text and "officer" in refused.text

    client.post("/en/sign-in", data={"key": seeded["planner"],
                                     "next_url": "/en/cities/nablus/runs"})
    too_low = client.get("/en/cities/nablus/runs")
    assert too_low.status_code == 403 and "planner" in too_low.text

    signed_in = client.post("/en/sign-in", data={"key": seeded["officer"],
                                                 "next_url": "/en/cities/nablus/runs"},
                            follow_redirects=False)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/en/cities/nablus/runs"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    runs = client.get("/en/cities/nablus/runs")
    assert runs.status_code == 200 and "nablus_districts.geojson" in runs.text
    assert f'/en/cities/nablus/runs/{seeded["run"]}"' in runs.text
    run = client.get(f"/ar/cities/nablus/runs/{seeded['run']}")
    assert "الصفوف المرفوضة" in run.text
    assert "empty district code: fill it in" in run.text and "DISTRICT_CODE" in run.text
    assert client.get("/en/cities/nablus/runs/no-such-run").status_code == 404

    client.post("/en/sign-out")
    assert client.get("/en/cities/nablus/runs").status_code == 401


def test_sign_in_refuses_unknown_keys_and_other_sites(client, seeded):
    unknown = client.post("/en/sign-in", data={"key": "not-a-key", "next_url": "/en/cities"})
    assert unknown.status_code == 401 and "not known" in unknown.text
    elsewhere = client.post("/en/sign-in", data={"key": seeded["officer"],
                                                 "next_url": "//evil.example/steal"},
                            follow_redirects=False)
    assert elsewhere.headers["location"] == "/en/cities"


def test_field_form_posts_to_the_field_report_api(client):
    page = client.get("/ar/cities/nablus/field")
    assert _html_tag(page.text) == '<html lang="ar" dir="rtl">'
    assert '"submit_url": "/cities/nablus/field-reports"' in page.text
    assert '<option value="waste">النفايات</option>' in page.text
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page.text
    assert client.get("/web/static/field.js").status_code == 200


def test_pages_load_nothing_from_other_sites(client):
    for url in ("/en/cities", "/en/cities/nablus", "/ar/cities/nablus/districts/N1",
                "/en/cities/nablus/field", "/en/sign-in"):
        page = client.get(url)
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/") for s in sources), (url, sources)
