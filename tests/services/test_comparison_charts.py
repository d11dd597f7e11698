"""The radar of a comparison, drawn from hand-made rows: a spoke without a peer average or
the city's value has its points at the centre, and its legend line says so in each language
(a point at the centre must not read as a score of 0)."""

from __future__ import annotations

import re

from observatory.services.comparison_charts import radar_chart


def _row(ident: str, name_ar: str, city: float | None, average: float | None) -> dict:
    return {"indicator_id": ident, "name_en": ident.upper(), "name_ar": name_ar,
            "average": average, "best": average,
            "values": [{"city": "alpha", "value": city, "comparable": city is not None}]}


ROWS = [_row("a", "أ", 50.0, 60.0), _row("b", "ب", 40.0, None), _row("c", "ج", None, 70.0)]


def test_spokes_without_a_peer_average_or_a_value_are_named_as_such():
    english = radar_chart(ROWS, "alpha", "Alphaville", "en", size=200)
    arabic = radar_chart(ROWS, "alpha", "ألفا", "ar", size=200)

    assert re.findall(r"<li(?: class=\"(\w+)\")?>([^<]*)</li>", english.split("spokes")[1]) == [
        ("", "1. A"), ("unranked", "2. B — no comparable value: drawn at the centre"),
        ("unranked", "3. C — no comparable value: drawn at the centre")]
    assert "2. ب — لا قيمة قابلة للمقارنة: مرسوم في المركز" in arabic
    average = re.search(r'points="([^"]+)"[^>]*data-series="average"', english)
    assert average is not None and average.group(1).split()[1] == "100.0,100.0"  # the centre
