"""How an indicator is named and its numbers written on a map, from its definition."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from indicators.definitions import DefinitionError, load_definitions

log = logging.getLogger(__name__)

# Format specs (as for format()) per definition unit; shares are stored as fractions.
_FORMATS = {"share": ".1%", "percent": ".1f", "persons": ",.0f", "count": ",.0f"}
_DEFAULT_FORMAT = ",.2f"


@dataclass(frozen=True)
class IndicatorDisplay:
    label: str
    value_format: str


def indicator_display(indicator_id: str, lang: str) -> IndicatorDisplay:
    """Read per call, so an edited definition file shows without a restart."""
    try:
        definition = load_definitions().get(indicator_id)
    except DefinitionError as exc:
        # The values are already computed and stored: a broken definition file elsewhere
        # costs the map its label, not the whole page.
        log.warning("Indicator definitions cannot be read, labelling maps by id: %s", exc)
        definition = None
    if definition is None:
        return IndicatorDisplay(indicator_id.replace("_", " "), _DEFAULT_FORMAT)
    label = definition.names.get(lang) or definition.names.get("en") or indicator_id
    return IndicatorDisplay(label, _FORMATS.get(definition.unit, _DEFAULT_FORMAT))
