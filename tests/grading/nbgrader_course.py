"""What the nbgrader course tests share: a course folder, submissions made from the release, nbgrader, and
reading back what it graded (``test_nbgrader_course.py``, ``test_nbgrader_full_python.py``)."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

from workbook.authoring import course, stubs
from workbook.implementation import ROOT
from workbook.katas import KATAS, kata_for_slug

TOTAL = sum(kata.points for kata in KATAS)
POINTS = {kata.slug: kata.points for kata in KATAS}
EVERY_KATA = tuple(POINTS)
HONEST = ("word_tokenizer", "bpe_basics")  # what each cheater and victim did honestly: two katas whose tests are quick
OTHERS = ("data_loader", "softmax", "adam", "text_generator")  # where a cheater puts the trick: a kata of each module
KATA_TIMEOUT = 15  # seconds a kata's tests may take at least (the limit is 10x the reference's time, with this floor)


def names(slug: str) -> tuple[str, ...]:
    return kata_for_slug(slug).names


def module(slug: str) -> str:
    return kata_for_slug(slug).module


def hand_in(nbformat, root: Path, students: dict) -> None:
    """A course in ``root`` (the repository's config and source), its release, and a submission for each of
    ``students`` (id: (katas filled, edit, ...)) in nbgrader's offline ``submitted/<student>/day5/`` layout."""
    shutil.copy(course.SOURCE.parents[2] / "nbgrader_config.py", root)
    shutil.copytree(course.SOURCE.parents[1], root / "source")
    done = nbgrader(root, "generate_assignment", "day5")
    assert done.returncode == 0, done.stderr
    release = nbformat.read(root / "release" / "day5" / "day5.ipynb", as_version=4)
    source = nbformat.read(course.SOURCE, as_version=4)
    for student, (filled, edit, *_) in students.items():
        folder = root / "submitted" / student / "day5"
        folder.mkdir(parents=True)
        notebook = submission(release, source, filled, edit)
        for cell in notebook.cells:
            cell.source = cell.source.replace("@COURSE@", str(root)).replace("@ROOT@", str(ROOT))
        nbformat.write(notebook, folder / "day5.ipynb")


def autograde(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader autograde day5 *args`` with the tests' kata time limit; it must succeed."""
    done = nbgrader(root, "autograde", "day5", *args, f"--GradeKatas.timeout={KATA_TIMEOUT}")
    assert done.returncode == 0, done.stderr
    return done


def nbgrader(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader *args`` in ``folder``, with this Python's scripts (nbgrader runs ``alembic``) on PATH."""
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    env.pop("DAY5_HIDDEN_TESTS", None)
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=900
    )


def solution_cells(notebook) -> dict:
    return {cell.metadata.nbgrader.grade_id: cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def submission(release, source, filled=(), edit=None):
    """The release with the katas in ``filled`` written as the reference has them; ``edit(cells)``
    may then change any cell, found by grade id."""
    notebook = copy.deepcopy(release)
    answers = solution_cells(source)
    for slug, cell in solution_cells(notebook).items():
        if slug in filled:
            cell.source = stubs.clear_solutions(answers[slug].source, keep=kata_for_slug(slug).names)
    if edit:
        edit({cell.metadata.nbgrader.grade_id: cell for cell in notebook.cells if "nbgrader" in cell.metadata})
    return notebook


def scores(*slugs):
    return {slug: POINTS[slug] for slug in slugs}


def assert_scores(root: Path, student: str, expected: dict) -> None:
    """The gradebook holds ``expected`` (slug: points) for ``student``'s katas, 0 for the others, and their sum."""
    from nbgrader.api import Gradebook

    assert kata_scores(root, student) == {slug: expected.get(slug, 0) for slug in POINTS}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("day5", student).score == sum(expected.values())


def kata_scores(root: Path, student: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {kata.slug: gradebook.find_grade(f"test_{kata.slug}", "day5", "day5", student).score for kata in KATAS}


def autograded(nbformat, root: Path, student: str) -> dict:
    notebook = nbformat.read(root / "autograded" / student / "day5" / "day5.ipynb", as_version=4)
    return {cell.metadata.nbgrader.grade_id: cell for cell in notebook.cells if "nbgrader" in cell.metadata}


def errors(cell) -> list[str]:
    return ["\n".join(output.traceback) for output in cell.outputs if output.output_type == "error"]
