"""Swagger UI in a real browser draws the API from this site's assets within the pages' policy,
inline styles refused (the page fixture fails on any violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_the_operations(page, site, screenshot):
    page.goto(f"{site.url}/docs")

    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    screenshot(page)

