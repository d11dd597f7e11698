"""What each role may see: the public and planners see published aggregates only.

Suppressed indicator values (small counts, methodology §5) keep their row, so the map can say
"suppressed", but lose their value and score for anyone below officer. Events awaiting review
or rejected are for officers only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.services.callers import Caller

REVIEWER = "officer"
EVENT_STATUSES = ("submitted", "published", "rejected")


def event_statuses(caller: Caller) -> tuple[str, ...]:
    return EVENT_STATUSES if caller.at_least(REVIEWER) else ("published",)


def sees_suppressed(caller: Caller) -> bool:
    return caller.at_least(REVIEWER)


def shown_values(values: pd.DataFrame, caller: Caller) -> pd.DataFrame:
    """Indicator values as ``caller`` may see them."""
    if sees_suppressed(caller) or values.empty:
        return values
    hidden = values["suppressed"].fillna(False).astype(bool).to_numpy()
    out = values.copy()
    for column in ("value", "score"):
        out[column] = np.where(hidden, np.nan, pd.to_numeric(out[column]).astype(float))
    return out
