"""The comparison page, ``/{lang}/compare``: city, peer-group, indicator and period pickers, the
side-by-side table with ranks and flags, the radars of CPI dimensions and ICC areas against
the peer average and best, a bar chart per indicator and the trends — drawn on the server, no
script — and the downloads (CSV, XLSX, the city benchmark report as HTML or PDF).
``…/compare/report`` is the report of one city."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from maps.page import script_source
from observatory.http.deps import DisclosureDep, StoreDep, root_path
from observatory.http.security_headers import INLINE_STYLES, page_response
from observatory.services import comparison_charts as charts
from observatory.services.benchmark_report import report_html, report_pdf
from observatory.services.city_spread import (
    SEGREGATION_MEASURES,
    district_spread,
    segregation_by_city,
)
from observatory.services.comparison import (
    ComparisonInput,
    ComparisonRequest,
    comparison,
    default_indicators,
    describe,
    load_input,
    parse_ids,
    with_families,
)
from observatory.services.errors import ServiceError
from observatory.services.peer_groups import NAMED_GROUPS, parse_peer_group
from observatory.web.compare_words import compare_words
from observatory.web.i18n import Lang
from observatory.web.routes import render_page

router = APIRouter(tags=["pages"], include_in_schema=False)
LIST = r"^[A-Za-z0-9_.,\- ]*$"
DEFAULT_SHOWN = 4  # cities ticked on a first visit


def _request(cities: str | None, indicators: str | None, period: str | None,
             peer_group: str) -> ComparisonRequest:
    return ComparisonRequest(cities=parse_ids(cities, "cities"),
                             indicators=parse_ids(indicators, "indicators"),
                             period=period or None, peer_group=parse_peer_group(peer_group))


@router.get("/{lang}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    lang: Lang,
    store: StoreDep,
    disclosure: DisclosureDep,
    cities: str | None = Query(None, max_length=2000, pattern=LIST),
    indicators: str | None = Query(None, max_length=4000, pattern=LIST),
    period: str | None = Query(None, max_length=20),
    peer_group: str = Query("all", max_length=300),
    city: Annotated[list[str] | None, Query(description="ticked cities (repeated)")] = None,
    indicator: Annotated[list[str] | None, Query(description="chosen ids (repeated)")] = None,
    custom: str = Query("", max_length=300, description="custom peer-group criteria"),
) -> HTMLResponse:
    # The form sends a parameter per ticked box; links carry the comma-separated lists.
    cities = ",".join([*filter(None, [cities]), *(city or [])]) or None
    indicators = ",".join([*filter(None, [indicators]), *(indicator or [])]) or None
    peer_group = custom.strip() or peer_group
    cw = compare_words(lang)
    data = load_input(store)
    everyone = sorted(data.cities, key=lambda c: c.name_in(lang))
    names = {c.slug: c.name_in(lang) for c in data.cities}
    context: dict[str, Any] = {"cw": cw, "everyone": everyone, "names": names, "peer_group": peer_group,
               "named_groups": [(k, v[lang]) for k, v in NAMED_GROUPS.items()],
               "chart_css": charts.CHART_CSS}
    try:
        chosen = _request(cities, indicators, period, peer_group)
        if not chosen.cities:  # a first visit: the first cities ticked, all of them ranked
            chosen = replace(chosen, cities=tuple(c.slug for c in everyone[:DEFAULT_SHOWN]))
        result = comparison(data, chosen) if data.cities else None
    except ServiceError as exc:
        return _with_chart_css(render_page(request, lang, "compare.html", status_code=422,
                           **context, error=str(exc), result=None, shown=set(), offered=[],
                           picked=set(), periods=[]))
    members = [c.slug for c in chosen.peer_group.members(data.cities)]
    offered = default_indicators(with_families(data.values), members or chosen.cities)
    shown = list(chosen.cities)
    rows = result["indicators"] if result else []
    radars = _radars(data, chosen, offered, names, lang) if shown else []
    trends = {t["indicator_id"]: t for t in result["trends"]} if result else {}
    query = {"cities": ",".join(shown), "indicators": indicators or "",
             "period": period or "", "peer_group": peer_group}
    root = root_path(request)
    downloads = [(label, f"{root}/compare?{urlencode({**query, 'f': f})}")
                 for label, f in ((cw["csv"], "csv"), (cw["xlsx"], "xlsx"))]
    if shown:
        report = {**query, "city": shown[0]}
        downloads += [(cw[f"report_{kind}"], f"{root}/{lang}/compare/report?"
                       + urlencode({**report, "format": kind})) for kind in ("html", "pdf")]
    periods = sorted(set(data.values["period"].astype(str)), reverse=True)
    return _with_chart_css(render_page(
        request, lang, "compare.html", **context, error="", result=result, shown=set(shown),
        offered=[(i, (describe(i).name_ar if lang == "ar" else "") or describe(i).name_en)
                 for i in offered],
        picked=set(parse_ids(indicators, "indicators")), periods=periods, period=period or "",
        table=[(r, {e["city"]: e for e in r["values"]}) for r in rows],
        radars=radars,
        bars=[(r, charts.bar_chart(r, names, lang, set(shown[:1]))) for r in rows],
        trend_charts=[(r, charts.trend_chart(trends[r["indicator_id"]], r, names,
                                             set(shown[:1]), lang))
                      for r in rows if len({p["period"] for s in trends[r["indicator_id"]]
                                            ["series"] for p in s["points"]}) > 1],
        spread=district_spread(data, [r["indicator_id"] for r in rows], shown, chosen.period),
        segregation=segregation_by_city(store, shown, disclosure),
        segregation_measures=SEGREGATION_MEASURES,
        fmt=charts.formatted, downloads=downloads))


def _with_chart_css(page: HTMLResponse) -> HTMLResponse:
    """The page, its policy allowing the charts' <style> block (code, no data) by its hash."""
    page.headers[INLINE_STYLES] = script_source(charts.CHART_CSS)
    return page


