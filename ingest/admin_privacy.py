"""The keyed hash that replaces person identifiers at ingest (methodology §6).

HMAC-SHA256 with a secret from configuration: the same person gets the same hash within and
across files (so persons are counted once), but without the key nobody can recompute a hash
from a known identifier. The key is never stored with the data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from ingest.errors import IngestError
from observatory.settings import PrivacySettings

MIN_KEY_LENGTH = 32
KEY_FIX = f"set OBSERVATORY_HASH_KEY to a secret of at least {MIN_KEY_LENGTH} characters"


def keyed_hasher(privacy: PrivacySettings, *, source: str) -> Callable[[str], str]:
    """A function turning an identifier into its keyed hash; refuses a missing or short key."""
    key = privacy.hash_key.get_secret_value() if privacy.hash_key is not None else ""
    if len(key) < MIN_KEY_LENGTH:
        problem = (
            "no key for hashing person identifiers is configured"
            if not key
            else f"the key for hashing person identifiers is shorter than {MIN_KEY_LENGTH} "
            "characters"
        )
        raise IngestError(
            f"{problem}; administrative records are not read without one",
            file=source,
            fix=KEY_FIX,
        )
    secret = key.encode("utf-8")

    def keyed_hash(identifier: str) -> str:
        return hmac.new(secret, identifier.encode("utf-8"), hashlib.sha256).hexdigest()

    return keyed_hash
