"""The Arabic pages: right to left, Arabic words and district names first, same choices."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from observatory.store import open_store

pytestmark = pytest.mark.browser

ARABIC = re.compile(r"[\u0600-\u06FF]")


def test_arabic_dashboard_is_right_to_left(page, site, screenshot):
    page.goto(f"{site.url}/en/cities/demo?indicator=cpi_literacy_rate&period=2022")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    with page.expect_navigation():
        page.click("#language-toggle")

    assert page.url == f"{site.url}/ar/cities/demo?indicator=cpi_literacy_rate&period=2022"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator("#indicator")).to_have_value("cpi_literacy_rate")
    expect(page.locator("#period")).to_have_value("2022")
    assert ARABIC.search(page.locator("h1").inner_text())
    assert ARABIC.search(page.locator("#indicator option:checked").inner_text())
    first_name = page.locator("#district-table tbody tr td a").first.inner_text()
    assert ARABIC.search(first_name), f"Arabic district name first, got {first_name!r}"
    # The map is drawn in Arabic too, and the districts still are.
    expect(page.locator("#dashboard-map")).to_have_attribute("src", re.compile(r"lang=ar"))
    frame = page.frame_locator("#dashboard-map")
    expect(frame.locator("path.leaflet-interactive")).to_have_count(site.districts)
    assert frame.locator("html").get_attribute("dir") == "rtl"
    # Layout mirrors: the site name sits at the right edge of the header.
    header = page.locator(".site-header").bounding_box()
    name = page.locator(".site-name").bounding_box()
    assert name["x"] > header["x"] + header["width"] / 2
    screenshot(page)


def _a_suppressed_value(database_url: str) -> tuple[str, str, str]:
    """(district code, indicator id, period) of a value withheld for small counts whose city
    value is published (a rate's city value is withheld with any of its districts')."""
    store = open_store(database_url)
    try:
        values = store.indicator_values("demo")
    finally:
        store.close()
    city = values[values["district_code"].isna() & ~values["suppressed"].astype(bool)]
    shown = set(zip(city["indicator_id"], city["period"], strict=True))
    hidden = values[values["suppressed"].astype(bool) & values["district_code"].notna()]
    hidden = hidden[[(i, p) in shown for i, p in zip(hidden["indicator_id"], hidden["period"],
                                                       strict=True)]]
    assert not hidden.empty, "the demo city has small counts, so some values are suppressed"
    row = hidden.iloc[0]
    return str(row["district_code"]), str(row["indicator_id"]), str(row["period"])


def test_arabic_profile_marks_suppressed_values(page, site, screenshot):
    code, indicator, period = _a_suppressed_value(site.database_url)
    page.goto(f"{site.url}/ar/cities/demo/districts/{code}?period={period}")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator("#profile-table thead")).to_contain_text("المدينة")
    cells = page.locator(f'#profile-table tr[data-indicator="{indicator}"] td').all_inner_texts()
    assert cells[2] == "محجوب", cells
    assert re.search(r"\d", cells[3]), f"the city value is still shown: {cells}"
    screenshot(page)
