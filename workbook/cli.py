"""``day5``: the maintainer's command (generate stubs, check for drift, verify the workbook)."""

from __future__ import annotations

import argparse
import sys

from . import stubs
from .implementation import NAMED
from .verify import verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="day5", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("generate", help="regenerate exercises/ from solutions/ (a changed file is kept as .bak)")
    commands.add_parser("check", help="fail if exercises/ differs from what solutions/ generates")
    commands.add_parser("verify", help="the full consistency check that CI runs")
    args = parser.parse_args(argv)

    if args.command == "generate":
        stubs.write(NAMED["exercises"], backup=True)
        return 0
    problems = stubs.drift() if args.command == "check" else verify()
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.command == "check" and not problems:
        print("exercises/ matches solutions/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
