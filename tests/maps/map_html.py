"""Reading back what a map page contains: its asset links, its district features, its scripts."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.urls.append(found["src"] or "")
            else:
                self._in_script = True
                self.inline_scripts.append("")
        elif tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data


def asset_urls(html: str) -> list[str]:
    """URLs of every <script src> and <link href>, plus @import and url() in inline styles."""
    parser = _Assets()
    parser.feed(html)
    styles = re.findall(r"@import\s+[\"']?([^\"');]+)|url\(([^)]+)\)", html)
    # data: URIs and #fragments (Leaflet's old-IE VML behaviour) fetch nothing
    return parser.urls + [a or b for a, b in styles if not (a or b).startswith(("data:", "#"))]


CDN_HOST = re.compile(r"cdn|unpkg|jsdelivr|cloudflare|jquery|bootstrap|googleapis|fontawesome")


def hosts(html: str) -> set[str]:
    """Every host named by a URL anywhere in the page (links, scripts, styles, script text)."""
    return set(re.findall(r"(?:https?:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)+)", html, re.IGNORECASE))


def inline_scripts(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.inline_scripts


def district_features(html: str) -> dict[str, dict]:
    """The properties of the districts drawn, by code (the GeoJSON handed to L.geoJSON)."""
    start = html.index("L.geoJSON(") + len("L.geoJSON(")
    data, _ = json.JSONDecoder().raw_decode(html, start)
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def legend_items(html: str) -> list[tuple[str, str, str]]:
    """(kind, colour, text) of each legend entry, top to bottom."""
    return re.findall(
        r'<li class="legend-(\w+)"><svg class="swatch" [^>]*><rect [^>]*fill="([^"]+)"/></svg>'
        r'<span dir="\w+">([^<]*)</span></li>',
        html,
    )
