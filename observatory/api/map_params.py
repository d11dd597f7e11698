"""Query parameters the map pages share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Coverage simplification of the districts (see maps.simplify), in metres: at 10 m a border moves
# less than a pixel at street zoom; 5,000 districts then stay under 5 MB of HTML.
ToleranceParam = Annotated[
    float,
    # Below 10 cm the rounded coordinates would need more digits than a float holds.
    Query(ge=0.1, le=1000, description="How far a simplified border may move, in metres"),
]
