"""kde_grid against KDEpy's FFTKDE and scipy's gaussian_kde: time, peak memory, error."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bench import report
from bench.kde import contenders
from bench.kde.case import (
    NOISE_SHARE,
    KdeCase,
    clustered_points,
    exact_density,
    sample_cells,
)
from bench.measure import measure, start_child_server

TIME_TARGET = 2.0  # kde_grid's time ÷ FFTKDE's, at most
ERROR_TARGET = 0.01  # max abs error ÷ peak density, at most
PACKAGES = ["numpy", "scipy", "KDEpy"]


def run_benchmark(case: KdeCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "kde") -> dict:
    start_child_server()  # before the data exists, so the contenders' memory is their own
    machine = report.machine(PACKAGES, note)
    points = clustered_points(case)
    rows, cols = sample_cells(case, points)
    cells_xy = case.cell_xy(rows, cols)
    with tempfile.TemporaryDirectory(prefix="bench-kde-") as tmp:
        points_path = str(Path(tmp) / "points.npy")
        np.save(points_path, points)
        ours = measure(contenders.setup_kde_grid, contenders.run_kde_grid, points_path, case,
                       repeats=case.repeats)
        fft = measure(contenders.setup_fftkde, contenders.run_fftkde, points_path, case,
                      repeats=case.repeats)
        sci = measure(contenders.setup_scipy, contenders.run_scipy, points_path, case,
                      cells_xy, repeats=1)

    grids = {"kde_grid": ours.result, "FFTKDE": contenders.fftkde_as_grid(fft.result, case)}
    # The error sample plus each grid's own maximum, so the peak itself is checked too.
    peaks = [np.unravel_index(np.argmax(g), g.shape) for g in grids.values()]
    err_rows = np.concatenate([rows[: case.error_cells], [p[0] for p in peaks]])
    err_cols = np.concatenate([cols[: case.error_cells], [p[1] for p in peaks]])
    exact = exact_density(points, case.cell_xy(err_rows, err_cols), case.bandwidth_m)
    peak = float(exact.max())
    errors = {label: float(np.abs(g[err_rows, err_cols] - exact).max() / peak)
              for label, g in grids.items()}
    scipy_values = sci.result[: case.error_cells] * case.n_points
    errors["gaussian_kde"] = float(
        np.abs(scipy_values - exact[: case.error_cells]).max() / peak)

    all_cells = case.grid_cells**2
    # The share of the points' kernel mass on the grid: a kernel cut without renormalising
    # shows here (uniform noise near the edges spills a little off the grid for everyone).
    mass = {label: float(g.sum() * case.cell_size**2 / case.n_points)
            for label, g in grids.items()}
    results = {
        "kde_grid": _entry(ours, errors["kde_grid"], mass["kde_grid"]),
        "FFTKDE": _entry(fft, errors["FFTKDE"], mass["FFTKDE"]),
        "gaussian_kde": _entry(sci, errors["gaussian_kde"], None,
                               extrapolate=all_cells / len(cells_xy)),
    }
    for entry in results.values():
        entry["ratio_to_fftkde"] = entry["seconds"] / results["FFTKDE"]["seconds"]
    payload = {"benchmark": "kde", "machine": machine, "case": asdict(case),
               "peak_density_per_m2": peak, "evaluated_scipy_cells": len(cells_xy),
               "targets": {"time_ratio_max": TIME_TARGET, "error_max": ERROR_TARGET},
               "results": results}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


def _entry(m, error: float, mass: float | None, extrapolate: float = 1.0) -> dict:
    return {"seconds": m.best * extrapolate, "measured_seconds": m.seconds,
            "cpu_seconds": m.best_cpu * extrapolate, "measured_cpu_seconds": m.cpu_seconds,
            "extrapolation_factor": extrapolate, "peak_rss_mb": m.peak_mb,
            "added_rss_mb": m.added_mb, "max_abs_error_over_peak": error,
            "grid_mass_over_n": mass}


def _markdown(case: KdeCase, payload: dict) -> str:
    res = payload["results"]
    n_scipy = payload["evaluated_scipy_cells"]
    rows = []
    for label, title in (("kde_grid", "`maps.heat.kde_grid`"),
                         ("FFTKDE", "KDEpy `FFTKDE`"),
                         ("gaussian_kde", "scipy `gaussian_kde`")):
        e = res[label]
        if label == "gaussian_kde":
            time = (f"{e['seconds']:,.0f} (extrapolated: {e['measured_seconds'][0]:.2f} s "
                    f"for {n_scipy:,} cells)")
        else:
            time = f"{e['seconds']:.3f} (best of {len(e['measured_seconds'])})"
        mass = e["grid_mass_over_n"]
        rows.append([title, time, f"{e['cpu_seconds']:,.3f}", f"{e['ratio_to_fftkde']:,.2f}×",
                     f"{e['peak_rss_mb']:,.0f}", f"{e['added_rss_mb']:,.0f}",
                     f"{100 * e['max_abs_error_over_peak']:.4f} %",
                     "–" if mass is None else f"{mass:.4f}"])
    ratio = res["kde_grid"]["ratio_to_fftkde"]
    error = res["kde_grid"]["max_abs_error_over_peak"]
    verdicts = "\n".join([
        (f"- `kde_grid` time ≤ {TIME_TARGET:g}× FFTKDE's: **{_met(ratio <= TIME_TARGET)}** "
        f"({ratio:.2f}×)"),
        (f"- `kde_grid` error ≤ {100 * ERROR_TARGET:g} % of the peak: "
        f"**{_met(error <= ERROR_TARGET)}** ({100 * error:.4f} %)"),
    ])
    header = ["contender", "time (s)", "CPU (s)", "÷ FFTKDE time", "peak RSS (MB)",
              "RSS above input (MB)", "max abs error ÷ peak", "grid mass ÷ n"]
    km = case.extent_m / 1000
    inputs = (f"Input: {case.n_points:,} seeded points (five Gaussian clusters and "
              f"{100 * NOISE_SHARE:.0f} % uniform noise) over {km:g} km × {km:g} km; grid "
              f"{case.grid_cells} × {case.grid_cells} cells of {case.cell_size:.2f} m; Gaussian "
              f"kernel σ = {case.bandwidth_m:g} m for every contender.")
    how = "\n".join([
        "How it was measured:",
        "",
        ("- Each contender runs in its own child process (forked from a bare fork server). Time "
        "is wall-clock for the computation only (input already loaded; FFTKDE's explicit grid "
        "of cell centres is built before the clock starts); CPU is the process's CPU time (all "
        "threads), the steadier number on a shared machine; ratios use wall-clock. Peak RSS is "
        "`resource.getrusage(RUSAGE_SELF).ru_maxrss` of the child after the runs; *RSS above "
        "input* subtracts the same reading taken after the setup (interpreter, imports and "
        "points loaded)."),
        ("- FFTKDE: `FFTKDE(kernel='gaussian', bw=σ, norm=2).fit(points).evaluate(cell_centres)`"
        "; its pdf is multiplied by n to compare with `kde_grid`'s density per m²."),
        ("- gaussian_kde (a subclass with the isotropic covariance σ²I, since scipy otherwise "
        "scales the data's covariance) is far too slow for every cell: it is evaluated on "
        f"{n_scipy:,} sampled cells and its time is **extrapolated** linearly to all "
        f"{case.grid_cells**2:,} cells; its memory is that of the sampled run."),
        (f"- Error: the exact KDE (a direct sum over all points) at {case.error_cells:,} cells "
        "(half at the cells of random points, so dense areas are covered, half uniform) plus "
        "the maximum cell of each grid; max |estimate − exact| ÷ the largest exact value "
        f"({payload['peak_density_per_m2']:.4g} points per m²)."),
        ("- Grid mass ÷ n: the grid's sum × cell area ÷ the number of points; below 1 where "
        "kernel mass is lost (a kernel cut without renormalising, or spilling off the edges)."),
    ])
    return "\n\n".join([
        f"# KDE heat grid: `kde_grid` against FFTKDE and gaussian_kde ({case.label} run)",
        report.machine_markdown(payload["machine"]), inputs, report.table(header, rows),
        verdicts, how,
    ])


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"
