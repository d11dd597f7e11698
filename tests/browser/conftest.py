"""The observatory served for real (uvicorn on a free 127.0.0.1 port, see live_server.py;
the demo city in a DuckDB file) and Debian's headless Chromium driven by Playwright.

Every request to a host other than 127.0.0.1 is blocked and recorded; a test fails when any
was attempted, which proves the pages work offline. A test also fails when the page (or a map
in its iframe) breaks the Content-Security-Policy the server sends. Screenshots go to
``test-artifacts/screenshots/<test>.png``. Without ``/usr/bin/chromium`` the tests skip with
the command that installs it; with CI=true they fail instead (``make test`` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from live_server import served

from indicators.compute import compute_city
from ingest.jobs import ingest_boundaries, ingest_census, ingest_events
from observatory.app import create_app
from observatory.demo import generate_demo_city
from observatory.keys import create_api_key
from observatory.settings import ApiSettings, DisclosureSettings, StoreSettings
from observatory.store import open_store

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("OBSERVATORY_TEST_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
LOCAL_HOSTS = {"127.0.0.1"}
# As root Chromium needs --no-sandbox; without the background-networking flags it tries to
# reach Google's services, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEMO_CITY = "demo"
# Runs in every frame before the page's own scripts (Playwright injects it, so the policy does
# not apply to it): each policy violation becomes a console message the test collects.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@dataclass(frozen=True)
class Site:
    """The served observatory: its base URL and keys for each role that writes."""

    url: str
    planner_key: str
    officer_key: str
    districts: int  # current districts of the demo city in the store
    database_url: str


def _seed_demo(data_dir: Path, database_url: str) -> tuple[str, str, int]:
    """The demo city ingested and computed as ``observatory demo`` does, with every census
    table and the incidents; (planner key, officer key, number of districts)."""
    demo = generate_demo_city(data_dir / DEMO_CITY)
    store = open_store(database_url)
    try:
        store.init_schema()
        ingest_boundaries(store, demo.boundaries, DEMO_CITY, demo.boundaries_spec)
        for table, spec in demo.census_tables:
            ingest_census(store, table, DEMO_CITY, spec)
        ingest_events(store, demo.incidents, DEMO_CITY, demo.incidents_spec)
        compute_city(store, DEMO_CITY, DisclosureSettings())
        return (create_api_key(store, "planner", "browser tests: field worker"),
                create_api_key(store, "officer", "browser tests: officer"),
                len(store.districts(DEMO_CITY)))
    finally:
        store.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("browser-site")
    database_url = f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}"
    planner_key, officer_key, districts = _seed_demo(data_dir, database_url)
    app = create_app(StoreSettings(data_dir=data_dir, database_url=database_url), ApiSettings())
    with served(app) as url:
        yield Site(url, planner_key, officer_key, districts, database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.is_file():
        message = (f"{CHROMIUM} is missing: run scripts/ensure-browser.sh (as root it installs "
                   "Debian's chromium) or set OBSERVATORY_TEST_CHROMIUM")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OfflineGuard:
    """Requests the pages tried to send off this machine (all of them were blocked)."""

    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def console(self, message) -> None:
        # Chromium reports a violation in the console too ("Refused to ... Content Security
        # Policy"), even when the event above could not be heard.
        if message.type == "error" and ("CSP violation" in message.text
                                        or "Content Security Policy" in message.text):
            self.csp_violations.append(message.text)

    def route(self, route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture
def offline_guard() -> OfflineGuard:
    return OfflineGuard()


@pytest.fixture
def page(browser, offline_guard: OfflineGuard) -> Iterator:
    """A fresh browser page that may reach 127.0.0.1 only; the test fails on any other
    request, on any uncaught script error and on any Content-Security-Policy violation."""
    guard = offline_guard
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.route("**/*", guard.route)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: guard.page_errors.append(str(error)))
    page.on("console", guard.console)
    yield page
    context.close()
    assert not guard.blocked, f"pages tried to leave the machine: {guard.blocked}"
    assert not guard.page_errors, f"script errors in the pages: {guard.page_errors}"
    assert not guard.csp_violations, f"the pages break their CSP: {guard.csp_violations}"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Save the page as ``test-artifacts/screenshots/<test>[-<suffix>].png``; print the path."""

    def save(page, suffix: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name + (f"-{suffix}" if suffix else "")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return save
