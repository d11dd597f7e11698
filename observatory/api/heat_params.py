"""The query parameters every heat-map URL shares, as a :class:`HeatRequest`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from observatory.services.heat_surface import (
    BANDWIDTH_RANGE_M,
    CELL_RANGE_M,
    DEFAULT_BANDWIDTH,
    HeatRequest,
)


def heat_params(
    start: Annotated[
        str | None,
        Query(
            description="From, ISO 8601: a day (2025-01-01, from its start, UTC) or a "
            "date-time (2025-01-01T06:00Z)"
        ),
    ] = None,
    end: Annotated[
        str | None,
        Query(description="To, ISO 8601: a day (2025-01-31, included) or a date-time (excluded)"),
    ] = None,
    bandwidth: Annotated[
        str,
        Query(
            description=f"Kernel bandwidth: metres, {BANDWIDTH_RANGE_M[0]:g} to "
            f"{BANDWIDTH_RANGE_M[1]:g} (e.g. 400), or a rule: scott, silverman"
        ),
    ] = DEFAULT_BANDWIDTH,
    cell: Annotated[
        float | None,
        Query(
            ge=CELL_RANGE_M[0],
            le=CELL_RANGE_M[1],
            description="Grid cell in metres; default: bandwidth / 4",
        ),
    ] = None,
    per_capita: Annotated[
        bool, Query(description="Events per 1,000 residents (needs population observations)")
    ] = False,
) -> HeatRequest:
    return HeatRequest(start, end, bandwidth, cell, per_capita)


HeatParamsDep = Annotated[HeatRequest, Depends(heat_params)]
