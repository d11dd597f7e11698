"""How an indicator is named and its numbers written on maps and pages, from its definition."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from indicators.definitions import DEFINITIONS_DIR, Definition, DefinitionError, load_definitions

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
        return IndicatorDisplay(indicator_id.replace("_", " "), _DEFAULT_FORMAT)
    label = definition.names.get(lang) or definition.names.get("en") or indicator_id
    return IndicatorDisplay(label, value_format(definition.unit))


def current_definitions(directory: Path = DEFINITIONS_DIR) -> Mapping[str, Definition]:
    """The definitions in ``directory``, read again only when a file there is added, removed
    or changed (parsing them all takes ~80 ms; a stat of each takes microseconds)."""
    return _definitions_as_of(directory, _stamp(directory))


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (file.name, stat.st_mtime_ns, stat.st_size)
        for file in sorted(directory.glob("*.yaml"))
        for stat in (file.stat(),)
    )


# Keyed by the files' stamp, so an edited file misses the cache and the stale entry ages out.
# Errors are not cached: a fixed file is read at the next call.
@lru_cache(maxsize=4)
def _definitions_as_of(directory: Path, stamp: tuple) -> Mapping[str, Definition]:
    return MappingProxyType(load_definitions(directory))
