"""``python -m benchmarks``: run the measurements, print the table, write the results file."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import report, suite

HERE = Path(__file__).resolve().parent


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Time the day5 reference against tokenizers, tiktoken and torch.")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one round, to check that the harness works (timings mean little)")
    parser.add_argument("--repeat", type=positive, help="rounds per measurement; the medians are reported"
                        " (default: 5, or 1 with --quick)")
    parser.add_argument("--only", action="append", choices=suite.MEASUREMENTS,
                        help="run only this measurement (repeatable)")
    parser.add_argument("--out", type=Path, help="the JSON results file (default: benchmarks/results.json,"
                        " or benchmarks/results-quick.json with --quick)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = suite.QUICK if args.quick else suite.FULL
    repeat = args.repeat or (1 if args.quick else 5)
    out = args.out or HERE / ("results-quick.json" if args.quick else "results.json")
    names = tuple(name for name in suite.MEASUREMENTS if not args.only or name in args.only)
    results, corpora = suite.run(names, sizes, repeat)
    if args.quick:
        print("quick mode: tiny sizes, one round; the timings say nothing about the targets\n")
    print(report.table(results, judged=not args.quick))
    report.write_json(out, report.payload(results, corpora, "quick" if args.quick else "full", repeat))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
