"""The comparison page in a real browser, on four cities served for real and offline (the
``page`` fixture blocks every other host): it draws the charts, switching the peer group
changes the ranks, and the Arabic page runs right to left."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from peer_cities import seed_peer_cities
from playwright.sync_api import expect

from observatory.app import create_app
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import open_store

pytestmark = pytest.mark.browser
CPI_ROW = '#comparison tr[data-indicator="cpi"]'
CPI_BARS = 'table.bars[data-indicator="cpi"] tr'


@pytest.fixture(scope="module")
def peer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("peer-site")
    url = f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}"
    store = open_store(url)
    seed_peer_cities(store)
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


def test_switching_the_peer_group_changes_the_ranks_and_arabic_runs_rtl(page, peer_site,
                                                                         screenshot):
    page.goto(f"{peer_site}/en/compare?indicator=cpi&indicator=cpi.equity"
              "&indicator=cpi.productivity&indicator=cpi.governance")
    expect(page.locator(CPI_BARS)).to_have_count(4)  # every city has a bar
    expect(page.locator("#radar svg polygon[data-series=city]")).to_have_count(1)
    expect(page.locator(f'{CPI_ROW} td[data-city="alpha"]')).to_have_attribute("data-rank", "3")

    page.select_option("#peer-group", "over-200k")
    with page.expect_navigation():
        page.click("#compare-button")
    expect(page.locator(f'{CPI_ROW} td[data-city="alpha"]')).to_have_attribute("data-rank", "2")
    gamma = page.locator(f'{CPI_ROW} td[data-city="gamma"]')  # too small for the group
    expect(gamma).to_have_attribute("data-rank", "")
    expect(gamma).to_contain_text("outside the group")
    expect(page.locator("#peer-group-name")).to_contain_text("over 200,000")
    screenshot(page, "en")

    with page.expect_navigation():
        page.click("#language-toggle")
    assert page.url.startswith(f"{peer_site}/ar/compare?")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(f'{CPI_ROW} td[data-city="alpha"]')).to_have_attribute("data-rank", "2")
    bar = page.locator('table.bars[data-indicator="cpi"] tr[data-city="alpha"]')
    label, track = (bar.locator(f"td.{c}").bounding_box() for c in ("label", "track"))
    assert label and track and label["x"] > track["x"], "the city's name is not on the right"
    shot = screenshot(page, "ar")
    shutil.copy(shot, Path("/tmp") / "observatory-compare-ar.png")
