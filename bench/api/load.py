"""The load generator, a separate process on loopback: ``wrk`` (Debian package ``wrk``) when it
is on the PATH, else :mod:`bench.api.httpx_load`. Both keep a fixed number of requests in flight
for a fixed time and stop by themselves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class LoadResult:
    tool: str
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, socket errors and timeouts
    bytes_per_response: float


def run_load(url: str, *, concurrency: int, seconds: float) -> LoadResult:
    if shutil.which("wrk"):
        return _wrk(url, concurrency, seconds)
    command = [sys.executable, "-m", "bench.api.httpx_load", url, str(concurrency), str(seconds)]
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          timeout=seconds + 120)
    return LoadResult(**json.loads(done.stdout))


def _wrk(url: str, concurrency: int, seconds: float) -> LoadResult:
    # One wrk thread: on a small machine the cores are for the servers and the database.
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency",
               "--timeout", "30s", url]
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          timeout=seconds + 120)
    return parse_wrk(done.stdout)


def _ms(number: str, unit: str) -> float:
    return float(number) * _UNITS[unit]


def _bytes(number: str, unit: str) -> float:
    return float(number) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[unit]


def parse_wrk(text: str) -> LoadResult:
    """The numbers of ``wrk --latency`` output."""
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, text, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk output has no match for {pattern!r}:\n{text}")
        return match

    percentile = r"^\s+{}%\s+([\d.]+)(us|ms|s|m)\s*$"
    total = find(r"(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB) read")
    requests = int(total.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        text)
    return LoadResult(
        tool="wrk",
        requests=requests,
        seconds=_ms(total.group(2), total.group(3)) / 1e3,
        requests_per_s=float(find(r"Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=_ms(*find(percentile.format(50)).groups()),
        p99_ms=_ms(*find(percentile.format(99)).groups()),
        errors=(int(errors.group(1)) if errors else 0)
        + (sum(int(n) for n in sockets.groups()) if sockets else 0),
        # Includes the response headers, as wrk counts them.
        bytes_per_response=_bytes(total.group(4), total.group(5)) / max(requests, 1),
    )
