"""OGC API Features query parameters: ``bbox`` and ``datetime``; bad values are a 400 that
says what was expected."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from fastapi import HTTPException

from observatory.store.base import Bounds


def parse_bbox(text: str | None) -> Bounds | None:
    """``minx,miny,maxx,maxy`` in lon/lat (EPSG:4326); a 6-number 3D box keeps its 2D part."""
    if text is None:
        return None
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4:
        raise HTTPException(
            400,
            f"bbox={text!r} is not four numbers: give "
            "minx,miny,maxx,maxy in lon/lat, e.g. bbox=16.3,48.1,16.5,48.3",
        )
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise HTTPException(
            400, f"bbox={text!r} is outside lon -180…180 / lat -90…90 or has miny > maxy"
        )
    if minx > maxx:
        raise HTTPException(
            400, f"bbox={text!r} crosses the antimeridian (minx > maxx); split it into two requests"
        )
    return minx, miny, maxx, maxy


def _instant(text: str, whole: str) -> datetime:
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        stamp = pd.NaT
    if pd.isna(stamp):
        raise HTTPException(
            400,
            f"datetime={whole!r}: {text!r} is not an RFC 3339 time; "
            "e.g. 2025-03-01T00:00:00Z or 2025-01-01T00:00:00Z/..",
        )
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).to_pydatetime()


def parse_datetime(text: str | None) -> tuple[datetime | None, datetime | None]:
    """An instant or an interval ``start/end`` (``..`` or empty: open) as [start, end).

    OGC intervals include their end; the store's end is exclusive, so it moves on by 1 µs.
    """
    if text is None:
        return None, None
    first, slash, second = text.partition("/")
    if not slash:
        moment = _instant(first, text)
        return moment, moment + timedelta(microseconds=1)
    start = None if first in ("", "..") else _instant(first, text)
    end = None if second in ("", "..") else _instant(second, text) + timedelta(microseconds=1)
    if start is not None and end is not None and end <= start:
        raise HTTPException(400, f"datetime={text!r} ends before it starts")
    return start, end
