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


@dataclass(frozen=True)
class IndicatorDisplay:
    label: str
    value_format: str


def value_format(unit: str | None) -> str:
    """The format spec values of ``unit`` are written with, e.g. ``.1%`` for a share."""
    return _UNIT_FORMATS.get(unit or "", _DEFAULT_FORMAT)


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
