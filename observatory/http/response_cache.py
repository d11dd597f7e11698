"""A response cache for what the API serves most and computes slowest: vector tiles, feature
pages and map pages. An answer is kept under the store's data version, the caller's role and
the full URL; the store raises the version in the same transaction as every write, from any
process (a CLI ingest, another worker), so a kept answer is served only while the data it was
built from are still the data. Every answer also carries an ETag, so a client that sends
If-None-Match gets 304 without the body. A kept answer keeps the headers its route set (a
page's inline-script hashes among them), and a 304 carries them and the media type too, so the
policy a browser applies to the body it kept is the one that body was sent with."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from observatory.services.callers import Caller
from observatory.store import Store


@dataclass(frozen=True)
class Kept:
    body: bytes
    status_code: int
    media_type: str | None
    etag: str
    headers: tuple[tuple[str, str], ...] = ()  # those the route set


CacheKey = tuple[str, str]  # (role, URL)


class ResponseCache:
    """Least recently used answers of one data version, at most ``max_bytes`` of bodies; a
    newer version drops them all at once (they can never be served again)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._version: int | None = None
        self._kept: OrderedDict[CacheKey, Kept] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def bytes_kept(self) -> int:
        return self._bytes

    def get(self, version: int, key: CacheKey) -> Kept | None:
        with self._lock:
            self._see(version)
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def put(self, version: int, key: CacheKey, kept: Kept) -> None:
        size = len(kept.body)
        if size > self.max_bytes:
            return
        with self._lock:
            self._see(version)
            if version != self._version:  # built from data older than what is now kept
                return
            old = self._kept.pop(key, None)
            self._bytes -= len(old.body) if old else 0
            self._kept[key] = kept
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)

    def _see(self, version: int) -> None:
        if self._version is None or version > self._version:
            self._version = version
            self._kept.clear()
            self._bytes = 0


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _not_modified(request: Request, etag: str) -> bool:
    sent = request.headers.get("if-none-match")
    if not sent:
        return False
    return sent.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in
                                           sent.split(",")}


def _answer(request: Request, kept: Kept, keyed: bool) -> Response:
    # no-cache: a client may keep it but asks again (If-None-Match) before using it, since an
    # ingest may land at any time; an answer for a key's role is not for shared caches.
    headers = {**dict(kept.headers), "ETag": kept.etag,
               "Cache-Control": "private, no-cache" if keyed else "no-cache",
               "Vary": "X-API-Key, Authorization"}
    if _not_modified(request, kept.etag):
        return Response(status_code=304, media_type=kept.media_type, headers=headers)
    return Response(kept.body, status_code=kept.status_code, media_type=kept.media_type,
                    headers=headers)


def cached(request: Request, store: Store, cache: ResponseCache, caller: Caller,
           build: Callable[[], Response]) -> Response:
    """The answer ``build`` gives for this request, kept for the next identical request of the
    same role until the store's data change. Only 200 and 204 answers are kept; errors raise
    through ``build`` as they would without the cache."""
    keyed = caller.key_hash is not None
    if not cache.enabled:
        response = build()
        if response.status_code != 200:
            return response
        return _answer(request, _kept(response), keyed)
    # The version before the work: data that change meanwhile make it stale at once.
    version = store.data_version()
    key = (caller.role, str(request.url))
    kept = cache.get(version, key)
    if kept is None:
        response = build()
        if response.status_code not in (200, 204):
            return response
        kept = _kept(response)
        cache.put(version, key, kept)
    return _answer(request, kept, keyed)


# Set by Response itself from the body and media type, which the answer is rebuilt from.
_DERIVED = frozenset({"content-length", "content-type"})


def _kept(response: Response) -> Kept:
    body = bytes(response.body)
    own = tuple((name, value) for name, value in response.headers.items()
                if name not in _DERIVED)
    return Kept(body, response.status_code, response.media_type, etag_of(body), own)


async def get_response_cache(request: Request) -> ResponseCache:
    return request.app.state.response_cache


ResponseCacheDep = Annotated[ResponseCache, Depends(get_response_cache)]
