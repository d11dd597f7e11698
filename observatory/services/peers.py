"""External peers: cities imported from other observatories' benchmark bundles. Every view that
lists or compares cities marks them with their origin; nothing ingests or computes for them."""

from __future__ import annotations

from observatory.models import ExternalPeer
from observatory.store import Store


def external_cities(store: Store) -> dict[str, str]:
    """Slug → origin observatory of every external peer in the store."""
    return {peer.city: peer.origin for peer in store.external_peers()}


def external_peer(store: Store, city: str) -> ExternalPeer | None:
    """The bundle record of ``city``; None for a city of this store's own."""
    return next((peer for peer in store.external_peers() if peer.city == city), None)
