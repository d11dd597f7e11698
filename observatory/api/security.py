"""Who is calling: the API key (``X-API-Key`` or ``Authorization: Bearer``) and its role.

No key means the public role. Write routes attach ``Depends(require_role("planner"))`` etc.;
a write without a key is 401, a key whose role is too low is 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from observatory.http.deps import StoreDep
from observatory.keys import role_rank
from observatory.services.callers import PUBLIC, Caller, known_caller

# Optional (auto_error=False): without a key the caller is the public role. Declared as
# security schemes so that the OpenAPI document says how a key is sent.
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An API key an administrator created")
BEARER = HTTPBearer(auto_error=False, description="The same API key as a bearer token")


def _sent_key(header_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if header_key:
        return header_key.strip()
    return bearer.credentials.strip() if bearer and bearer.credentials.strip() else None


async def get_caller(
    store: StoreDep,
    header_key: Annotated[str | None, Security(API_KEY_HEADER)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Caller:
    key = _sent_key(header_key, bearer)
    if key is None:
        return PUBLIC
    caller = await run_in_threadpool(known_caller, store, key)  # the store blocks
    if caller is None:
        raise HTTPException(
            status_code=401,
            detail="The API key is not known (revoked, mistyped or from another observatory). "
            "Ask an administrator for a key and send it as X-API-Key.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


class require_role:  # used like a function: Depends(require_role("officer"))
    """Dependency admitting callers whose role is ``minimum`` or higher."""

    def __init__(self, minimum: str):
        role_rank(minimum)
        self.minimum = minimum

    def __call__(self, caller: CallerDep) -> Caller:
        if caller.at_least(self.minimum):
            return caller
        if caller.key_hash is None:
            raise HTTPException(
                status_code=401,
                detail=f"This needs an API key with the role {self.minimum!r} or higher; "
                "send it as X-API-Key or Authorization: Bearer KEY.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise HTTPException(
            status_code=403,
            detail=f"Your key has the role {caller.role!r}; this needs {self.minimum!r} or "
            "higher. Ask an administrator for a key with that role.",
        )
