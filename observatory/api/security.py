"""Who is calling: the API key (``X-API-Key`` or ``Authorization: Bearer``) and its role.

No key means the public role. Write routes attach ``Depends(require_role("planner"))`` etc.;
a write without a key is 401, a key whose role is too low is 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from observatory.http.deps import StoreDep
from observatory.keys import role_rank
from observatory.services.callers import PUBLIC, Caller, known_caller


def _sent_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_caller(request: Request, store: StoreDep) -> Caller:
    key = _sent_key(request)
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
