"""Security headers on every answer: no content sniffing, no framing by other sites, the referrer
cut to the origin, and a Content-Security-Policy that the pages satisfy.

A page runs scripts from this site and no inline script but those it names: a page built with
inline scripts (the folium maps, the field form, Swagger UI) answers with
:func:`page_response`, which passes their SHA-256 hashes (``'sha256-…'``) to this middleware
for the page's ``script-src``. Hashes rather than nonces: the response cache keeps a map page
for everyone until the data change and a browser revalidates it with If-None-Match, so the
policy must be a function of the body (a nonce fresh per response would no longer match a body
a browser kept, and one kept with the body would be the same for everyone). The hashes are
taken where the scripts are written (:mod:`maps.page`), so a script smuggled in by data is never
allowed; inline event handlers and ``javascript:`` URLs never run. Styles may be inline
(``style-src 'unsafe-inline'``): folium writes ``<style>`` blocks and ``style=`` attributes,
and the legends' swatches are coloured by ``style=``; styles run no code. Images also come from
``data:`` and ``blob:`` (the heat overlay) and from the basemap's tile server when one is
configured. The dashboard
shows a map page in an iframe, so pages may be framed by this site (``SAMEORIGIN``). Anything
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
# The /docs and /redoc pages (observatory.http.api_docs) load their assets from this site; ReDoc
# runs a worker from a blob.
DOCS_SOURCES = {"worker-src": "'self' blob:"}
# Internal: a page's inline-script hashes, from the route to this middleware, which drops it.
INLINE_SCRIPTS = "x-observatory-inline-scripts"
_HASH_SOURCE = re.compile(r"'sha256-[A-Za-z0-9+/]+={0,2}'")


def page_response(page: HtmlPage, status_code: int = 200) -> HTMLResponse:
    """The page as an answer whose policy lets it run its own inline scripts."""
    return HTMLResponse(page, status_code=status_code,
                        headers={INLINE_SCRIPTS: " ".join(page.script_sources)})


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
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(filter(None, ["'self' data: blob:", tile_source(basemap_url)])),
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
        **(overrides or {}),
    }


def policy_text(directives: dict[str, str], inline_scripts: str = "") -> str:
    """The policy of ``directives``; ``inline_scripts``: hash sources added to ``script-src``."""
    hashes = _HASH_SOURCE.findall(inline_scripts)  # hashes only: never a wider source
    extended = {**directives, "script-src": " ".join([directives["script-src"], *hashes])}
    return "; ".join(f"{name} {value}" for name, value in extended.items())


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer (a header the route set wins)."""

    def __init__(self, app: ASGIApp, *, basemap_url: str | None, docs_paths: Iterable[str]):
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.page = page_directives(basemap_url)
        self.docs = page_directives(basemap_url, DOCS_SOURCES)
        self.file = {**COMMON, "X-Frame-Options": "DENY", "Content-Security-Policy": FILE_POLICY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                inline_scripts = headers.get(INLINE_SCRIPTS, "")
                if INLINE_SCRIPTS in headers:
                    del headers[INLINE_SCRIPTS]
                for name, value in self._headers_for(scope, headers, inline_scripts).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers_for(self, scope: Scope, headers: MutableHeaders,
                     inline_scripts: str) -> dict[str, str]:
        if not headers.get("content-type", "").startswith("text/html"):
            return self.file
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        directives = self.docs if path in self.docs_paths else self.page
        return {**COMMON, "X-Frame-Options": "SAMEORIGIN",
                "Content-Security-Policy": policy_text(directives, inline_scripts)}
