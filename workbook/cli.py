"""``day5``: the maintainer's command (generate stubs, check for drift, verify the workbook)."""

from __future__ import annotations

import argparse
import sys

from . import course, mutants, similarity_report, stubs
from .implementation import NAMED
from .verify import verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="day5", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "generate", help="regenerate exercises/ and the notebooks from solutions/ (a changed exercise is kept as .bak)"
    )
    commands.add_parser("check", help="fail if exercises/ or the notebooks differ from what solutions/ generates")
    commands.add_parser("verify", help="the full consistency check that CI runs")
    mutants.add_arguments(commands.add_parser("mutants", help="run the catalogue of learner bugs; each must fail its kata's tests"))
    similar = commands.add_parser("similarity", help="how alike the submissions are, kata by kata (a reviewing aid)")
    similarity_report.arguments(similar)
    args = parser.parse_args(argv)

    if args.command == "similarity":
        return similarity_report.main(args, similar.error)
    if args.command == "mutants":
        return mutants.command(args)
    if args.command == "generate":
        stubs.write(NAMED["exercises"], backup=True)
        course.write()
        return 0
    problems = stubs.drift() + course.drift() if args.command == "check" else verify()
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.command == "check" and not problems:
        print("exercises/ and the notebooks match solutions/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
