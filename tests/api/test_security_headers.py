"""Every answer says how a browser may treat it: pages with a policy they satisfy (the browser
tests prove that), JSON, GeoJSON, images and photos with one that runs nothing."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from api_access import seed_events
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.http.security_headers import tile_source
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import Store


@pytest.fixture
def fires(seeded: Store) -> Store:
    seed_events(seeded)
    return seeded


@pytest.mark.parametrize("path", [
    "/en/cities",
    f"/en/cities/{CITY.slug}",
    f"/maps/{CITY.slug}/foreign_citizens_share",
    f"/maps/{CITY.slug}/layers",
    f"/cities/{CITY.slug}/field-reports/form",
])
def test_pages_send_their_policy_and_may_be_framed_by_this_site_only(api: TestClient, fires, path):
    response = api.get(path)

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy and "img-src 'self' data: blob:;" in policy


@pytest.mark.parametrize("path", [
    "/cities",
    f"/cities/{CITY.slug}/districts",
    f"/cities/{CITY.slug}/heatmaps/fire.png?bandwidth=300",
    "/photos/" + "0" * 64,  # a 404, JSON
    "/web/static/pages.css",
])
def test_everything_else_runs_nothing_and_is_never_sniffed(api: TestClient, fires, path):
    response = api.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'; sandbox")


def test_the_basemap_server_may_serve_the_pages_images(seeded: Store, store_url: str):
    settings = ApiSettings(basemap_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    with TestClient(create_app(StoreSettings(database_url=store_url), settings)) as client:
        policy = client.get("/en/cities").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.org;" in policy


@pytest.mark.parametrize(("template", "source"), [
    (None, ""),
    ("/tiles/{z}/{x}/{y}.png", ""),
    ("https://tiles.city.example:8443/{z}/{x}/{y}.png", "https://tiles.city.example:8443"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("https://tiles.{s}.example.org/{z}/{x}/{y}.png", "https:"),
])
def test_a_basemap_template_becomes_the_source_it_loads_from(template, source):
    assert tile_source(template) == source


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_pages_load_their_assets_from_this_site_not_a_cdn(api: TestClient, page):
    answer = api.get(page)
    policy = answer.headers["content-security-policy"]

    assert "https:" not in policy and "http:" not in policy
    assert "frame-ancestors 'self'" in policy
    assets = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
    assert assets and all(url.startswith("/static/api-docs/") for url in assets), assets
    for url in assets:
        assert api.get(url).status_code == 200, url


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src"):
            self._inline = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inline = self._inline and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._inline:
            self.texts[-1] += data


def inline_scripts(html: str) -> list[str]:
    parser = _InlineScripts()
    parser.feed(html)
    return parser.texts


def _script_src(policy: str, directive: str = "script-src") -> list[str]:
    found = next(d for d in policy.split("; ") if d.startswith(f"{directive} "))
    return found.split()[1:]


def _style_blocks(html: str) -> list[str]:
    return re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", [
    f"/maps/{CITY.slug}/foreign_citizens_share",
    f"/maps/{CITY.slug}/layers",
    f"/maps/{CITY.slug}/hotspots/foreign_citizens_share",
    f"/cities/{CITY.slug}/field-reports/form",
    "/docs",
])
def test_a_page_may_run_its_own_inline_scripts_by_their_hashes_and_nothing_else(
        api: TestClient, fires, path):
    response = api.get(path)
    policy = response.headers["content-security-policy"]
    scripts = inline_scripts(response.text)

    assert response.status_code == 200 and scripts
    assert _script_src(policy) == ["'self'", *dict.fromkeys(_sha256(s) for s in scripts)]
    assert "'unsafe-inline'" not in policy and "'unsafe-hashes'" not in policy
    assert "x-observatory-inline-scripts" not in response.headers  # internal to the server


@pytest.mark.parametrize("path", [
    f"/maps/{CITY.slug}/foreign_citizens_share",
    f"/maps/{CITY.slug}/layers",
    f"/cities/{CITY.slug}/field-reports/form",
    "/en/compare",
    f"/en/compare/report?city={CITY.slug}",
])
def test_a_page_may_apply_its_own_style_blocks_by_their_hashes_and_no_style_attribute(
        api: TestClient, fires, path):
    response = api.get(path)
    policy = response.headers["content-security-policy"]
    blocks = _style_blocks(response.text)

    assert response.status_code == 200 and blocks
    assert _script_src(policy, "style-src") == ["'self'", *dict.fromkeys(map(_sha256, blocks))]
    assert " style=" not in response.text  # refused without 'unsafe-hashes'
    assert "x-observatory-inline-styles" not in response.headers


@pytest.mark.parametrize("path", ["/en/cities", "/docs"])
def test_a_page_without_style_blocks_applies_stylesheets_from_this_site_only(
        api: TestClient, path):
    response = api.get(path)

    assert not _style_blocks(response.text)
    assert _script_src(response.headers["content-security-policy"], "style-src") == ["'self'"]


def test_redoc_alone_may_apply_inline_styles_as_its_scripts_write_them(api: TestClient):
    policy = api.get("/redoc").headers["content-security-policy"]

    assert "style-src 'self' 'unsafe-inline';" in policy and "worker-src 'self' blob:" in policy


@pytest.mark.parametrize("path", ["/en/cities", f"/ar/cities/{CITY.slug}", "/redoc"])
def test_a_page_without_inline_scripts_runs_scripts_from_this_site_only(api: TestClient, path):
    response = api.get(path)

    assert response.status_code == 200 and not [
        s for s in inline_scripts(response.text) if s.strip()]
    assert _script_src(response.headers["content-security-policy"]) == ["'self'"]


def test_a_revalidated_map_page_keeps_the_policy_of_the_body_the_browser_holds(
        api: TestClient, fires):
    path = f"/maps/{CITY.slug}/layers"
    first = api.get(path)
    again = api.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert again.headers["x-frame-options"] == "SAMEORIGIN"
