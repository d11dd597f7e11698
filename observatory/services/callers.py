"""Who is asking, as the services see it: a role, and the hash of the key that proved it.
How a caller is recognised (a header, a cookie) is the front door's business."""

from __future__ import annotations

from dataclasses import dataclass

from observatory.keys import hash_key, role_rank
from observatory.store import Store


@dataclass(frozen=True)
class Caller:
    role: str
    key_hash: str | None = None  # None: no key was sent

    def at_least(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)

    @property
    def submitter(self) -> str:
        """How writes by this caller are recorded: the key's hash prefix, never the key."""
        return f"key:{self.key_hash[:16]}" if self.key_hash else "anonymous"


PUBLIC = Caller("public")


def known_caller(store: Store, key: str) -> Caller | None:
    """The caller holding ``key``; None for a key the store does not know (revoked, mistyped)."""
    key_hash = hash_key(key)
    role = store.api_key_role(key_hash)
    return Caller(role, key_hash) if role else None
