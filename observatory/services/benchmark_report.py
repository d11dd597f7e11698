"""The printable city benchmark report, in English or Arabic, as HTML and as PDF (WeasyPrint:
Pango shapes the Arabic; the fonts are the machine's own, nothing is fetched).

It says where the city stands among its peers in the ICC reports' way ("2nd of 3 among cities
over 200,000"), draws the CPI dimensions and ICC areas against the peer average and best, a
bar chart per headline indicator and its trend, lists every indicator with its rank and flags,
and shows the spread of district values inside the city."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from indicators.vocabulary import dimension_name
from maps.page import HtmlPage, script_source
from observatory.services import comparison_charts as charts
from observatory.services.city_spread import district_spread
from observatory.services.comparison import (
    ComparisonInput,
    ComparisonRequest,
    comparison,
)
from observatory.services.errors import NotFound
from observatory.services.peer_groups import NAMED_GROUPS, PeerGroup

TEMPLATE_DIR = Path(__file__).resolve().parent
HEADLINE = ("cpi", "icc")  # the composites whose standing heads the report
CHART_LIMIT = 12  # bar and trend charts drawn; the table lists every indicator

WORDS = {
    "en": {
        "title": "City benchmark report", "peer_group": "Peer group", "members": "cities",
        "period": "Period", "latest": "latest most peers hold", "population": "Population",
        "foreign_share": "Foreign residents", "country": "Country",
        "standing": "Standing among peers", "of": "{rank} of {n}", "among": "among",
        "indicator": "Indicator", "value": "Value", "rank": "Rank",
        "percentile": "Percentile", "average": "Peer average", "best": "Best",
        "from_average": "From average", "from_best": "Behind best", "flags": "Not comparable",
        "cpi_radar": "CPI dimensions against the peers", "icc_radar": "ICC areas against the peers",
        "bars": "Indicators across the peer group", "trends": "Trends",
        "spread": "Within-city spread (district values)", "districts": "Districts",
        "min": "Min", "q1": "Q1", "median": "Median", "q3": "Q3", "max": "Max",
        "city_value": "City", "segregation": "Segregation of foreign residents",
        "dissimilarity": "Dissimilarity", "isolation": "Isolation",
        "theil_entropy": "Theil entropy", "multigroup_dissimilarity": "Multigroup dissimilarity",
        "notes": "How to read this report",
        "note_rank": "Rank 1 is the best value by each indicator's direction; ties share the "
                     "better rank. The percentile is the share of the other ranked peers the "
                     "city does better than.",
        "note_flags": "† marks a value that is not ranked: another definition (its hash "
                      "differs), another period, low coverage (below {cov:.0%}) or another "
                      "group dimension.",
        "note_carried": "‡ marks the latest available value, carried from the year shown: "
                        "a value such as an election's turnout stands until the next one.",
        "note_external": "◇ marks an external peer, imported from another observatory's "
                         "benchmark bundle.",
        "note_disclosure": "Only published values are compared: values withheld by the "
                           "disclosure rule never enter a rank, an average or a spread.",
        "generated": "Generated", "no_values": "No published value to compare.",
        "external": "external peer", "no_rank": "—", "dimension": "counted by",
    },
    "ar": {
        "title": "تقرير المقارنة المرجعية للمدينة", "peer_group": "مجموعة النظراء",
        "members": "مدن", "period": "الفترة", "latest": "الأحدث لدى معظم النظراء",
        "population": "عدد السكان", "foreign_share": "المقيمون الأجانب", "country": "البلد",
        "standing": "الترتيب بين النظراء", "of": "{rank} من {n}", "among": "بين",
        "indicator": "المؤشر", "value": "القيمة", "rank": "الترتيب",
        "percentile": "المئين", "average": "متوسط النظراء", "best": "الأفضل",
        "from_average": "الفرق عن المتوسط", "from_best": "الفارق عن الأفضل",
        "flags": "غير قابل للمقارنة",
        "cpi_radar": "أبعاد مؤشر ازدهار المدن مقارنة بالنظراء",
        "icc_radar": "مجالات مؤشر المدن متعددة الثقافات مقارنة بالنظراء",
        "bars": "المؤشرات في مجموعة النظراء", "trends": "الاتجاهات",
        "spread": "التباين داخل المدينة (قيم الأحياء)", "districts": "الأحياء",
        "min": "الأدنى", "q1": "الربيع الأول", "median": "الوسيط", "q3": "الربيع الثالث",
        "max": "الأعلى", "city_value": "المدينة", "segregation": "الفصل السكني للمقيمين الأجانب",
        "dissimilarity": "مؤشر الاختلاف", "isolation": "مؤشر العزلة",
        "theil_entropy": "إنتروبيا ثايل", "multigroup_dissimilarity": "الاختلاف متعدد المجموعات",
        "notes": "كيف يُقرأ هذا التقرير",
        "note_rank": "الترتيب 1 هو أفضل قيمة وفق اتجاه كل مؤشر، والقيم المتساوية تتشارك "
                     "الترتيب الأفضل. المئين هو نسبة النظراء المرتبين الآخرين الذين تتفوق "
                     "عليهم المدينة.",
        "note_flags": "† تدل على قيمة لم تدخل الترتيب: تعريف مختلف (البصمة مختلفة) أو فترة "
                      "مختلفة أو تغطية منخفضة (أقل من {cov:.0%}) أو بُعد مجموعات مختلف.",
        "note_carried": "‡ تدل على آخر قيمة متاحة، منقولة من السنة المبيّنة: قيمة مثل نسبة "
                        "المشاركة في الانتخابات تبقى سارية حتى الانتخابات التالية.",
        "note_external": "◇ تدل على نظير خارجي مستورد من حزمة مقارنة لمرصد آخر.",
        "note_disclosure": "لا تُقارن إلا القيم المنشورة: القيم المحجوبة بقاعدة الإفصاح لا "
                           "تدخل أي ترتيب أو متوسط أو تباين.",
        "generated": "تاريخ الإنشاء", "no_values": "لا توجد قيمة منشورة للمقارنة.",
        "external": "نظير خارجي", "no_rank": "—", "dimension": "محسوبة حسب",
    },
}


def report_context(data: ComparisonInput, city: str, request: ComparisonRequest,
                   lang: str, segregation: list[dict] | None = None) -> dict:
    """Everything the report shows of ``city`` (its cities: ``city`` and the request's)."""
    facts = {c.slug: c for c in data.cities}
    if city not in facts:
        raise NotFound(f"No city {city!r} in the store (cities: {', '.join(sorted(facts))}). "
                       "Fix: name a city the store holds.")
    shown = tuple(dict.fromkeys([city, *request.cities]))
    result = comparison(data, replace(request, cities=shown))
    names = {c.slug: c.name_in(lang) for c in data.cities}
    rows = result["indicators"]
    mine = {r["indicator_id"]: next(e for e in r["values"] if e["city"] == city) for r in rows}
    standing = _standing(data, city, request)
    by_id = {r["indicator_id"]: r for r in rows}
    radars = []
    for framework in charts.RADARS:
        spokes = [by_id[i] for i in charts.radar_spokes(by_id, framework)]
        if spokes:
            radars.append((WORDS[lang][f"{framework}_radar"],
                           charts.radar_chart(spokes, city, names[city], lang)))
    charted = [r for r in rows if mine[r["indicator_id"]]["value"] is not None][:CHART_LIMIT]
    trends = {t["indicator_id"]: t for t in result["trends"]}
    spread = district_spread(data, [r["indicator_id"] for r in rows], shown, request.period)
    return {
        "lang": lang, "dir": "rtl" if lang == "ar" else "ltr", "w": WORDS[lang],
        "city": facts[city], "city_name": names[city], "names": names, "result": result,
        "rows": [(r, mine[r["indicator_id"]]) for r in rows], "standing": standing,
        "radars": radars,
        "bars": [(_name(r, lang), charts.bar_chart(r, names, lang, {city})) for r in charted],
        "trend_charts": [(_name(r, lang), charts.trend_chart(trends[r["indicator_id"]], r,
                                                              names, {city}, lang))
                         for r in charted if len({p["period"] for s in
                                                  trends[r["indicator_id"]]["series"]
                                                  for p in s["points"]}) > 1],
        "spread": spread, "segregation": segregation or [],
        "fmt": charts.formatted, "today": date.today().isoformat(),
        "dimension_name": dimension_name(facts[city].foreign_dimension or "", lang)
                          if facts[city].foreign_dimension else "",
        "group_name": result["peer_group"][f"name_{lang}"] or result["peer_group"]["name_en"],
    }


def _name(row: dict, lang: str) -> str:
    return (row["name_ar"] if lang == "ar" else "") or row["name_en"]


def _standing(data: ComparisonInput, city: str, request: ComparisonRequest) -> list[dict]:
    """The headline composites' rank in each of the ICC reports' groups the city is in."""
    out = []
    for group_id, group_names in NAMED_GROUPS.items():
        result = comparison(data, replace(request, cities=(city,), peer_group=PeerGroup(group_id),
                                          indicators=HEADLINE))
        for row in result["indicators"]:
            if row["indicator_id"] not in HEADLINE:
                continue
            entry = next(e for e in row["values"] if e["city"] == city)
            if entry["rank"] is None:
                continue
            out.append({"indicator_id": row["indicator_id"], "name_en": row["name_en"],
                        "name_ar": row["name_ar"], "group_en": group_names["en"],
                        "group_ar": group_names["ar"], "rank": entry["rank"],
                        "sample_size": row["sample_size"]})
    return out


def report_html(data: ComparisonInput, city: str, request: ComparisonRequest, lang: str,
                segregation: list[dict] | None = None) -> HtmlPage:
    """The report as a page whose policy allows its one <style> block (code, no data)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                              autoescape=select_autoescape(["html"]))
    template = environment.get_template("benchmark_report.html")
    style = (TEMPLATE_DIR / "benchmark_report.css").read_text(encoding="utf-8") + charts.CHART_CSS
    html = template.render(**report_context(data, city, request, lang, segregation), style=style)
    return HtmlPage(html, (), (script_source(style),))


def report_pdf(html: str) -> bytes:
    """The report as PDF; WeasyPrint is imported here, where a PDF is wanted (it is slow to
    import and the services load without it)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
