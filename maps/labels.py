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
    },
}


def labels(lang: str) -> dict[str, str]:
    if lang not in _LABELS:
        raise ValueError(f"lang={lang!r}: maps speak {', '.join(LANGUAGES)}")
    return _LABELS[lang]
