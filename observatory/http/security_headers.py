"""Security headers on every answer: no content sniffing, no framing by other sites, the referrer
cut to the origin, and a Content-Security-Policy that the pages satisfy.

A page runs scripts from this site and no inline script but those it names: a page built with
inline scripts (the folium maps, the field form, Swagger UI) answers with :func:`page_response`,
which passes their SHA-256 hashes (``'sha256-…'``) to this middleware for the page's
``script-src``. Styles likewise: stylesheets from this site and the ``<style>`` blocks a page
names by their hashes (``style-src``; folium's and the maps' blocks in the head, the field
form's, the compare page's and the benchmark report's), so CSS injected with data (attribute
selectors and background URLs can read a page out) applies nowhere. ``style=`` attributes are
refused (no ``'unsafe-hashes'``): the pages write none, the legends' swatches and ramps are SVG
coloured by ``fill``; styles set by script through the CSSOM (Leaflet positioning its panes) are
not governed by the policy. Hashes rather than nonces: the response cache keeps a map page for
everyone until the data change and a browser revalidates it with If-None-Match, so the policy
must be a function of the body (a nonce fresh per response would no longer match a body a
browser kept, and one kept with the body would be the same for everyone). The hashes are taken
where the scripts and styles are written (:mod:`maps.page`), so a script or style smuggled in by
data is never allowed; inline event handlers and ``javascript:`` URLs never run. Only the ReDoc
page (``/redoc``) keeps ``style-src 'unsafe-inline'`` (``REDOC_SOURCES``): its styled-components
create ``<style>`` elements at run time, which no hash can name (Swagger UI at ``/docs`` needs
nothing of the kind). Images also come from ``data:`` and ``blob:`` (the heat overlay) and from
the basemap's tile server when one is configured. The dashboard shows a map page in an iframe,
so pages may be framed by this site (``SAMEORIGIN``). Anything
that is not a page (JSON, GeoJSON, tiles, PNG, GeoTIFF, photos) gets a policy that runs nothing
at all, so a file opened in a browser can never act as a page of this site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maps.page import HtmlPage

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# The /redoc page (observatory.http.api_docs) loads its assets from this site, runs a worker from
# a blob and writes <style> elements from script at run time (styled-components), which no hash
# names. Swagger UI (/docs) needs no override.
REDOC_SOURCES = {"worker-src": "'self' blob:", "style-src": "'self' 'unsafe-inline'"}
# Internal: a page's inline-script and style hashes, from the route to this middleware, which
# drops them.
INLINE_SCRIPTS = "x-observatory-inline-scripts"
INLINE_STYLES = "x-observatory-inline-styles"
_HASH_SOURCE = re.compile(r"'sha256-[A-Za-z0-9+/]+={0,2}'")


def page_response(page: HtmlPage, status_code: int = 200) -> HTMLResponse:
    """The page as an answer whose policy lets it run its own inline scripts and styles."""
    return HTMLResponse(page, status_code=status_code, headers=inline_headers(page))


def inline_headers(page: HtmlPage) -> dict[str, str]:
    """The internal headers that pass ``page``'s hashes to the middleware."""
    return {INLINE_SCRIPTS: " ".join(page.script_sources),
            INLINE_STYLES: " ".join(page.style_sources)}


def tile_source(basemap_url: str | None) -> str:
    """The CSP source of a basemap URL template (``https://{s}.tile.example.org/{z}/{x}/{y}.png``
    -> ``https://*.tile.example.org``); '' when it is on this site or unset."""
    if not basemap_url:
        return ""
    parts = urlsplit(basemap_url)
    if not parts.scheme or not parts.netloc:
        return ""  # a path on this site: 'self' covers it
    host = parts.netloc
    first, dot, rest = host.partition(".")
    if "{" in first and dot:  # a subdomain placeholder, e.g. {s}: CSP allows a wildcard there
        host = f"*.{rest}"
    return f"{parts.scheme}:" if "{" in host else f"{parts.scheme}://{host}"


def page_directives(basemap_url: str | None,
                    overrides: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(filter(None, ["'self' data: blob:", tile_source(basemap_url)])),
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
        **(overrides or {}),
    }


def policy_text(directives: dict[str, str], inline_scripts: str = "",
                inline_styles: str = "") -> str:
    """The policy of ``directives``; ``inline_scripts`` and ``inline_styles``: hash sources
    added to ``script-src`` and ``style-src``."""
    extended = {**directives,
                "script-src": _with_hashes(directives["script-src"], inline_scripts),
                "style-src": _with_hashes(directives["style-src"], inline_styles)}
    return "; ".join(f"{name} {value}" for name, value in extended.items())


def _with_hashes(sources: str, inline: str) -> str:
    if "'unsafe-inline'" in sources:
        return sources  # a hash would make the browser ignore 'unsafe-inline'
    return " ".join([sources, *_HASH_SOURCE.findall(inline)])  # hashes only: never wider


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer (a header the route set wins)."""

    def __init__(self, app: ASGIApp, *, basemap_url: str | None, redoc_paths: Iterable[str]):
        self.app = app
        self.redoc_paths = frozenset(redoc_paths)
        self.page = page_directives(basemap_url)
        self.redoc = page_directives(basemap_url, REDOC_SOURCES)
        self.file = {**COMMON, "X-Frame-Options": "DENY", "Content-Security-Policy": FILE_POLICY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                inline = [headers.get(name, "") for name in (INLINE_SCRIPTS, INLINE_STYLES)]
                for name in (INLINE_SCRIPTS, INLINE_STYLES):
                    if name in headers:
                        del headers[name]
                for name, value in self._headers_for(scope, headers, *inline).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers_for(self, scope: Scope, headers: MutableHeaders,
                     inline_scripts: str, inline_styles: str) -> dict[str, str]:
        if not headers.get("content-type", "").startswith("text/html"):
            return self.file
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        directives = self.redoc if path in self.redoc_paths else self.page
        return {**COMMON, "X-Frame-Options": "SAMEORIGIN",
                "Content-Security-Policy": policy_text(directives, inline_scripts, inline_styles)}
