"""The level switch in a real browser, on a city of two levels served for real: the dashboard
redraws its map and table at the other level, marks carried values, and the layered map
follows the level; all offline (the ``page`` fixture blocks every other host)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import expect
from two_level_city import CITY, seed_two_levels

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import open_store

pytestmark = pytest.mark.browser

PATHS = "path.leaflet-interactive"


@pytest.fixture(scope="module")
def two_level_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("two-level-site")
    url = f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}"
    store = open_store(url)
    store.init_schema()
    seed_two_levels(store)
    store.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(StoreSettings(data_dir=data_dir, database_url=url), ApiSettings())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, f"uvicorn did not start on 127.0.0.1:{port}"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_level_switch_redraws_dashboard_and_layered_map(page, two_level_site, screenshot):
    page.goto(f"{two_level_site}/en/cities/{CITY.slug}")
    expect(page.frame_locator("#dashboard-map").locator(PATHS)).to_have_count(4)
    with page.expect_navigation():
        page.click('#level-switch a[data-level="neighbourhood"]')
    expect(page.frame_locator("#dashboard-map").locator(PATHS)).to_have_count(8)
    expect(page.locator("#district-table tbody tr")).to_have_count(8)
    with page.expect_navigation():
        page.select_option("#period", "2018")
    assert "level=neighbourhood" in page.url
    expect(page.locator("#estimate-note")).to_be_visible()
    expect(page.locator("#district-table tr.estimated")).to_have_count(8)
    legend = page.frame_locator("#dashboard-map").locator("#choropleth-legend")
    expect(legend).to_contain_text("estimated: area-weighted")
    screenshot(page)

    page.goto(page.locator("#layers-link").get_attribute("href").replace(
        "/maps", f"{two_level_site}/maps", 1))
    expect(page.locator(PATHS)).to_have_count(8)
    with page.expect_navigation():
        page.click('#level-switch a:has-text("Districts")')
    expect(page.locator(PATHS)).to_have_count(4)
    screenshot(page, "layered")
