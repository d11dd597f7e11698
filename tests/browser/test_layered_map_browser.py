"""The layered map in a real browser: changing the time window re-requests the heat PNG and
places it by the bounds the server sends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEAT_IMAGE = "img.heat-overlay"


def _heat_image(page) -> dict:
    return page.locator(HEAT_IMAGE).evaluate(
        "img => ({src: img.src, width: img.getBoundingClientRect().width})"
    )


def test_a_new_window_redraws_the_heat_map_in_place(page, site, screenshot):
    page.goto(f"{site.url}/maps/demo/layers?lang=en&bandwidth=400")
    expect(page.locator(HEAT_IMAGE)).to_have_count(1)
    before = _heat_image(page)
    peak_before = page.locator("#heat-peak").inner_text()
    assert before["src"].startswith("data:image/png;base64,")

    start = page.locator("#time-start").input_value()
    page.fill("#time-end", start)  # one day only: far fewer incidents
    with page.expect_response(lambda r: "/maps/demo/layers/heat.png" in r.url) as answer:
        page.click("#time-apply")
    response = answer.value
    assert response.ok
    assert f"start={start}" in response.url and f"end={start}" in response.url

    expect(page.locator(HEAT_IMAGE)).to_have_attribute("src", re.compile(r"^blob:"))
    expect(page.locator("#heat-legend")).not_to_have_class(re.compile(r"\bheat-stale\b"))
    after = _heat_image(page)
    # Same bandwidth in metres, so the same grid: the image keeps its place and size.
    assert after["width"] == pytest.approx(before["width"], abs=1)
    assert page.locator("#heat-peak").inner_text() != peak_before
    screenshot(page)


def test_the_heat_map_lies_above_the_choropleth_and_its_slider_fades_it(page, site):
    page.goto(f"{site.url}/maps/demo/layers?lang=en&bandwidth=400")
    expect(page.locator(HEAT_IMAGE)).to_have_count(1)
    stacking = page.evaluate(
        """() => {
          const z = el => Number(getComputedStyle(el.closest('.leaflet-pane:not(.leaflet-map-pane)')).zIndex);
          return {heat: z(document.querySelector('img.heat-overlay')),
                  districts: z(document.querySelector('.leaflet-overlay-pane path'))};
        }"""
    )
    assert stacking["heat"] > stacking["districts"]
    page.locator("#heat-opacity").fill("20")
    expect(page.locator(HEAT_IMAGE)).to_have_css("opacity", "0.2")
