"""How fast ``day5 grade`` grades a class: submissions per minute for --jobs 1 and 2.

    python -m benchmarks.grade_class --students 200 [--jobs 1 2] [--timeout 60]

Builds a synthetic course in a temporary folder (``nbgrader generate_assignment``, then
``submitted/<student>/day5/day5.ipynb`` for every student, cycling through the kinds in
``KINDS``: the reference, partial work, broken code, a hostile notebook and an untouched
release), grades it from scratch once per ``--jobs`` value, and prints submissions per
minute, the scaling from the first ``--jobs`` value, and the machine's load average
(other work on the machine slows grading; the numbers are honest only with it).
``make_class`` is also what ``tests/grading/test_grade_class.py`` builds its class with.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

from workbook.authoring import course, stubs
from workbook.katas import KATAS, kata_for_slug

EVERY_KATA = tuple(kata.slug for kata in KATAS)
TOKENIZERS = EVERY_KATA[:4]

STUB = "\n        # YOUR CODE HERE\n        raise NotImplementedError()"
LOOPS_FOREVER = "\n        while True:\n            pass"
RAISES_AT_IMPORT = "import no_such_module_for_day5\n\n"
SYNTAX_ERROR = "def broken(:\n    pass\n\n"
PRINTS_MEGABYTES = 'for _ in range(50_000):\n    print("spam " * 20)\n\n'
DELETES_FILES = 'import os\n\nfor name in os.listdir("."):\n    if os.path.isfile(name):\n        os.remove(name)\n\n'
EATS_MEMORY = "hoard = [bytearray(1 << 26) for _ in range(200)]  # 13 GB\n\n"


def nbgrader(folder: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """``nbgrader *args`` in ``folder``, with this Python's scripts (nbgrader runs ``alembic``) on PATH."""
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    env.pop("DAY5_HIDDEN_TESTS", None)
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
    )


def solution_cells(notebook) -> dict:
    return {c.metadata.nbgrader.grade_id: c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")}


def fill(release, source, filled=()):
    """The release with the katas in ``filled`` answered as the reference answers them; ``{grade_id: cell}`` too."""
    notebook = copy.deepcopy(release)
    answers = solution_cells(source)
    for slug, cell in solution_cells(notebook).items():
        if slug in filled:
            cell.source = stubs.clear_solutions(answers[slug].source, keep=kata_for_slug(slug).names)
    return notebook, {c.metadata.nbgrader.grade_id: c for c in notebook.cells if "nbgrader" in c.metadata}


def reference(release, source):
    return fill(release, source, EVERY_KATA)[0]


def blank(release, source):
    return fill(release, source)[0]


def partial(release, source):
    return fill(release, source, TOKENIZERS)[0]


def broken(release, source):
    """Everything answered, but kata 1 does not parse and the softmax cell raises at import."""
    notebook, cells = fill(release, source, EVERY_KATA)
    cells["character_tokenizer"].source = SYNTAX_ERROR + cells["character_tokenizer"].source
    cells["softmax"].source = RAISES_AT_IMPORT + cells["softmax"].source
    return notebook


def hostile(release, source):
    """Tokenizers and Adam answered; then: files deleted with ``import os``, megabytes printed,
    SGD loops forever, the gradient clipping cell eats memory, a locked grade cell says ``pass``."""
    notebook, cells = fill(release, source, (*TOKENIZERS, "adam", "gradient_clipping"))
    cells["bpe_basics"].source = DELETES_FILES + cells["bpe_basics"].source
    cells["word_tokenizer"].source = PRINTS_MEGABYTES + cells["word_tokenizer"].source
    assert STUB in cells["sgd"].source
    cells["sgd"].source = cells["sgd"].source.replace(STUB, LOOPS_FOREVER)
    cells["gradient_clipping"].source = EATS_MEMORY + cells["gradient_clipping"].source
    cells["test_data_loader"].source = "pass"
    return notebook


KINDS = {"reference": reference, "partial": partial, "broken": broken, "hostile": hostile, "blank": blank}
# what each kind scores, kata by kata (the reference's points where it passes)
PASSING = {
    "reference": EVERY_KATA,
    "partial": TOKENIZERS,
    "broken": tuple(slug for slug in EVERY_KATA if slug not in ("character_tokenizer", "softmax")),
    "hostile": ("word_tokenizer", "bpe_tokenizer", "adam"),
    "blank": (),
}


def make_course(root: Path, timeout: float | None = None) -> Path:
    """A course folder with the course's config and source, released by nbgrader (gradebook.db)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.SOURCE.parents[2] / "nbgrader_config.py", root)
    if timeout is not None:
        with (root / "nbgrader_config.py").open("a", encoding="utf-8") as file:
            file.write(f"\nc.GradeKatas.timeout = {timeout:g}\n")
    shutil.copytree(course.SOURCE.parents[1], root / "source")
    done = nbgrader(root, "generate_assignment", "day5")
    if done.returncode:
        raise RuntimeError(done.stderr)
    return root


def hand_in(root: Path, students: dict[str, str]) -> None:
    """``submitted/<student>/day5/day5.ipynb`` for each ``{student: kind}``; the kind ``unreadable`` is not JSON."""
    import nbformat

    release = nbformat.read(root / "release" / "day5" / "day5.ipynb", as_version=4)
    source = nbformat.read(course.SOURCE, as_version=4)
    made = {}
    for student, kind in students.items():
        folder = root / "submitted" / student / "day5"
        folder.mkdir(parents=True, exist_ok=True)
        if kind == "unreadable":
            (folder / "day5.ipynb").write_text('{"cells": [ this is not a notebook', encoding="utf-8")
            continue
        if kind not in made:
            made[kind] = nbformat.writes(KINDS[kind](release, source))
        (folder / "day5.ipynb").write_text(made[kind], encoding="utf-8")


def synthetic_class(size: int) -> dict[str, str]:
    kinds = list(KINDS)
    return {f"s{i:04d}": kinds[i % len(kinds)] for i in range(size)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grade_class", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200, help="class size (default 200)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to compare (default 1 2)")
    parser.add_argument("--timeout", type=float, default=None, help="c.GradeKatas.timeout (default: the course's)")
    args = parser.parse_args(argv)
    if args.students < 1 or min(args.jobs) < 1:
        parser.error("--students and --jobs must be 1 or more")
    import tempfile

    from workbook.classroom.grade_class import Course, grade

    students = synthetic_class(args.students)
    counts = {kind: list(students.values()).count(kind) for kind in KINDS}
    print(f"class of {args.students}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    rates = {}
    with tempfile.TemporaryDirectory(prefix="day5-bench-") as scratch:
        root = make_course(Path(scratch) / "course", args.timeout)
        hand_in(root, students)
        for jobs in args.jobs:
            load = os.getloadavg()[0]
            report = grade(Course(root), jobs, force=True, progress=True)
            rates[jobs] = len(report.graded) / report.seconds * 60
            print(
                f"--jobs {jobs}: {len(report.graded)} submissions in {report.seconds:.0f} s = {rates[jobs]:.1f} per minute "
                f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores); "
                f"{report.kata_failures} kata failures"
            )
    first = args.jobs[0]
    for jobs in args.jobs[1:]:
        print(f"--jobs {jobs} vs {first}: {rates[jobs] / rates[first]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
