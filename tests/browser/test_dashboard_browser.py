"""The dashboard in a real browser: the districts are drawn, the indicator picker redraws them,
a district's profile shows its values beside the city's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_DISTRICTS = 30
# Leaflet draws each district as one interactive SVG path.
DISTRICT_PATHS = "path.leaflet-interactive"


def _map_state(page) -> dict:
    """What the embedded map shows: fill colour of every district and the legend's text."""
    frame = page.frame_locator("#dashboard-map")
    expect(frame.locator(DISTRICT_PATHS)).to_have_count(DEMO_DISTRICTS)
    return {
        "fills": frame.locator(DISTRICT_PATHS).evaluate_all(
            "paths => paths.map(p => p.getAttribute('fill'))"),
        "legend": frame.locator("#choropleth-legend").inner_text(),
    }


def test_dashboard_draws_every_district(page, site, screenshot):
    assert site.districts == DEMO_DISTRICTS
    page.goto(f"{site.url}/en/cities/demo")
    state = _map_state(page)
    assert len(set(state["fills"])) >= 3, "a choropleth has several classes of colour"
    expect(page.locator("#district-table tbody tr")).to_have_count(DEMO_DISTRICTS)
    expect(page.locator("#indicator")).to_have_value("foreign_citizens_share")
    screenshot(page)


def test_switching_indicator_changes_the_map(page, site, screenshot):
    page.goto(f"{site.url}/en/cities/demo?indicator=foreign_citizens_share&period=2025")
    before = _map_state(page)
    heading = page.locator("#indicator-heading").inner_text()

    with page.expect_navigation():
        page.select_option("#indicator", "cpi_unemployment_rate")
    assert "indicator=cpi_unemployment_rate" in page.url
    after = _map_state(page)

    assert after["legend"] != before["legend"]
    assert after["fills"] != before["fills"]
    assert page.locator("#indicator-heading").inner_text() != heading
    expect(page.locator("#period")).to_have_value("2025")
    # The layered map and the language toggle follow the choice.
    expect(page.locator("#layers-link")).to_have_attribute(
        "href", re.compile(r"indicator=cpi_unemployment_rate"))
    expect(page.locator("#language-toggle")).to_have_attribute(
        "href", "/ar/cities/demo?indicator=cpi_unemployment_rate&period=2025")
    screenshot(page)

    with page.expect_navigation():
        page.select_option("#period", "2019")
    assert _map_state(page)["fills"] != after["fills"]
    expect(page.locator("#indicator-heading")).to_contain_text("2019")


def test_district_profile_shows_the_city_value(page, site, screenshot):
    page.goto(f"{site.url}/en/cities/demo?indicator=foreign_citizens_share&period=2024")
    first = page.locator("#district-table tbody tr").first
    code = first.get_attribute("data-code")
    with page.expect_navigation():
        first.locator("a").click()
    assert page.url.endswith(f"/en/cities/demo/districts/{code}?period=2024")
    row = page.locator('#profile-table tr[data-indicator="foreign_citizens_share"]')
    cells = row.locator("td").all_inner_texts()
    period, value, city_value = cells[1], cells[2], cells[3]
    assert period == "2024"
    assert value.endswith("%") and city_value.endswith("%")
    assert page.locator("#profile-table tbody tr").count() > 20
    screenshot(page)


def test_requests_off_the_machine_are_caught(page, site, offline_guard):
    """The guard every browser test relies on does see a page reaching for another host.
    (On a blank page: the observatory's own pages refuse such a request by their CSP.)"""
    page.goto("about:blank")
    tile = "http://tiles.example.org/12/2000/1500.png"
    with page.expect_event("requestfailed", lambda request: request.url == tile):
        page.evaluate("url => { const img = new Image(); img.src = url; }", tile)
    assert offline_guard.blocked == [tile]
    offline_guard.blocked.clear()  # caught as it should be: not a failure of this test


def test_the_pages_policy_refuses_another_site_and_is_heard(page, site, offline_guard):
    """A page's CSP stops an image from a site no setting names, before any request leaves,
    and the violation reaches the check every browser test ends with."""
    answer = page.goto(f"{site.url}/en/cities")
    assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    tile = "http://tiles.example.org/12/2000/1500.png"
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate("url => { const img = new Image(); img.src = url; }", tile)
    assert offline_guard.blocked == []
    assert any(tile in text for text in offline_guard.csp_violations)
    offline_guard.csp_violations.clear()  # refused as it should be: not a failure of this test
