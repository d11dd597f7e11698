"""The words of the comparison page, in each language it speaks."""

from __future__ import annotations

from observatory.web.i18n import Lang

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Compare cities", "cities": "Cities", "peer_group": "Peer group",
        "custom": "or custom criteria", "custom_hint": "e.g. population:100000-500000;country:AT,DE",
        "indicators": "Indicators", "all_indicators": "every indicator a peer holds",
        "period": "Period", "latest": "latest most peers hold", "show": "Compare",
        "indicator": "Indicator", "average": "Peer average", "best": "Best",
        "rank": "{rank} of {n}", "not_ranked": "not ranked", "outside": "outside the group",
        "radar_cpi": "CPI dimensions: {city} against the peer average and best",
        "radar_icc": "ICC areas: {city} against the peer average and best",
        "bars": "Across the peer group",
        "trends": "Trends", "downloads": "Download", "csv": "CSV", "xlsx": "XLSX",
        "report_html": "Benchmark report (HTML)", "report_pdf": "Benchmark report (PDF)",
        "members": "{n} cities in the group", "no_cities": "No city is loaded yet. Load the "
        "demo with: observatory demo", "external": "◇ external peer (benchmark bundle)",
        "flagged": "† not comparable, not ranked:", "percentile": "percentile {p:.0f}",
        "carried": "‡ the latest available value, carried from the year shown (an "
        "election's turnout stands until the next one).",
        "dimension_note": "counts {dimension}, not birthplace: its membership is approximate",
        "spread": "Within each city: the districts' values", "districts": "Districts",
        "min": "Min", "q1": "Q1", "median": "Median", "q3": "Q3", "max": "Max",
        "city_value": "City", "segregation": "Segregation of foreign residents",
        "dissimilarity": "Dissimilarity", "isolation": "Isolation",
        "theil_entropy": "Theil entropy", "multigroup_dissimilarity": "Multigroup dissimilarity",
        "no_segregation": "No census counts by a group dimension to measure it from:",
        "withheld": "withheld",
    },
    "ar": {
        "title": "مقارنة المدن", "cities": "المدن", "peer_group": "مجموعة النظراء",
        "custom": "أو معايير مخصصة", "custom_hint": "مثلاً population:100000-500000;country:AT,DE",
        "indicators": "المؤشرات", "all_indicators": "كل مؤشر لدى أحد النظراء",
        "period": "الفترة", "latest": "الأحدث لدى معظم النظراء", "show": "قارن",
        "indicator": "المؤشر", "average": "متوسط النظراء", "best": "الأفضل",
        "rank": "{rank} من {n}", "not_ranked": "غير مرتب", "outside": "خارج المجموعة",
        "radar_cpi": "أبعاد مؤشر ازدهار المدن: {city} مقارنة بمتوسط النظراء وأفضلهم",
        "radar_icc": "مجالات مؤشر المدن متعددة الثقافات: {city} مقارنة بمتوسط النظراء وأفضلهم",
        "bars": "في مجموعة النظراء",
        "trends": "الاتجاهات", "downloads": "تنزيل", "csv": "CSV", "xlsx": "XLSX",
        "report_html": "تقرير المقارنة (HTML)", "report_pdf": "تقرير المقارنة (PDF)",
        "members": "{n} مدن في المجموعة", "no_cities": "لم تُحمَّل أي مدينة بعد. حمّل العرض "
        "التجريبي بالأمر: observatory demo", "external": "◇ نظير خارجي (حزمة مقارنة)",
        "flagged": "† غير قابل للمقارنة ولا يدخل الترتيب:", "percentile": "المئين {p:.0f}",
        "carried": "‡ آخر قيمة متاحة، منقولة من السنة المبيّنة (نسبة المشاركة في الانتخابات "
        "تبقى سارية حتى الانتخابات التالية).",
        "dimension_note": "تُحسب حسب {dimension} لا مكان الولادة: عضويتها تقريبية",
        "spread": "داخل كل مدينة: قيم الأحياء", "districts": "الأحياء",
        "min": "الأدنى", "q1": "الربيع الأول", "median": "الوسيط", "q3": "الربيع الثالث",
        "max": "الأعلى", "city_value": "المدينة",
        "segregation": "الفصل السكني للمقيمين الأجانب", "dissimilarity": "مؤشر الاختلاف",
        "isolation": "مؤشر العزلة", "theil_entropy": "إنتروبيا ثايل",
        "multigroup_dissimilarity": "الاختلاف متعدد المجموعات",
        "no_segregation": "لا توجد أعداد تعداد حسب بُعد المجموعات لقياسه:",
        "withheld": "محجوب",
    },
}


def compare_words(lang: Lang) -> dict[str, str]:
    return _WORDS[lang]
