"""Charts of a comparison drawn on the server as HTML fragments: no script and no network.

Every word is HTML text, never SVG text: the browser and WeasyPrint shape Arabic and run it
right to left in HTML, while WeasyPrint draws SVG text one letter at a time (unshaped, left to
right). So the bars are HTML boxes, and the radar and trend lines are SVG geometry whose
spokes and series are numbered and named in an HTML legend beside them. On Arabic pages the
bars grow from the right and the radar turns the other way.

A value that is not comparable is drawn hatched grey and marked with †, an external peer (from
a benchmark bundle) with ◇, the highlighted cities in the accent colour."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape

from observatory.services.comparison import describe
from observatory.services.indicator_display import value_format

ACCENT, PEER, AVERAGE, BEST = "#b3471d", "#4a6d8c", "#333333", "#2a7d3b"
PALETTE = ("#4a6d8c", "#7a5195", "#ef5675", "#2f9e8f", "#ffa600", "#665191", "#8a8a8a")
NOT_COMPARABLE_MARK, EXTERNAL_MARK = "†", "◇"
RADARS = ("cpi", "icc")  # a radar each: the CPI's dimensions, the ICC's areas
NOT_A_SPOKE = {"icc.intercultural_lens"}  # a lens across the ICC areas, not one of them
MIN_SPOKES = 3
_WORDS = {
    "en": {"average": "peer average", "best": "best", "no_data": "no data",
           "unranked": "no comparable value: drawn at the centre"},
    "ar": {"average": "متوسط النظراء", "best": "الأفضل", "no_data": "لا بيانات",
           "unranked": "لا قيمة قابلة للمقارنة: مرسوم في المركز"},
}
# The charts' look, once per page (the report and the comparison page include it). A bar
# chart is most of a report's boxes, so its rows are lean: a fixed table layout (no cell is
# measured twice), three cells, the bar's width a class (``w0``…``w100``: per cent of the
# track), not a style attribute each row's element would parse.
CHART_CSS = """
.bars { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 1mm 0 3mm; }
.bars td { padding: 1px 4px; border: 0; font-size: 8.5pt; }
.bars td.label { width: 33%; }
.bars td.track { width: 55%; }
.bars td.num { width: 12%; text-align: end; white-space: nowrap; }
.bars .bar { height: 11px; background: #4a6d8c; }
.bars tr.shown .bar { background: #b3471d; }
.bars tr.shown td.label { font-weight: bold; }
.bars tr.flagged .bar { background: #c8c8c8; }
.bars tr.flagged td { color: #777; }
.bars caption { caption-side: bottom; text-align: start; font-size: 8pt; color: #555; }
.legend { list-style: none; padding: 0; margin: 1mm 0; font-size: 8.5pt; }
.legend li { display: inline-block; margin-inline-end: 4mm; }
.swatch { display: inline-block; width: 9px; height: 9px; margin-inline-end: 3px; }
.chart-figure { margin: 2mm 0; page-break-inside: avoid; }
""" + "".join(f".bars .w{k} {{ width: {k}%; }}\n" for k in range(101))


def formatted(value: float | None, unit: str, lang: str = "en") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _WORDS[lang]["no_data"]
    return format(float(value), value_format(unit))


def bar_chart(row: Mapping, names: Mapping[str, str], lang: str,
              highlight: set[str] | None = None) -> str:
    """One indicator: a bar per city of the comparison (its peers included), best first by
    the indicator's direction, the ``highlight`` cities (default: the shown ones) in the
    accent colour; the caption gives the peer average and best."""
    values = [e for e in row["values"] if e["value"] is not None]
    higher_first = row["direction"] != "lower"
    values.sort(key=lambda e: (not e["comparable"],
                               -e["value"] if higher_first else e["value"]))
    top = max([abs(e["value"]) for e in values] + [0.0]) or 1.0
    lines = []
    for e in values:
        lit = e.get("shown") if highlight is None else e["city"] in highlight
        classes = " ".join(c for c, on in (("shown", lit),
                                           ("flagged", not e["comparable"])) if on)
        marks = (EXTERNAL_MARK if e["external"] else "") + (
            NOT_COMPARABLE_MARK if not e["comparable"] else "")
        width = round(100 * abs(e["value"]) / top)
        rank = "" if e["rank"] is None else str(e["rank"])
        styled = f' class="{classes}"' if classes else ""
        lines.append(
            f'<tr{styled} data-city="{escape(e["city"])}" data-rank="{rank}">'
            f'<td class="label">{escape(names.get(e["city"], e["city"]))}'
            f'{" " + marks if marks else ""}</td>'
            f'<td class="track"><div class="bar w{width}"></div></td>'
            f'<td class="num">{escape(formatted(e["value"], row["unit"], lang))}</td></tr>')
    w = _WORDS[lang]
    caption = " · ".join(f"{w[key]}: {formatted(row[key], row['unit'], lang)}"
                         for key in ("average", "best") if row.get(key) is not None)
    return (f'<table class="bars" data-indicator="{escape(row["indicator_id"])}">'
            f'<caption>{escape(caption)}</caption>{"".join(lines)}</table>')


def radar_spokes(ids: Iterable[str], framework: str) -> list[str]:
    """The ids a radar of ``framework`` (one of ``RADARS``) draws from ``ids``, in their order:
    its dimensions or areas, scored 0–100; none when fewer than ``MIN_SPOKES``."""
    spokes = [i for i in ids if i.startswith(f"{framework}.") and i.count(".") == 1
              and i not in NOT_A_SPOKE and describe(i).unit == "score"]
    return spokes if len(spokes) >= MIN_SPOKES else []


def radar_chart(rows: Sequence[Mapping], city: str, city_name: str, lang: str,
                size: int = 300) -> str:
    """Scores 0–100 of several indicators (CPI dimensions, ICC areas) on numbered spokes: the
    city, the peer average and the peer best; the spokes are named in the legend."""
    centre, radius = size / 2, size / 2 - 24
    count = max(len(rows), 3)
    turn = -1 if lang == "ar" else 1

    def point(k: int, v: float | None) -> tuple[float, float]:
        angle = -math.pi / 2 + turn * 2 * math.pi * k / count
        r = radius * max(0.0, min(float(v or 0.0), 100.0)) / 100
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    def polygon(numbers: Sequence[float | None]) -> str:
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in
                        (point(k, v) for k, v in enumerate(numbers)))

    body = [f'<polygon points="{polygon([ring] * count)}" fill="none" stroke="#ddd"/>'
            for ring in (25, 50, 75, 100)]
    for k in range(len(rows)):
        ex, ey = point(k, 100)
        lx, ly = point(k, 112)
        body.append(f'<line x1="{centre}" y1="{centre}" x2="{ex:.1f}" y2="{ey:.1f}" '
                    f'stroke="#ccc"/><text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="10" '
                    f'text-anchor="middle" font-family="DejaVu Sans">{k + 1}</text>')
    mine = {r["indicator_id"]: next((e for e in r["values"] if e["city"] == city), None)
            for r in rows}
    series = [("best", BEST, [r.get("best") for r in rows], "none", ""),
              ("average", AVERAGE, [r.get("average") for r in rows], "none", "4 3"),
              ("city", ACCENT, [(mine[r["indicator_id"]] or {}).get("value") for r in rows],
               ACCENT, "")]
    for key, colour, numbers, fill, dash in series:
        opacity = ' fill-opacity="0.25"' if fill != "none" else ""
        body.append(f'<polygon points="{polygon(numbers)}" fill="{fill}"{opacity} '
                    f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" '
                    f'data-series="{key}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
           f'viewBox="0 0 {size} {size}" role="img" class="chart radar">'
           f'<title>{escape(city_name)}</title>{"".join(body)}</svg>')
    w = _WORDS[lang]
    keys = _legend([(city_name, ACCENT), (w["average"], AVERAGE), (w["best"], BEST)])
    # A spoke without the city's value or a peer average has a point at the centre: the
    # legend says so, lest it read as a score of 0.
    empty = {k for k, r in enumerate(rows) if r.get("average") is None
             or (mine[r["indicator_id"]] or {}).get("value") is None}
    spokes = "".join(
        (f'<li class="unranked">{k + 1}. {escape(_name(r, lang))} — {w["unranked"]}</li>'
         if k in empty else f"<li>{k + 1}. {escape(_name(r, lang))}</li>")
        for k, r in enumerate(rows))
    return (f'<figure class="chart-figure">{svg}{keys}<ol class="legend spokes">{spokes}</ol>'
            "</figure>")


def trend_chart(trend: Mapping, row: Mapping, names: Mapping[str, str], highlight: set[str],
                lang: str, width: int = 520, height: int = 180) -> str:
    """Each city's series over periods (one colour each, the highlighted ones in the accent);
    a change of definition breaks the line."""
    periods = sorted({p["period"] for s in trend["series"] for p in s["points"]})
    numbers = [p["value"] for s in trend["series"] for p in s["points"]]
    if not numbers:
        return f'<p class="muted">{_WORDS[lang]["no_data"]}</p>'
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    left, right, top, bottom = 56, 16, 10, 22

    def xy(period: str, value: float) -> tuple[float, float]:
        k = periods.index(period)
        at = left + (k / max(len(periods) - 1, 1)) * (width - left - right)
        if lang == "ar":
            at = width - at
        return at, top + (1 - (value - low) / span) * (height - top - bottom)

    body = []
    for period in periods:
        px, _ = xy(period, low)
        body.append(_number(px, height - 6, period, "middle"))
    for v in (low, high):
        _, py = xy(periods[0], v)
        body.append(_number(width - 4 if lang == "ar" else 4, py + 4,
                            formatted(v, row["unit"]), "end" if lang == "ar" else "start"))
    keys = []
    palette = iter(PALETTE * (1 + len(trend["series"]) // len(PALETTE)))
    for s in trend["series"]:
        colour = ACCENT if s["city"] in highlight else next(palette)
        segments: list[list[str]] = [[]]
        for p in s["points"]:
            if p["break"]:
                segments.append([])
            px, py = xy(p["period"], p["value"])
            segments[-1].append(f"{px:.1f},{py:.1f}")
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        body.extend(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2" data-city="{escape(s["city"])}"/>'
                    for seg in segments if len(seg) > 1)
        mark = f" {EXTERNAL_MARK}" if s["external"] else ""
        keys.append((names.get(s["city"], s["city"]) + mark, colour))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" class="chart trend">'
           f'<title>{escape(row["indicator_id"])}</title>{"".join(body)}</svg>')
    return f'<figure class="chart-figure">{svg}{_legend(keys)}</figure>'


def _name(row: Mapping, lang: str) -> str:
    return (row["name_ar"] if lang == "ar" else "") or row["name_en"]


def _number(x: float, y: float, text: str, anchor: str) -> str:
    """Digits only: SVG text that reads the same in any renderer."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="9" text-anchor="{anchor}" '
            f'font-family="DejaVu Sans" direction="ltr">{escape(text)}</text>')


def _legend(keys: Sequence[tuple[str, str]]) -> str:
    # An SVG swatch: its fill is no style attribute, which the pages' policy refuses.
    items = "".join(f'<li><svg class="swatch" viewBox="0 0 1 1" preserveAspectRatio="none" '
                    f'aria-hidden="true"><rect width="1" height="1" fill="{colour}"/></svg>'
                    f"{escape(label)}</li>" for label, colour in keys)
    return f'<ul class="legend">{items}</ul>'
