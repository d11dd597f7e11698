"""python -m bench.scale [--quick] [--note TEXT]"""

from __future__ import annotations

import argparse

from bench.scale.benchmark import FULL, QUICK, run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run, for development")
    parser.add_argument("--note", default="", help="a remark for the result table")
    args = parser.parse_args()
    case = QUICK if args.quick else FULL
    name = "scale-quick" if args.quick else "scale"
    run_benchmark(case, note=args.note, name=name)
    print(f"wrote bench/results/{name}.md and .json")


if __name__ == "__main__":
    main()
