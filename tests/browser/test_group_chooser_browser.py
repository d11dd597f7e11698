"""The population-group chooser in a real browser, in Arabic: choosing a group redraws the
dashboard with that group's share, and its link opens the segregation page of the dimension."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_choosing_a_group_in_arabic_shows_its_share_and_segregation(page, site, screenshot):
    page.goto(f"{site.url}/ar/cities/demo")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator("#share-dimension")).to_have_value("")  # not a group's share yet
    with page.expect_navigation():
        page.select_option("#share-dimension", "citizenship")
    expect(page.locator("#indicator")).to_have_value(re.compile(r"^citizenship_share\."))
    with page.expect_navigation():
        page.select_option("#share-group", "iraqi")
    assert "dimension=citizenship" in page.url and "group=iraqi" in page.url
    expect(page.locator("#indicator")).to_have_value("citizenship_share.iraqi")
    expect(page.locator("#indicator-heading")).to_contain_text("عراقي")
    with page.expect_navigation():
        page.click("#segregation-link")
    expect(page.locator("#dimension")).to_have_value("citizenship")
    expect(page.locator("#segregation-table tr[data-measure='dissimilarity'] td").nth(0)
           ).to_have_text("مؤشر التباين (الاختلاف)")
    screenshot(page)
