"""Data and templates for map pages: JSON safe inside ``<script>``, the package's templates.

Data reach a page only through these helpers and :class:`maps.page.PageFragments`, never through
folium's elements (see ``maps/page.py``).
"""

from __future__ import annotations

import json
from functools import cache
from urllib.parse import urlparse

from jinja2 import Environment, PackageLoader, select_autoescape


def js(obj: object) -> str:
    """``obj`` as a JavaScript literal (JSON) safe inside a <script> element."""
    return script_safe(json.dumps(obj, ensure_ascii=False))


def script_safe(json_text: str) -> str:
    """JSON that is safe inside a <script> element, with Arabic kept as UTF-8 text."""
    return (
        json_text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def basemap(url: str | None, attribution: str) -> dict | None:
    """The basemap's URL and attribution as script literals; None draws no tiles."""
    if url is None:
        return None
    return {"url": js(url), "attribution": js(attribution or urlparse(url).netloc)}


@cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("maps", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
