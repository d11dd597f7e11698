"""The words a map page shows, in each language it speaks."""

from __future__ import annotations

LANGUAGES = ("en", "ar")

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "score": "Score",
        "coverage": "Coverage",
        "suppressed": "suppressed",
        "no_data": "no data",
        "quantiles": "Quantiles",
        "natural_breaks": "Natural breaks (Fisher-Jenks)",
        "equal_interval": "Equal intervals",
        "note": "{scheme}, {k} classes",
        "estimate": "Estimate",
        "estimated": "estimated: {method}",
        # hot-spot maps
        "gi": "Hot spots (Getis-Ord Gi*)",
        "lisa": "Clusters and outliers (local Moran's I)",
        "value": "Value",
        "z": "Gi* z-score",
        "quadrant": "Quadrant",
        "p": "Pseudo p-value",
        "category": "Category",
        "hot_99": "Hot spot, 99% confidence",
        "hot_95": "Hot spot, 95% confidence",
        "hot_90": "Hot spot, 90% confidence",
        "not_significant": "Not significant",
        "cold_90": "Cold spot, 90% confidence",
        "cold_95": "Cold spot, 95% confidence",
        "cold_99": "Cold spot, 99% confidence",
        "HH": "High–high cluster",
        "HL": "High–low outlier",
        "LH": "Low–high outlier",
        "LL": "Low–low cluster",
        "ns": "Not significant",
        "no_neighbours": "no neighbours",
        "hotspot_note": "Pseudo p-values from {permutations} permutations, queen contiguity",
        # layered city map
        "districts": "Districts",
        "heat": "Heat map",
        "heat_all": "all incidents",
        "fire": "Fires",
        "waste": "Waste",
        "carjacking": "Carjacking",
        "service": "Services",
        "field": "Field reports",
        "per_km2": "events per km²",
        "per_1000_residents": "events per 1,000 residents",
        "from": "From",
        "to": "To",
        "apply": "Apply",
        "shown": "events shown",
        "heat_live": "The heat map is recomputed for the chosen dates.",
        "heat_fixed": "The heat map shows {start} – {end}; open the map again for other dates.",
        "no_heat": "No heat map: {reason}",
        "bandwidth": "bandwidth {bandwidth} m",
        "download": "Download GeoTIFF",
        "level": "Level",
    },
    "ar": {
        "score": "الدرجة",
        "coverage": "التغطية",
        "suppressed": "محجوب",
        "no_data": "لا توجد بيانات",
        "quantiles": "الكميات",
        "natural_breaks": "الفواصل الطبيعية (فيشر-جنكس)",
        "equal_interval": "فترات متساوية",
        "note": "{scheme}، {k} فئات",
        "estimate": "تقدير",
        "estimated": "قيمة تقديرية: {method}",
        "gi": "البقع الساخنة (Getis-Ord Gi*)",
        "lisa": "العناقيد والقيم الشاذة (مؤشر موران المحلي)",
        "value": "القيمة",
        "z": "الدرجة المعيارية z لـ Gi*",
        "quadrant": "الربع",
        "p": "قيمة p التقريبية",
        "category": "الفئة",
        "hot_99": "بقعة ساخنة، ثقة 99٪",
        "hot_95": "بقعة ساخنة، ثقة 95٪",
        "hot_90": "بقعة ساخنة، ثقة 90٪",
        "not_significant": "غير دالّ إحصائيًا",
        "cold_90": "بقعة باردة، ثقة 90٪",
        "cold_95": "بقعة باردة، ثقة 95٪",
        "cold_99": "بقعة باردة، ثقة 99٪",
        "HH": "عنقود مرتفع–مرتفع",
        "HL": "قيمة شاذة مرتفع–منخفض",
        "LH": "قيمة شاذة منخفض–مرتفع",
        "LL": "عنقود منخفض–منخفض",
        "ns": "غير دالّ إحصائيًا",
        "no_neighbours": "بلا جيران",
        "hotspot_note": "قيم p تقريبية من {permutations} تبديلًا، تجاور الملكة",
        "districts": "الأحياء",
        "heat": "خريطة حرارية",
        "heat_all": "كل الحوادث",
        "fire": "الحرائق",
        "waste": "النفايات",
        "carjacking": "سرقة السيارات",
        "service": "الخدمات",
        "field": "التقارير الميدانية",
        "per_km2": "حدث لكل كم²",
        "per_1000_residents": "حدث لكل 1000 نسمة",
        "from": "من",
        "to": "إلى",
        "apply": "تطبيق",
        "shown": "حدثًا معروضًا",
        "heat_live": "يُعاد حساب الخريطة الحرارية للتواريخ المختارة.",
        "heat_fixed": "تعرض الخريطة الحرارية الفترة {start} – {end}؛ افتح الخريطة من جديد لتواريخ أخرى.",
        "no_heat": "لا خريطة حرارية: {reason}",
        "bandwidth": "عرض النطاق {bandwidth} م",
        "download": "تنزيل GeoTIFF",
        "level": "المستوى",
    },
}


_EVENT_LAYERS = frozenset({"fire", "waste", "carjacking", "service", "field"})


def layer_label(layer: str, lang: str) -> str:
    """An event layer's name: the known ones translated, others as stored."""
    return labels(lang)[layer] if layer in _EVENT_LAYERS else layer


def labels(lang: str) -> dict[str, str]:
    if lang not in _LABELS:
        raise ValueError(f"lang={lang!r}: maps speak {', '.join(LANGUAGES)}")
    return _LABELS[lang]
