"""The page a map is drawn on, and a safe way to put generated text into it.

branca renders the output of every ``MacroElement`` as a Jinja template a second time, so data
placed through folium's elements (a district called ``{{ … }}``) would be evaluated on the
server. Everything this package generates goes through :class:`RawElement`, whose text is a
template *variable*, never template source.
"""

from __future__ import annotations

from branca.element import Element, Figure
from jinja2 import Template


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
        "{{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "{{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "{{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n"
    )

    def __init__(self, *, title: str, lang: str):
        super().__init__()
        self.page_title = title
        self.lang = lang
        self.dir = "rtl" if lang == "ar" else "ltr"