def _radars(data: ComparisonInput, chosen: ComparisonRequest, offered: list[str],
            names: dict[str, str], lang: Lang) -> list[tuple[str, str, str]]:
    """(framework, title, chart) of each radar the peers' indicators allow — the CPI's
    dimensions, the ICC's areas — of the first shown city against the peer average and best,
    whatever indicators the table shows."""
    spokes = {f: charts.radar_spokes(offered, f) for f in charts.RADARS}
    drawn = tuple(i for ids in spokes.values() for i in ids)
    if not drawn:
        return []
    rows = {r["indicator_id"]: r
            for r in comparison(data, replace(chosen, indicators=drawn))["indicators"]}
    city = chosen.cities[0]
    title = compare_words(lang)
    return [(f, title[f"radar_{f}"].format(city=names[city]),
             charts.radar_chart([rows[i] for i in ids], city, names[city], lang))
            for f, ids in spokes.items() if ids]


@router.get("/{lang}/compare/report")
def compare_report(
    lang: Lang,
    store: StoreDep,
    disclosure: DisclosureDep,
    city: str = Query(..., max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$"),
    cities: str | None = Query(None, max_length=2000, pattern=LIST),
    indicators: str | None = Query(None, max_length=4000, pattern=LIST),
    period: str | None = Query(None, max_length=20),
    peer_group: str = Query("all", max_length=300),
    output: str = Query("html", alias="format", pattern="^(html|pdf)$"),
) -> Response:
    """The city benchmark report of ``city`` in ``lang``, as HTML or PDF."""
    chosen = _request(cities, indicators, period, peer_group)
    shown = tuple(dict.fromkeys([city, *chosen.cities]))
    html = report_html(load_input(store), city, chosen, lang,
                       segregation_by_city(store, shown, disclosure))
    if output == "pdf":
        return Response(report_pdf(html), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="benchmark-{city}-{lang}.pdf"'})
    return page_response(html)

