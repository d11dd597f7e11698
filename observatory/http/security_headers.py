"""Security headers on every answer: no content sniffing, no framing by other sites, the referrer
cut to the origin, and a Content-Security-Policy that the pages satisfy.

The map pages are folium pages with inline scripts and styles, so a page may run inline code but
load scripts, styles and data from this site only; images also from ``data:`` and ``blob:``
(the heat overlay) and from the basemap's tile server when one is configured. The dashboard
shows a map page in an iframe, so pages may be framed by this site (``SAMEORIGIN``). Anything
that is not a page (JSON, GeoJSON, tiles, PNG, GeoTIFF, photos) gets a policy that runs nothing
at all, so a file opened in a browser can never act as a page of this site.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# The /docs and /redoc pages (observatory.http.api_docs) load their assets from this site; ReDoc
# runs a worker from a blob.
DOCS_SOURCES = {"worker-src": "'self' blob:"}


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


def page_policy(basemap_url: str | None, overrides: dict[str, str] | None = None) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'unsafe-inline'",
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
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer (a header the route set wins)."""

    def __init__(self, app: ASGIApp, *, basemap_url: str | None, docs_paths: Iterable[str]):
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.page = {**COMMON, "X-Frame-Options": "SAMEORIGIN",
                     "Content-Security-Policy": page_policy(basemap_url)}
        self.docs = {**self.page,
                     "Content-Security-Policy": page_policy(basemap_url, DOCS_SOURCES)}
        self.file = {**COMMON, "X-Frame-Options": "DENY", "Content-Security-Policy": FILE_POLICY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers_for(scope, headers).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers_for(self, scope: Scope, headers: MutableHeaders) -> dict[str, str]:
        if not headers.get("content-type", "").startswith("text/html"):
            return self.file
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        return self.docs if path in self.docs_paths else self.page
