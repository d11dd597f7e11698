"""``python -m bench.api.httpx_load URL CONCURRENCY SECONDS``: the load generator used when wrk
is not installed. Keeps CONCURRENCY requests in flight for SECONDS, then prints a JSON
:class:`bench.api.load.LoadResult`."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx
import numpy as np


async def _worker(client: httpx.AsyncClient, url: str, deadline: float, latencies: list,
                  sizes: list, errors: list) -> None:
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            response = await client.get(url)
            ok = response.is_success
            sizes.append(len(response.content))
        except httpx.TransportError:
            ok = False
        latencies.append(time.perf_counter() - start)
        if not ok:
            errors.append(1)


async def _load(url: str, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[int] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # identity: the servers must not spend time compressing (wrk does not ask for it either).
    async with httpx.AsyncClient(limits=limits, timeout=30.0,
                                 headers={"Accept-Encoding": "identity"}) as client:
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(*(_worker(client, url, deadline, latencies, sizes, errors)
                               for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    ms = np.array(latencies) * 1e3
    return {"tool": "httpx", "requests": len(latencies), "seconds": elapsed,
            "requests_per_s": len(latencies) / elapsed,
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "errors": len(errors), "bytes_per_response": float(np.mean(sizes)) if sizes else 0.0}


def main() -> None:
    url, concurrency, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(_load(url, concurrency, seconds))))


if __name__ == "__main__":
    main()
