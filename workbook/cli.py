"""day5: the command line of the Day 5 kata workbook.

who          commands
-----------  ----------------------------------
learner      watch
maintainer   generate, check, verify, mutants
instructor   grade, similarity

Run `day5 COMMAND --help` for what a command does and its options.
"""

from __future__ import annotations

import argparse
import sys

from . import implementation
from .authoring import course, mutants, stubs
from .authoring.verify import verify
from .classroom import grade_class, similarity_report
from .implementation import NAMED

GENERATE = """\
Regenerate exercises/day5/ (the learner's stubs) and the notebooks from solutions/day5/
and the kata manifest. An exercise file that someone edited (neither what solutions/
generates now nor what its last commit generated) is not overwritten: generate names
each such file and stops, writing nothing. With --force it overwrites them and keeps
each old file as <name>.bak (it prints where)."""
CHECK = "Fail, showing the differences, if exercises/ or the notebooks differ from what solutions/ generates."
VERIFY = (
    "The full consistency check that CI runs: no drift, the stubs fail every graded test, "
    "the reference passes them all."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="day5", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    watching = commands.add_parser(
        "watch", help="learner: re-run the kata you are on whenever you save (h: next hint, a: every kata, q: quit)",
        description="Re-run the tests of the kata you are on whenever you save a file; the table keeps every kata's"
        " progress. Type a key and Enter: h for the next hint, a to run every kata on each save (again: only yours), q to quit.",
    )
    watching.add_argument("--impl", default=implementation.default(), help="the folder to watch (default: exercises)")
    generating = commands.add_parser(
        "generate", help="maintainer: regenerate exercises/ and the notebooks from solutions/",
        description=GENERATE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    generating.add_argument(
        "--force", action="store_true", help="overwrite edited exercise files too (each old file is kept as <name>.bak)"
    )
    commands.add_parser("check", help="maintainer: fail if exercises/ or the notebooks differ from solutions/", description=CHECK)
    commands.add_parser("verify", help="maintainer: the full consistency check that CI runs", description=VERIFY)
    mutants.add_arguments(commands.add_parser(
        "mutants", help="maintainer: run the catalogue of learner bugs; each must fail its kata's tests",
        description="Run the catalogue of learner bugs; each must fail its kata's tests.",
    ))
    grading = commands.add_parser(
        "grade", help="instructor: grade a class: parallel, resumable, sharded; nbgrader's gradebook",
        description="Grade a class through the sandboxed grader: parallel, resumable, sharded; into nbgrader's gradebook.",
    )
    grade_class.arguments(grading)
    similar = commands.add_parser(
        "similarity", help="instructor: how alike the submissions are, kata by kata (a reviewing aid)",
        description="How alike the submissions are, kata by kata: every pair as CSV, the close pairs side by side in HTML.",
    )
    similarity_report.arguments(similar)
    args = parser.parse_args(argv)

    if args.command == "watch":
        try:
            implementation.resolve(args.impl)
        except ValueError as error:
            watching.error(str(error))
        from .learner.watch import watch

        return watch(args.impl)
    if args.command == "grade":
        return grade_class.main(args, grading.error)

    if args.command == "similarity":
        return similarity_report.main(args, similar.error)
    if args.command == "mutants":
        return mutants.command(args)
    if args.command == "generate":
        return generate(args.force)
    problems = stubs.drift() + course.drift() if args.command == "check" else verify()
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.command == "check" and not problems:
        print("exercises/ and the notebooks match solutions/")
    return 1 if problems else 0


def generate(force: bool) -> int:
    """``day5 generate``: refuse (exit 1, nothing written) to overwrite an edited exercise without ``force``."""
    exercises = NAMED["exercises"]
    edited = stubs.changed(exercises)
    if edited and not force:
        print("day5 generate: these exercise files hold changes that generating would overwrite:", file=sys.stderr)
        for path in edited:
            print(f"  {path.relative_to(exercises.parent)}", file=sys.stderr)
        print("Nothing was written. To overwrite them anyway, each old file kept as <name>.bak:"
              " day5 generate --force", file=sys.stderr)
        return 1
    stubs.write(exercises, backup=True)
    course.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
