"""Numbers as the pages write them: shares as percentages, scores whole, suppressed as a word."""

from __future__ import annotations

import math
from typing import SupportsFloat

# Values are formatted by unit with observatory.services.indicator_display.value_format.
SCORE_FORMAT = ".0f"
# Neutral indicators (e.g. a population share) have no score: a dash, not "no data".
NO_SCORE = "—"


def number_text(value: SupportsFloat | str | None, spec: str, *, suppressed: bool = False,
                words: dict[str, str], missing: str | None = None) -> str:
    """``value`` formatted with ``spec``; "suppressed" (in the page language) when it may not
    be shown, ``missing`` (default: "no data") when there is none."""
    if suppressed:
        return words["suppressed"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return words["no_data"] if missing is None else missing
    return format(float(value), spec)


def area_text(area_m2: SupportsFloat | str | None) -> str:
    if area_m2 is None or (isinstance(area_m2, float) and math.isnan(area_m2)):
        return ""
    return f"{float(area_m2) / 1e6:,.2f} km²"
