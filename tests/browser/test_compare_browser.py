"""The comparison page in a real browser, on four cities served for real and offline (the
``page`` fixture blocks every other host): it draws the charts, switching the peer group
changes the ranks, the radars of CPI dimensions and ICC areas set the city against the peer
average and best, and the Arabic page runs right to left, its radars turning the other way."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
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
ICC_RADAR = '#radar [data-radar="icc"]'
# Three ICC areas (commitment, education, welcome) of three cities, for the ICC radar.
ICC_AREAS = {"alpha": (50.0, 60.0, 70.0), "beta": (70.0, 40.0, 80.0), "gamma": (90.0, 55.0, 65.0)}


@pytest.fixture(scope="module")
def peer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("peer-site")
    url = f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}"
    store = open_store(url)
    seed_peer_cities(store)
    for city, scores in ICC_AREAS.items():  # beside the seeded values (other indicators)
        store.put_indicator_values(city, pd.DataFrame(
            [{"district_code": None, "period": "2024", "indicator_id": f"icc.{area}",
              "value": v, "score": v, "coverage": 1.0, "suppressed": False,
              "definition_hash": "icc-1"} for area, v in zip(("commitment", "education",
                                                               "welcome"), scores,
                                                              strict=True)]))
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
    for radar in ("cpi", "icc"):
        for series in ("city", "average", "best"):
            expect(page.locator(f'#radar [data-radar="{radar}"] svg.radar '
                                f"polygon[data-series={series}]")).to_have_count(1)
    expect(page.locator(f"{ICC_RADAR} h2")).to_contain_text(
        "ICC areas: Alphaville against the peer average and best")
    expect(page.locator(f"{ICC_RADAR} ol.spokes li")).to_have_text(
        ["1. ICC: Commitment", "2. ICC: Education", "3. ICC: Welcome"])
    assert _spoke_side(page, "icc") == "right"  # clockwise from the top
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
    expect(page.locator(f"{ICC_RADAR} h2")).to_contain_text(
        "مجالات مؤشر المدن متعددة الثقافات: ألفا مقارنة بمتوسط النظراء وأفضلهم")
    expect(page.locator(f"{ICC_RADAR} ol.spokes li").first).to_have_text(
        "1. المدن متعددة الثقافات: الالتزام")
    assert page.locator(ICC_RADAR).evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert _spoke_side(page, "icc") == "left"  # anticlockwise: the reading direction
    shot = screenshot(page, "ar")
    shutil.copy(shot, Path("/tmp") / "observatory-compare-ar.png")


def _spoke_side(page, radar: str) -> str:
    """Which side of the radar's centre its second spoke's number stands on."""
    svg = page.locator(f'#radar [data-radar="{radar}"] svg.radar')
    number = svg.locator("text", has_text="2").first.bounding_box()
    box = svg.bounding_box()
    assert number and box
    return "right" if number["x"] > box["x"] + box["width"] / 2 else "left"
