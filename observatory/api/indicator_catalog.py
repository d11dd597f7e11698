"""Names, framework and unit of every indicator id a city can hold, composites included."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.definitions import load_frameworks


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    framework: str
    name_en: str
    name_ar: str
    unit: str
    direction: str = "neutral"


def indicator_catalog() -> dict[str, IndicatorInfo]:
    """Read per call, so an edited definition shows without a restart. Composite ids
    (``cpi``, ``cpi.productivity``, ``cpi.productivity.employment``) are 0–100 scores."""
    catalog: dict[str, IndicatorInfo] = {}
    for framework in load_frameworks().values():
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
    return catalog


def _composite(ident: str, framework: str, names: dict[str, str]) -> IndicatorInfo:
    return IndicatorInfo(
        ident, framework, names.get("en", ident), names.get("ar", ""), "score", "higher"
    )


def unknown(indicator_id: str) -> IndicatorInfo:
    """A stored id no definition names any more (a removed or renamed definition)."""
    return IndicatorInfo(indicator_id, "", indicator_id.replace("_", " "), "", "")
