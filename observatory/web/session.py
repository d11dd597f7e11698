"""Who is looking at a page: the API key a sign-in form stored in an HttpOnly cookie.

Pages cannot send ``X-API-Key`` headers on a plain link, so the key rides in a cookie the
browser's scripts cannot read (HttpOnly) and other sites cannot make it send (SameSite=Strict).
It is checked against the stored key hashes on every request, so a revoked key stops at once.
"""

from __future__ import annotations

from fastapi import Request, Response

from observatory.http.deps import StoreDep
from observatory.services.callers import PUBLIC, Caller, known_caller

KEY_COOKIE = "observatory_key"


def page_caller(request: Request, store: StoreDep) -> Caller:
    """The signed-in caller, or the public role (no cookie, or a key no longer known)."""
    key = (request.cookies.get(KEY_COOKIE) or "").strip()
    return (known_caller(store, key) if key else None) or PUBLIC


def remember_key(response: Response, request: Request, key: str) -> None:
    response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def forget_key(response: Response) -> None:
    response.delete_cookie(KEY_COOKIE, path="/")


def local_target(target: str | None, fallback: str) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return fallback
