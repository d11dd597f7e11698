"""Run one contender in a fresh child process: its times and its peak memory.

Memory is the child's peak resident set size from ``resource.getrusage`` (``ru_maxrss``, KiB on
Linux), read once after the setup (interpreter, imports and input loaded: the baseline) and once
after the timed runs. A fresh process per contender keeps one contender's peak, imports and
allocator state out of the next one's numbers.

The processes are forked from a bare fork server, never from the benchmark's own process: Linux
carries the peak RSS of the process that forks, or of the image that execs, into the child's
``ru_maxrss``, so children of a parent holding the benchmark's data would all report its size.
Call :func:`start_child_server` first thing, while the parent is still small.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.forkserver
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

_CONTEXT = multiprocessing.get_context("forkserver")


@dataclass(frozen=True)
class Measurement:
    seconds: list[float]  # one wall-clock time per repeat
    cpu_seconds: list[float]  # CPU time of the process (all its threads) per repeat
    baseline_mb: float  # peak RSS after the setup, before the first timed run
    peak_mb: float  # peak RSS after all timed runs
    result: Any  # what the last run returned

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def best_cpu(self) -> float:
        """Steadier than wall-clock on a shared machine, where other work takes the cores."""
        return min(self.cpu_seconds)

    @property
    def added_mb(self) -> float:
        """Memory the contender itself needed at its peak, above its input."""
        return self.peak_mb - self.baseline_mb


def start_child_server() -> None:
    """Start the fork server the contenders' processes come from, with nothing preloaded."""
    _CONTEXT.set_forkserver_preload([])
    multiprocessing.forkserver.ensure_running()


def measure(setup: Callable[..., Any], run: Callable[[Any], Any], *args: Any,
            repeats: int = 1) -> Measurement:
    """``setup(*args)`` then ``run(state)`` ``repeats`` times, in a spawned child process.

    ``setup`` and ``run`` must be module-level functions (they are pickled by name).
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=_CONTEXT) as pool:
        return pool.submit(_measure_here, setup, run, args, repeats).result()


def _measure_here(setup, run, args, repeats: int) -> Measurement:
    state = setup(*args)
    gc.collect()
    baseline = _peak_rss_mb()
    seconds, cpu_seconds, result = [], [], None
    for _ in range(repeats):
        result = None  # the previous result must not inflate this run's peak
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run(state)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - start_cpu)
    return Measurement(seconds, cpu_seconds, baseline, _peak_rss_mb(), result)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
