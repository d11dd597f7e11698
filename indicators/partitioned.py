"""The indicator engine out of core: a city's districts in parts, on worker processes.

At national scale one frame of a city's observations and values does not fit in memory
(50,000 districts × 10 periods: 53 M observation rows, 50 M values). Here each task holds one
part, and the values are those of ``framework_values`` on the whole city, row for row:

- A framework whose formula kinds are all ``district_local`` is evaluated on ``chunk``
  districts at a time beside one pseudo-district, the rest of the city, whose rows are the
  sums of the other districts' rows per period, variable, dimensions, unit and ingest run.
  Every sum over the city that such formulas take (a city value, a city-scope term, a location
  quotient's city totals, the groups present, the runs behind a period) is then the city's, so
  the part's district values and its city values are the whole city's. The rest's own values
  are dropped; the city values are kept from the first part only.
- Any other framework (rates, whose city value hides when any district is hidden; phone
  estimates calibrated on every district's cells; service roll-ups) is evaluated on every
  district at once, reading its own variables only.

Sums of integer counts are exact whatever their order; a sum of fractional values (a
product in currency, years) can differ from the whole city's in its last bits, by the order
of addition (``totals − part`` instead of one pass).

Each task writes its values to a Parquet file in the output folder (the column ``framework``
added) and returns its row count and its worker's peak memory.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.city_files import (
    SUM_KEY,
    CityFiles,
    district_codes,
    observation_sums,
    read_observations,
    spatial_context,
)
from indicators.compute import framework_values
from indicators.definitions import Framework
from indicators.evaluate import PreparedObservations

# The rest of the city's pseudo-district: a code no boundary file can hold (a control character).
REST_OF_CITY = "\x1frest of the city"


@dataclass(frozen=True)
class Partitioning:
    chunk: int = 2_500  # districts per part
    workers: int = 2  # worker processes


@dataclass(frozen=True)
class TaskResult:
    frameworks: tuple[str, ...]
    districts: int  # in the part (all: a whole-city task)
    rows: dict[str, int]
    file: Path | None
    peak_mb: float  # the worker's peak RSS so far
    worker: int  # its process id
    seconds: float  # the task's wall-clock time
    cpu_seconds: float  # its CPU time (the worker's threads)


@dataclass
class PartitionedRun:
    rows: dict[str, int] = field(default_factory=dict)
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [t.file for t in self.tasks if t.file is not None]

    def worker_peaks_mb(self) -> list[float]:
        """Each worker's peak resident set, the largest that any of its tasks reported."""
        peaks: dict[int, float] = {}
        for task in self.tasks:
            peaks[task.worker] = max(peaks.get(task.worker, 0.0), task.peak_mb)
        return sorted(peaks.values(), reverse=True)


def partitioned_values(frameworks: Sequence[Framework], files: CityFiles, out: Path,
                       min_count: int, partitioning: Partitioning = Partitioning()
                       ) -> PartitionedRun:
    """Every framework's values for the city of ``files``, written under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    split = {f.framework: all(d.formula.district_local for d in f.indicators)
             for f in frameworks}
    local = [f for f in frameworks if split[f.framework]]
    whole = [f for f in frameworks if not split[f.framework]]
    codes = district_codes(files)
    parts = [codes[i:i + partitioning.chunk] for i in range(0, len(codes), partitioning.chunk)]
    variables = sorted(set().union(*(f.variables() for f in local))) if local else []
    totals = observation_sums(files, variables, None) if local and len(parts) > 1 else None
    # The whole-city tasks first: they are the longest, the parts fill the other worker.
    orders: list[tuple[Callable[..., TaskResult], tuple[Any, ...]]] = [
        (_whole_city_task, (f, files, out / f"whole-{f.framework}.parquet", min_count))
        for f in whole]
    orders += [(_part_task, (local, files, variables, (part[0], part[-1]), totals, k == 0,
                             out / f"part-{k:05d}.parquet", min_count))
               for k, part in enumerate(parts) if local]
    run = PartitionedRun(rows={f.framework: 0 for f in frameworks})
    context = multiprocessing.get_context("spawn")  # no parent threads or locks in a worker
    with ProcessPoolExecutor(max_workers=max(1, partitioning.workers),
                             mp_context=context) as pool:
        futures = [pool.submit(task, *args) for task, args in orders]
        for future in futures:
            result = future.result()
            run.tasks.append(result)
            for name, rows in result.rows.items():
                run.rows[name] += rows
    return run


def read_values(run: PartitionedRun) -> pd.DataFrame:
    """Every value a run wrote, in one frame (for a city that fits in memory, and tests)."""
    frames = [pd.read_parquet(f) for f in run.files]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# the tasks (module level: a worker imports them by name) -------------------------------------
def _whole_city_task(framework: Framework, files: CityFiles, out: Path,
                     min_count: int) -> TaskResult:
    started = _clock()
    observations = read_observations(files, sorted(framework.variables()), None)
    spatial = spatial_context(files, None)
    values = framework_values(framework, PreparedObservations(observations), min_count,
                              spatial)
    return _written([(framework.framework, values)], len(spatial.districts), out, started)


def _part_task(frameworks: list[Framework], files: CityFiles, variables: list[str],
               bounds: tuple[str, str], totals: pd.DataFrame | None, keep_city: bool,
               out: Path, min_count: int) -> TaskResult:
    started = _clock()
    observations = read_observations(files, variables, bounds)
    if totals is not None:
        observations = pd.concat(
            [observations, rest_of_city(totals, observation_sums(files, variables, bounds))],
            ignore_index=True)
    prepared = PreparedObservations(observations)
    spatial = spatial_context(files, bounds)
    found = []
    for framework in frameworks:
        values = framework_values(framework, prepared, min_count, spatial)
        if values.empty:
            continue
        district = values["district_code"]
        mine = district.ne(REST_OF_CITY) & (True if keep_city else district.notna())
        found.append((framework.framework, values[mine.to_numpy(dtype=bool)]))
    return _written(found, len(spatial.districts), out, started)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _written(found: list[tuple[str, pd.DataFrame]], districts: int, out: Path,
             started: tuple[float, float]) -> TaskResult:
    rows = {name: len(values) for name, values in found}
    frames = [values.assign(framework=name) for name, values in found if len(values)]
    file = None
    if frames:
        pd.concat(frames, ignore_index=True).to_parquet(out, index=False)
        file = out
    return TaskResult(tuple(name for name, _ in found), districts, rows, file,
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, os.getpid(),
                      time.perf_counter() - started[0], time.process_time() - started[1])


def rest_of_city(totals: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """The rows of the pseudo-district REST_OF_CITY: the city's sums less the part's, for the
    keys that have rows outside the part."""
    both = totals.merge(part, on=SUM_KEY, how="left", suffixes=("", "_part"))
    outside = both["rows"] - both["rows_part"].fillna(0)
    rest = both[outside.to_numpy() > 0]
    return pd.DataFrame({
        "district_code": REST_OF_CITY, "period": rest["period"], "variable": rest["variable"],
        "dims": rest["dims"],
        "value": rest["value"].to_numpy(float) - rest["value_part"].fillna(0).to_numpy(float),
        "unit": rest["unit"], "ingest_run": rest["ingest_run"]})
