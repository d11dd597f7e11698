"""The feed registry: every feed family, one module each, boundaries first.

A family's ``name`` is the one word for it everywhere: the ``observatory ingest`` sub-command,
the spec's ``feed:`` value, the ingest runs' ``feed`` and the feed list of docs/ingest.md.
Adding a family is a module here (see ``family.FeedFamily``), its line below, and its docs.
"""

from __future__ import annotations

from ingest.feeds import admin, boundaries, cdr, census, events, points, raster
from ingest.feeds.family import FeedFamily

FAMILIES: tuple[FeedFamily, ...] = (
    boundaries.FEED, census.FEED, admin.FEED, cdr.FEED, points.FEED, events.FEED, raster.FEED,
)


def family(name: str) -> FeedFamily:
    """The family called ``name``; a name no family has is a programming error."""
    for found in FAMILIES:
        if found.name == name:
            return found
    raise KeyError(f"no feed family {name!r}; the feeds are {', '.join(names())}")


def names() -> list[str]:
    return [found.name for found in FAMILIES]
