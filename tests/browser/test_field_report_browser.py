"""A field report sent from the form reaches the layered city map once an officer publishes it;
officers see the ingest runs after signing in."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from maps.heat import render_png

pytestmark = pytest.mark.browser

FIELD_MARKER = 'path.leaflet-interactive[fill="#CC79A7"]'  # maps.city_map's field colour
NOTE = "حاوية نفايات ممتلئة قرب المدرسة"


def _layered_map(page, site) -> None:
    page.goto(f"{site.url}/maps/demo/layers?lang=en")
    expect(page.locator("path.leaflet-interactive").first).to_be_visible()


def test_field_report_appears_on_the_map_after_publishing(page, site, screenshot, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(render_png(np.arange(64, dtype=float).reshape(8, 8)))

    page.goto(f"{site.url}/en/cities/demo/field")
    expect(page.locator("#field-map")).to_have_attribute("data-ready", "true")
    page.locator("#field-map").click()  # the centre of the city
    assert page.input_value("#lat") and page.input_value("#lon")
    page.select_option("#category", "waste")
    page.fill("#note", NOTE)
    page.set_input_files("#photo", str(photo))
    page.fill("#key", site.planner_key)
    page.click("#send")
    expect(page.locator("#result[data-report-id]")).to_have_count(1)
    report_id = page.locator("#result").get_attribute("data-report-id")
    expect(page.locator("#result")).to_contain_text(report_id)
    screenshot(page, "form")

    _layered_map(page, site)
    expect(page.locator(FIELD_MARKER)).to_have_count(0)  # submitted, not yet published

    published = httpx.post(f"{site.url}/cities/demo/field-reports/{report_id}/publish",
                           headers={"X-API-Key": site.officer_key})
    assert published.status_code == 200, published.text

    _layered_map(page, site)
    expect(page.locator('.layer-name[data-layer="field"]')).to_have_count(1)
    marker = page.locator(FIELD_MARKER)
    expect(marker).to_have_count(1)
    marker.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(NOTE)
    # Leaflet fades popups in; wait for the end of it so the screenshot shows the popup. (A
    # web-first assertion: a wait_for_function string would need the eval the CSP forbids.)
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    screenshot(page, "published")


def test_officer_signs_in_to_see_ingest_runs(page, site, screenshot):
    page.goto(f"{site.url}/en/cities/demo/runs")
    expect(page.locator("#sign-in")).to_be_visible()
    page.fill("#key", site.planner_key)
    with page.expect_navigation():
        page.click("#sign-in button")
    expect(page.locator(".notice")).to_contain_text("planner")  # too low a role

    page.fill("#key", site.officer_key)
    with page.expect_navigation():
        page.click("#sign-in button")
    assert page.url.endswith("/en/cities/demo/runs")
    runs = page.locator("#runs-table tbody tr")
    expect(runs).to_have_count(8)  # boundaries, six census tables and the incidents
    expect(page.locator("#runs-table")).to_contain_text("census.csv")
    with page.expect_navigation():
        runs.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Ingest run")
    expect(page.locator(".run-facts")).to_contain_text("succeeded")
    screenshot(page)
