"""python -m bench.compare [--quick] [--note TEXT] [--name NAME]"""

from __future__ import annotations

import argparse

from bench.compare.benchmark import FULL, QUICK, run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run, for development")
    parser.add_argument("--note", default="", help="a remark for the result table")
    parser.add_argument("--name", help="the result files' name in bench/results (default: "
                        "compare, or compare-quick); e.g. compare-shared for a shared machine")
    args = parser.parse_args()
    case = QUICK if args.quick else FULL
    name = args.name or ("compare-quick" if args.quick else "compare")
    run_benchmark(case, note=args.note, name=name)
    print(f"wrote bench/results/{name}.md and .json")


if __name__ == "__main__":
    main()
