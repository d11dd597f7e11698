"""python -m bench.indicators [--quick | --target] [--note TEXT]"""

from __future__ import annotations

import argparse

from bench.indicators.benchmark import FULL, QUICK, TARGET, run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.indicators", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run, for development")
    parser.add_argument("--target", action="store_true",
                        help="5,000 districts once, the store part at 1,000: a shared machine")
    parser.add_argument("--note", default="", help="a remark for the result table")
    args = parser.parse_args()
    case = QUICK if args.quick else TARGET if args.target else FULL
    name = "indicators-quick" if args.quick else "indicators"
    run_benchmark(case, note=args.note, name=name)
    print(f"wrote bench/results/{name}.md and .json")


if __name__ == "__main__":
    main()
