"""How an indicator is named and its numbers written on maps and pages, from its definition."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from indicators.definitions import DEFINITIONS_DIR, DefinitionError
from observatory.services.definitions import current_definitions
from observatory.services.indicator_catalog import indicator_catalog

log = logging.getLogger(__name__)

# Format specs (as for format()) per indicator unit; shares are stored as fractions.
_UNIT_FORMATS = {
    "share": ".1%",
    "percent": ".1f",
    "score": ".0f",
    "persons": ",.0f",
    "count": ",.0f",
}
_DEFAULT_FORMAT = ",.2f"
# The units the definitions use (their `unit`), as the pages name them in each language.
_UNIT_NAMES = {
    "share": {"en": "share", "ar": "نسبة"},
    "percent": {"en": "percent", "ar": "نسبة مئوية"},
    "percentage points": {"en": "percentage points", "ar": "نقاط مئوية"},
    "score": {"en": "score 0–100", "ar": "درجة 0–100"},
    "persons": {"en": "persons", "ar": "أشخاص"},
    "count": {"en": "count", "ar": "عدد"},
    "ratio": {"en": "ratio", "ar": "نسبة بين قيمتين"},
    "per 1,000": {"en": "per 1,000", "ar": "لكل 1000"},
    "per 1,000 residents": {"en": "per 1,000 residents", "ar": "لكل 1000 مقيم"},
    "per 100,000": {"en": "per 100,000", "ar": "لكل 100000"},
    "per km²": {"en": "per km²", "ar": "لكل كم²"},
    "metres": {"en": "metres", "ar": "متر"},
    "m² per resident": {"en": "m² per resident", "ar": "م² لكل مقيم"},
    "nats": {"en": "nats", "ar": "نات"},
    "probability": {"en": "probability", "ar": "احتمال"},
    "index 0–1": {"en": "index 0–1", "ar": "مؤشر 0–1"},
    "USD PPP": {"en": "USD PPP", "ar": "دولار بتعادل القوة الشرائية"},
    "million USD PPP per km²": {"en": "million USD PPP per km²",
                                "ar": "مليون دولار بتعادل القوة الشرائية لكل كم²"},
    "per 1,000 foreign residents": {"en": "per 1,000 foreign residents",
                                    "ar": "لكل 1000 مقيم أجنبي"},
    "years": {"en": "years", "ar": "سنوات"},
    "µg/m³": {"en": "µg/m³", "ar": "ميكروغرام/م³"},
}


@dataclass(frozen=True)
class IndicatorDisplay:
    label: str
    value_format: str


def value_format(unit: str | None) -> str:
    """The format spec values of ``unit`` are written with, e.g. ``.1%`` for a share."""
    return _UNIT_FORMATS.get(unit or "", _DEFAULT_FORMAT)


def unit_name(unit: str | None, lang: str) -> str:
    """How the pages name ``unit`` in ``lang``; a unit without a name here is shown as
    written in its definition (never empty unless the definition gives none)."""
    names = _UNIT_NAMES.get(unit or "")
    return (names.get(lang) or names["en"]) if names else (unit or "")


def indicator_display(
    indicator_id: str, lang: str, directory: Path = DEFINITIONS_DIR
) -> IndicatorDisplay:
    """The label in ``lang`` and the number format of an indicator; an edited definition file
    shows at the next call, without a restart."""
    try:
        definition = current_definitions(directory).get(indicator_id)
    except DefinitionError as exc:
        # The values are already computed and stored: a broken definition file elsewhere
        # costs the map its label, not the whole page.
        log.warning("Indicator definitions cannot be read, labelling maps by id: %s", exc)
        definition = None
    if definition is None:
        # one of the ids a group_shares definition generates (citizenship_share.syrian)
        info = indicator_catalog(directory).get(indicator_id) if "." in indicator_id else None
        if info is None:
            return IndicatorDisplay(indicator_id.replace("_", " "), _DEFAULT_FORMAT)
        return IndicatorDisplay(info.name_ar if lang == "ar" else info.name_en,
                                value_format(info.unit))
    label = definition.names.get(lang) or definition.names.get("en") or indicator_id
    return IndicatorDisplay(label, value_format(definition.unit))


def label_with_unit(indicator_id: str, lang: str, directory: Path = DEFINITIONS_DIR) -> str:
    """The label in ``lang`` and the unit, where the label does not already say it (a map's
    legend: "Fires per km²", "Foreign citizens (share of residents) (share)")."""
    label = indicator_display(indicator_id, lang, directory).label
    info = indicator_catalog(directory).get(indicator_id)
    unit = unit_name(info.unit if info else None, lang)
    return f"{label} ({unit})" if unit and unit not in label else label
