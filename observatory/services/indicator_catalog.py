"""Names, framework and unit of every indicator id a city can hold, composites included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from indicators.definitions import DEFINITIONS_DIR
from observatory.services.definitions import Stamp, current_frameworks, stamp


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    framework: str
    name_en: str
    name_ar: str
    unit: str
    direction: str = "neutral"


def indicator_catalog(directory: Path = DEFINITIONS_DIR) -> Mapping[str, IndicatorInfo]:
    """Built again only when a definition file changes, so an edited definition shows without
    a restart. Composite ids (``cpi``, ``cpi.productivity``, ``cpi.productivity.employment``)
    are 0–100 scores."""
    return _catalog_as_of(directory, stamp(directory))


def framework_names(lang: str, directory: Path = DEFINITIONS_DIR) -> dict[str, str]:
    """Each framework's name in ``lang`` (else English, else its id)."""
    return {fid: (f.names.get(lang) or f.names.get("en") or fid)
            for fid, f in current_frameworks(directory).items()}


@lru_cache(maxsize=4)
def _catalog_as_of(directory: Path, stamp: Stamp) -> Mapping[str, IndicatorInfo]:
    catalog: dict[str, IndicatorInfo] = {}
    for framework in current_frameworks(directory).values():
        fid = framework.framework
        for d in framework.indicators:
            catalog[d.id] = IndicatorInfo(
                d.id, fid, d.names.get("en", d.id), d.names.get("ar", ""), d.unit, d.direction
            )
        if not framework.composite:
            continue
        catalog[fid] = _composite(fid, fid, framework.names)
        for dim in framework.dimensions:
            catalog[f"{fid}.{dim.id}"] = _composite(f"{fid}.{dim.id}", fid, dim.names)
            for sub in dim.subdimensions:
                sid = f"{fid}.{dim.id}.{sub.id}"
                catalog[sid] = _composite(sid, fid, sub.names)
    return MappingProxyType(catalog)


def _composite(ident: str, framework: str, names: dict[str, str]) -> IndicatorInfo:
    return IndicatorInfo(
        ident, framework, names.get("en", ident), names.get("ar", ""), "score", "higher"
    )


def info_of(catalog: Mapping[str, IndicatorInfo], indicator_id: str) -> IndicatorInfo:
    """The catalogue's entry for ``indicator_id``, or :func:`unknown`'s."""
    return catalog.get(indicator_id) or unknown(indicator_id)


def unknown(indicator_id: str) -> IndicatorInfo:
    """A stored id no definition names any more (a removed or renamed definition)."""
    return IndicatorInfo(indicator_id, "", indicator_id.replace("_", " "), "", "")
