"""The comparison page on a real store of each backend (one test: the seeding is the cost):
both languages and directions, the pickers, the ranks of the peer group chosen, the flags and
marks, the within-city spread, a refused custom group and the report route."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from peer_cities import H, seed_peer_cities

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store


@pytest.fixture
def site(store: Store, store_url: str) -> Iterator[TestClient]:
    seed_peer_cities(store)
    with TestClient(create_app(StoreSettings(database_url=store_url), ApiSettings())) as client:
        yield client


def _ranks(html: str, indicator: str) -> dict[str, str]:
    row = re.search(rf'<tr data-indicator="{re.escape(indicator)}">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    return dict(re.findall(r'data-city="(\w+)" data-rank="(\d*)"', row.group(1)))


def test_the_page_compares_in_both_languages_and_follows_the_peer_group(site, store):
    # Beta's 2024 equity is its 2023 value carried on (a definition's holds_for).
    store.put_indicator_values("beta", pd.DataFrame([{
        "district_code": None, "period": "2024", "indicator_id": "cpi.equity", "value": 50.0,
        "score": 50.0, "coverage": 1.0, "suppressed": False, "definition_hash": H,
        "estimate": "latest available value, carried from 2023 (holds for 4 years)"}]))
    everyone = site.get("/en/compare")
    large = site.get("/en/compare", params={"city": ["alpha", "gamma"],
                                            "peer_group": "over-200k"})
    arabic = site.get("/ar/compare", params={"city": ["alpha", "beta"],
                                             "indicator": ["cpi", "cpi.equity"]})

    assert everyone.status_code == large.status_code == arabic.status_code == 200
    assert _ranks(everyone.text, "cpi") == {"alpha": "3", "beta": "2", "delta": "",
                                            "gamma": "1"}
    assert _ranks(large.text, "cpi") == {"alpha": "2", "gamma": ""}
    assert "outside the group" in large.text and "low coverage" in everyone.text
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "مقارنة المدن" in arabic.text and "مؤشر ازدهار المدن" in arabic.text
    assert re.findall(r'<tr data-indicator="([\w.]+)">', arabic.text) == ["cpi", "cpi.equity"]
    equity = re.search(r'<tr data-indicator="cpi.equity">(.*?)</tr>', arabic.text, re.DOTALL)
    assert equity and re.search(r'data-city="beta"[^>]*>\s*50[^<]*<span class="carried" '
                                r'title="‡ آخر قيمة متاحة[^"]*">‡ 2023</span>', equity.group(1))
    assert 'class="carried"' not in re.search(r'<tr data-indicator="cpi">(.*?)</tr>',
                                              arabic.text, re.DOTALL).group(1)
    assert 'class="bars"' in arabic.text and 'data-series="city"' in arabic.text  # the radar
    assert "/compare?cities=alpha%2Cbeta" in arabic.text  # the downloads keep the choice
    # no census counts in these cities: the page names those without segregation measures
    assert re.search(r'id="no-segregation">لا توجد أعداد تعداد[^<]*: ألفا, بيتا</p>',
                     arabic.text)
    spread = site.get("/en/compare", params={"city": ["alpha"],
                                             "indicator": ["foreign_born_share"]}).text
    assert re.search(r'<tr data-indicator="foreign_born_share" data-city="alpha">.*?'
                     r"30\.0%</td><td class=\"number\">5</td>", spread, re.DOTALL)
    unreadable = site.get("/en/compare", params={"custom": "population:abc"})
    assert unreadable.status_code == 422
    assert "population:abc is not a range MIN-MAX" in unreadable.text
    report = site.get("/ar/compare/report", params={"city": "gamma", "format": "html"})
    assert report.status_code == 200
    assert "تقرير المقارنة المرجعية للمدينة: غاما" in report.text
