"""``day5``: watch mode for learners; generate, check and verify for maintainers; grade, similarity for instructors."""

from __future__ import annotations

import argparse
import sys

from . import course, grade_class, implementation, mutants, similarity_report, stubs
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
    watching = commands.add_parser("watch", help="re-run the kata you are on whenever you save (h: next hint, q: quit)")
    watching.add_argument("--impl", default=implementation.default(), help="the folder to watch (default: exercises)")
    mutants.add_arguments(commands.add_parser("mutants", help="run the catalogue of learner bugs; each must fail its kata's tests"))
    similar = commands.add_parser("similarity", help="how alike the submissions are, kata by kata (a reviewing aid)")
    similarity_report.arguments(similar)
    grading = commands.add_parser("grade", help="grade a class: parallel, resumable, sharded; nbgrader's gradebook")
    grade_class.arguments(grading)
    args = parser.parse_args(argv)

    if args.command == "watch":
        try:
            implementation.resolve(args.impl)
        except ValueError as error:
            watching.error(str(error))
        from .watch import watch

        return watch(args.impl)
    if args.command == "grade":
        return grade_class.main(args, grading.error)

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
