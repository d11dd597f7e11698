"""API keys: random tokens handed out once, stored only as their SHA-256.

The tokens carry 256 random bits, so a plain SHA-256 cannot be reversed by guessing; a
stolen key table therefore grants nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal, get_args

from observatory.store import Store

# Lowest first: each role may do everything the roles before it may.
Role = Literal["public", "planner", "officer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)


def role_rank(role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return ROLES.index(role)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(store: Store, role: str, label: str) -> str:
    """Store a new key with ``role`` and return it in plain text: the only time it is shown."""
    role_rank(role)
    key = secrets.token_urlsafe(32)
    store.add_api_key(hash_key(key), role, label)
    return key
