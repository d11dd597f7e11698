"""What the pages show of a city's geographic levels: the switch to the same page at another
level, and the note that says which values were carried from other boundaries."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from fastapi import Request

from observatory.models import Level

# Beside a carried value on the pages; the note under the table says what it means.
ESTIMATE_MARK = "≈"


def level_switch(request: Request, levels: list[Level], current: Level,
                 lang: str) -> list[dict]:
    """This page at each of the city's levels, keeping its query except the period (each level
    has its own periods); empty for a city of one level."""
    if len(levels) < 2:
        return []
    query = {k: v for k, v in request.query_params.items() if k not in ("level", "period")}
    return [
        {"name": level.name, "label": level.name_in(lang), "current": level == current,
         "url": f"{request.url.path}?{urlencode({**query, 'level': level.name})}"}
        for level in levels
    ]


def estimate_methods(estimates: Iterable[object]) -> list[str]:
    """The distinct methods among the values shown ('' and missing: loaded counts)."""
    return sorted({e for e in estimates if isinstance(e, str) and e})
