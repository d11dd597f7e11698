"""The page a map is drawn on, and a safe way to put generated text into it.

branca renders the output of every ``MacroElement`` as a Jinja template a second time, so data
placed through folium's elements (a district called ``{{ … }}``) would be evaluated on the
server. Everything this package generates goes through :class:`RawElement`, whose text is a
template *variable*, never template source.

A rendered page is a :class:`HtmlPage`: its HTML and the Content-Security-Policy hashes of the
inline scripts and ``<style>`` blocks the page itself wrote (folium's head and the closing
script), so a server can allow exactly those and no other inline script or style. The hashes
are taken where the scripts and styles are composed, never by scanning the finished page: a
script or style that data smuggled into the body would not be among them. The pages write no
``style=`` attributes (a policy without ``'unsafe-hashes'`` refuses them all): legend swatches
and ramps are SVG, coloured by ``fill`` and ``stop-color``, which the policy does not govern.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Self

from branca.element import Element, Figure
from jinja2 import Template

# An inline script of markup written by code (never by data): its text between the tags.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>",
                            re.DOTALL | re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def script_source(text: str) -> str:
    """The CSP source (``'sha256-…'``) that allows an inline script (or ``<style>`` block) of
    exactly ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def script_sources(trusted_markup: str) -> tuple[str, ...]:
    """The CSP sources of the inline scripts in ``trusted_markup``, which must be built by code
    alone (a page's head, the API docs page): what data put there would be allowed too."""
    return tuple(dict.fromkeys(script_source(m.group(1))
                               for m in _INLINE_SCRIPT.finditer(trusted_markup)))


def style_sources(trusted_markup: str) -> tuple[str, ...]:
    """The CSP sources of the ``<style>`` blocks in ``trusted_markup`` (built by code alone)."""
    return tuple(dict.fromkeys(script_source(m.group(1))
                               for m in _STYLE_BLOCK.finditer(trusted_markup)))


class HtmlPage(str):
    """A page's HTML, with the CSP sources of the inline scripts it may run and of the
    ``<style>`` blocks it may apply."""

    script_sources: tuple[str, ...]
    style_sources: tuple[str, ...]

    def __new__(cls, html: str, sources: tuple[str, ...],
                styles: tuple[str, ...] = ()) -> Self:
        page = super().__new__(cls, html)
        page.script_sources = sources
        page.style_sources = styles
        return page


class RawElement(Element):
    """Text added to the page verbatim."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class PageFragments(Element):
    """Head, body and script text added to the page when the map renders."""

    def __init__(self, *, header: str = "", html: str = "", script: str = ""):
        super().__init__()
        self._parts = {"header": header, "html": html, "script": script}

    def render(self, **kwargs) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("PageFragments must be added to a map that is in a PageFigure")
        for part, text in self._parts.items():
            if text:
                getattr(figure, part).add_child(RawElement(text), name=self.get_name())
        return ""  # nothing in place: the parts went to the figure


class PageFigure(Figure):
    """A whole HTML page with a language and direction (``lang="ar"`` gives ``dir="rtl"``)."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}" dir="{{ this.dir }}">\n'
        "<head>\n"
        "<title>{{ this.page_title|e }}</title>\n"
        "{{ header }}\n"
        "</head>\n"
        "<body>\n"
        "{{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>{{ script }}</script>\n"
        "</html>\n"
    )

    def __init__(self, *, title: str, lang: str):
        super().__init__()
        self.page_title = title
        self.lang = lang
        self.dir = "rtl" if lang == "ar" else "ltr"

    def render(self, **kwargs) -> HtmlPage:
        for child in self._children.values():
            child.render(**kwargs)  # a map adds its parts to the head, body and script here
        # The head holds folium's markup and this package's styles, no data: its scripts and
        # styles are the page's own. The body, where data become markup, never gets a hash.
        header = self.header.render(**kwargs)
        script = "\n" + self.script.render(**kwargs) + "\n"
        html = self._template.render(this=self, kwargs=kwargs, header=header, script=script)
        return HtmlPage(html, (*script_sources(header), script_source(script)),
                        style_sources(header))


def render_page(m: Element) -> HtmlPage:
    """The page of map ``m``, which must be in a :class:`PageFigure`."""
    figure = m.get_root()
    if not isinstance(figure, PageFigure):
        raise TypeError("a map page is drawn in a PageFigure")
    return figure.render()
