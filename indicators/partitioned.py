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
- A kind whose city value is a combination of its districts' (``city_combined``: rates,
  phone estimates, day/night ratios, whose city value hides when any district's is hidden)
  is evaluated in the same parts; in a part its city rows carry the part's exact sums, and
  the parent combines them into the city's rows once every part is done.
- A kind whose district values rest on decisions over every district (``city_stage``: the
  phone calibration's ratios of city totals, the service roll-up's choice among the
  districts as siblings) is evaluated in the same parts too, under the city's decisions:
  each part first gives a summary of its districts (``write_stage_summaries``: sums per
  month and group, the districts' all-areas counts…), a worker makes the decisions from
  every part's summary (``write_stage_decisions``), and each part reads them.
- What a part's formulas take from the whole city is made once before the parts, on the
  workers (``CityWideFiles``): events placed among all the districts (an event on a border
  between two parts counts once, for the first district in the city's order), events
  counted per local period and district (every period of the city, its UTC offset), the
  services' coordinates in the local CRS for the nearest-service search, and the city
  stages' decisions.
- A framework that needs a combined city value before it is scored or carried forward
  (benchmarks, ``holds_for``, a composite of combined values) is evaluated on every
  district at once, reading its own variables only.

Sums of integer counts are exact whatever their order, and the combined city sums are exact
(``formulas.city_rows.exact_sum``); a district-local sum of fractional values taken against
the rest of the city (a product in currency, years) can differ from the whole city's in
its last bits, by the order of addition (``totals − part`` instead of one pass).

Each task writes each framework's values to a Parquet file of its own in the output folder
(the column ``framework`` added) as soon as they are made, and returns its row counts and
its worker's peak memory.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import resource
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from indicators.city_files import (
    SUM_KEY,
    CityFiles,
    CityWideFiles,
    district_codes,
    observation_sums,
    read_observations,
    spatial_context,
    write_event_counts,
    write_placed_events,
    write_service_points,
    write_stage_decisions,
    write_stage_summaries,
)
from indicators.compute import framework_values
from indicators.definitions import Framework
from indicators.evaluate import PreparedObservations
from indicators.formulas.city_rows import PARTIAL_COLUMNS, combined_city_rows

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
    files: tuple[Path, ...]  # one per framework with values
    peak_mb: float  # the worker's peak RSS so far
    worker: int  # its process id
    seconds: float  # the task's wall-clock time
    cpu_seconds: float  # its CPU time (the worker's threads)
    # a part's city rows of the kinds that combine them over the parts (PARTIAL_COLUMNS)
    partials: pd.DataFrame | None = None
    in_parent: bool = False  # the combination of those rows, after the workers'


@dataclass
class PartitionedRun:
    rows: dict[str, int] = field(default_factory=dict)
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [f for t in self.tasks for f in t.files]

    def worker_peaks_mb(self) -> list[float]:
        """Each worker's peak resident set, the largest that any of its tasks reported."""
        peaks: dict[int, float] = {}
        for task in self.tasks:
            if task.in_parent:
                continue
            peaks[task.worker] = max(peaks.get(task.worker, 0.0), task.peak_mb)
        return sorted(peaks.values(), reverse=True)


def partitioned_values(frameworks: Sequence[Framework], files: CityFiles, out: Path,
                       min_count: int, partitioning: Partitioning = Partitioning()
                       ) -> PartitionedRun:
    """Every framework's values for the city of ``files``, written under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    local = [f for f in frameworks if in_parts(f)]
    whole = [f for f in frameworks if not in_parts(f)]
    codes = district_codes(files)
    parts = [codes[i:i + partitioning.chunk] for i in range(0, len(codes), partitioning.chunk)]
    variables = sorted(set().union(*(f.variables() for f in local))) if local else []
    split_up = bool(local) and len(parts) > 1
    totals = observation_sums(files, variables, None) if split_up else None
    # What the parts take from the whole city is made once, before them.
    formulas = [d.formula for f in local for d in f.indicators] if split_up else []
    made = out / "city-wide"
    made.mkdir(exist_ok=True)
    layers = sorted(set().union(*(f.placed_layers() for f in formulas)))
    searched = sorted(set().union(*(f.searched_layers() for f in formulas)))
    counted = sorted(set().union(*(f.counted_events() for f in formulas)),
                     key=lambda key: (key[0], key[1], -1e9 if key[2] is None else key[2]))
    staged = {key: f for f in formulas if (key := f.city_stage()) is not None}
    city = CityWideFiles(placed={layer: made / f"placed-{k}.parquet"
                                 for k, layer in enumerate(layers)},
                         counts={key: made / f"counts-{k}.parquet"
                                 for k, key in enumerate(counted)},
                         searched={layer: made / f"services-{k}.parquet"
                                   for k, layer in enumerate(searched)},
                         decided={key: made / f"decided-{k}.pickle"
                                  for k, key in enumerate(sorted(staged))}
                         ) if split_up else None
    first: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    summaries = [made / f"summary-{k:05d}.pickle" for k in range(len(parts))]
    if city is not None:
        first = [(write_placed_events, (files, layer, path)) for layer, path in city.placed.items()]
        first += [(write_event_counts, (files, *key, path)) for key, path in city.counts.items()]
        first += [(write_service_points, (files, layer, path))
                  for layer, path in city.searched.items()]
        if staged:  # each part's summary for the city stages, then their decisions
            first += [(write_stage_summaries, (files, staged, (part[0], part[-1]), min_count,
                                               path))
                      for part, path in zip(parts, summaries, strict=True)]
    # The whole-city tasks next: they are the longest, the parts fill the other worker.
    orders: list[tuple[Callable[..., TaskResult], tuple[Any, ...]]] = [
        (_whole_city_task, (f, files, out / f"whole-{f.framework}.parquet", min_count))
        for f in whole]
    later = [(_part_task, (local, files, variables, (part[0], part[-1]), totals, k == 0,
                           out / f"part-{k:05d}.parquet", min_count, city))
             for k, part in enumerate(parts) if local]
    run = PartitionedRun(rows={f.framework: 0 for f in frameworks})
    partials = []
    context = multiprocessing.get_context("spawn")  # no parent threads or locks in a worker
    with ProcessPoolExecutor(max_workers=max(1, partitioning.workers),
                             mp_context=context) as pool:
        making = [pool.submit(_freeing, task, *args) for task, args in first]
        futures = [pool.submit(_freeing, task, *args) for task, args in orders]
        for done in making:
            done.result()
        if city is not None:
            deciding = [pool.submit(_freeing, write_stage_decisions, staged[key], summaries, key,
                                    min_count, path) for key, path in city.decided.items()]
            for done in deciding:
                done.result()
        futures += [pool.submit(_freeing, task, *args) for task, args in later]
        for future in futures:
            result = future.result()
            run.tasks.append(result)
            if result.partials is not None:
                partials.append(result.partials)
            for name, rows in result.rows.items():
                run.rows[name] += rows
    shutil.rmtree(made)
    if partials:
        result = _combined(pd.concat(partials, ignore_index=True), out / "city-combined.parquet")
        run.tasks.append(result)
        for name, rows in result.rows.items():
            run.rows[name] += rows
    return run


def in_parts(framework: Framework) -> bool:
    """Whether the framework is evaluated in parts of the districts: every formula kind is
    district-local, combines its city value from the districts' or rests on a city stage
    (then without scores or values carried forward, which would need the combined city
    value, and not in a composite)."""
    combined = [d for d in framework.indicators if d.formula.city_combined]
    return all(d.formula.district_local or (
        (d.formula.city_combined or d.formula.city_stage() is not None)
        and d.benchmarks is None and d.holds_for is None)
        for d in framework.indicators) and not (framework.composite and combined)


def read_values(run: PartitionedRun) -> pd.DataFrame:
    """Every value a run wrote, in one frame (for a city that fits in memory, and tests)."""
    frames = [pd.read_parquet(f) for f in run.files]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# the tasks (module level: a worker imports them by name) -------------------------------------
def _freeing(task: Callable[..., Any], *args: Any) -> Any:
    """``task(*args)``, then the memory its frames held given back to the system: the
    allocators keep freed pages (about 1 GB after a part of 2,500 districts), so the next
    task's peak would come on top of them."""
    try:
        return task(*args)
    finally:
        gc.collect()
        pa.default_memory_pool().release_unused()
        process = ctypes.CDLL(None)  # the C library's symbols, glibc's malloc_trim among them
        if hasattr(process, "malloc_trim"):
            process.malloc_trim(0)


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
               out: Path, min_count: int, city: CityWideFiles | None) -> TaskResult:
    started = _clock()
    observations = read_observations(files, variables, bounds)
    if totals is not None:
        observations = pd.concat(
            [observations, rest_of_city(totals, observation_sums(files, variables, bounds))],
            ignore_index=True)
    prepared = PreparedObservations(observations)
    spatial = spatial_context(files, bounds, city)
    written, partials = _Written(out), []
    for framework in frameworks:
        values = framework_values(framework, prepared, min_count, spatial)
        if values.empty:
            continue
        district = values["district_code"]
        # a city row of a kind that combines it over the parts: the part's sums
        partial = (values["partial_small"].notna() if "partial_small" in values
                   else pd.Series(False, index=values.index)).to_numpy(dtype=bool)
        mine = (district.ne(REST_OF_CITY) & (True if keep_city else district.notna())
                ).to_numpy(dtype=bool) & ~partial
        if partial.any():
            partials.append(values[partial].assign(framework=framework.framework))
        written.add(framework.framework, values.drop(columns=PARTIAL_COLUMNS, errors="ignore"),
                    mine)
        del values  # written: the next framework's peak does not come on top of it
    result = written.result(len(spatial.districts), started)
    if partials:
        result = replace(result, partials=pd.concat(partials, ignore_index=True))
    return result


def _combined(partials: pd.DataFrame, out: Path) -> TaskResult:
    """The city rows of the kinds that combine them over the parts, written to ``out``."""
    started = _clock()
    found = []
    for name, rows in partials.groupby("framework", sort=True):
        city = combined_city_rows(rows.drop(columns="framework").rename(
            columns={"source_runs": "runs"})).rename(columns={"runs": "source_runs"})
        # no scores (``in_parts``): coverage is whether there is a value
        city = city.assign(score=np.nan, coverage=city["value"].notna().astype(float))
        found.append((str(name), city))
    return replace(_written(found, 0, out, started), in_parent=True)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


class _Written:
    """A task's values, each framework's written to a Parquet file of its own as soon as it
    is made (``<out stem>-<k>.parquet``), so a task holds one framework's values at a time."""

    def __init__(self, out: Path):
        self.out = out
        self.rows: dict[str, int] = {}
        self.files: list[Path] = []

    def add(self, name: str, values: pd.DataFrame, keep: np.ndarray | None = None) -> None:
        """``values``' rows (those of ``keep`` only), converted once and then cut in Arrow,
        cheaper than a pandas filter of every text column before the same conversion."""
        table = pa.Table.from_pandas(values.assign(framework=name), preserve_index=False)
        if keep is not None:
            table = _kept(table, np.asarray(keep, dtype=bool))
        self.rows[name] = table.num_rows
        if table.num_rows:
            path = self.out.with_name(f"{self.out.stem}-{len(self.files)}.parquet")
            pq.write_table(table, path)
            self.files.append(path)

    def result(self, districts: int, started: tuple[float, float]) -> TaskResult:
        return TaskResult(tuple(self.rows), districts, dict(self.rows), tuple(self.files),
                          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          os.getpid(), time.perf_counter() - started[0],
                          time.process_time() - started[1])


def _kept(table: pa.Table, keep: np.ndarray) -> pa.Table:
    """``table``'s rows where ``keep``. The kept rows come in a few runs (a part's districts,
    then its city rows): zero-copy slices of each run, where ``Table.filter`` copies every
    column (600,000 rows of five columns: 1.4 ms of CPU against 11 ms)."""
    edges = np.flatnonzero(np.diff(keep.astype(np.int8), prepend=0, append=0))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    if len(runs) > 64:  # rows interleaved: one filter beats many slices
        return table.filter(pa.array(keep, type=pa.bool_()))
    if len(runs) == 1 and runs[0] == (0, table.num_rows):
        return table
    return pa.concat_tables([table.slice(start, stop - start) for start, stop in runs]
                            or [table.slice(0, 0)])


def _written(found: list[tuple[str, pd.DataFrame]], districts: int, out: Path,
             started: tuple[float, float]) -> TaskResult:
    written = _Written(out)
    for name, values in found:
        written.add(name, values)
    return written.result(districts, started)


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
