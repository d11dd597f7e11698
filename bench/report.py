"""Where and when a benchmark ran, and its result files: a Markdown table and a JSON twin."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine(packages: list[str], note: str = "") -> dict:
    """The facts a reader needs to judge the timings: CPU, cores, memory, load, versions."""
    load = os.getloadavg()
    cores = os.cpu_count() or 1
    busy = load[0] > 0.5 * cores
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15": [round(x, 2) for x in load],
        # One-minute load above half the cores means other work competed for the CPU.
        "shared": busy,
        "note": note,
        "versions": {name: _version(name) for name in packages},
    }


def machine_markdown(info: dict) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    load = " / ".join(str(x) for x in info["load_average_1_5_15"])
    shared = ("**shared**: other work was running (load average above half the cores), so "
              "absolute times are noisy; compare the ratios, which come from one run"
              if info["shared"] else "not visibly shared (low load average)")
    lines = [
        f"- date: {info['date']}",
        (f"- machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
        f"{info['platform']}; Python {info['python']}"),
        f"- load average at start (1/5/15 min): {load}; {shared}",
        f"- versions: {versions}",
    ]
    if info["note"]:
        lines.append(f"- note: {info['note']}")
    return "\n".join(lines)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(name: str, markdown: str, payload: dict,
                  out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / f"{name}.md", out_dir / f"{name}.json"
    md.write_text(markdown.rstrip() + "\n", encoding="utf-8")
    js.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md, js


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
