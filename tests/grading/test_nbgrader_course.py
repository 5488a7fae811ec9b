"""The nbgrader course, end to end, with the real nbgrader: release, collect, autograde, export.

In a temporary copy of ``notebooks/`` (its ``nbgrader_config.py`` and ``source/``),
``nbgrader generate_assignment`` makes the release, and six students hand it in,
in nbgrader's offline ``submitted/<student>/day5/`` layout:

- ada fills in every kata with the reference: full marks;
- ben hands in the release untouched: 0;
- cho does the tokenizer katas 1-4 only: exactly their points;
- dan does katas 1-4 and replaces kata 5's locked grade cell with ``pass``: nbgrader
  puts the original back, so he scores as if he had not touched it;
- eve does katas 1-4 and 10, but her SGD (kata 9) loops forever: that cell times out,
  grading goes on, and she scores katas 1-4 and 10;
- fay does katas 1-4, but her kata 1 cell raises at import, her kata 2 cell prints
  megabytes and her kata 3 cell deletes every file beside her notebook: she scores
  katas 2-4.

It takes a few minutes and needs nbgrader (``pip install -e ".[grading]"``); it is not
part of ``pytest -k day5``.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from workbook import course, stubs
from workbook.katas import KATAS, kata_for_slug

TOTAL = sum(kata.points for kata in KATAS)
TOKENIZERS = ("character_tokenizer", "word_tokenizer", "bpe_basics", "bpe_tokenizer")
POINTS = {kata.slug: kata.points for kata in KATAS}
EVERY_KATA = tuple(POINTS)
LOOP_TIMEOUT = 15  # seconds: eve's grading overrides the course's limit, so the test stays short

LOOPS_FOREVER = '''
        while True:
            pass'''
RAISES_AT_IMPORT = "import no_such_module_for_day5\n\n"
PRINTS_MEGABYTES = 'for _ in range(50_000):\n    print("spam " * 20)\n\n'
DELETES_FILES = 'import os\n\nfor name in os.listdir("."):\n    if os.path.isfile(name):\n        os.remove(name)\n\n'


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


def dan_passes_kata_5(cells):
    cells["test_data_loader"].source = "pass"


def eve_loops_in_sgd(cells):
    stub = "\n        # YOUR CODE HERE\n        raise NotImplementedError()"
    assert stub in cells["sgd"].source
    cells["sgd"].source = cells["sgd"].source.replace(stub, LOOPS_FOREVER)


def fay_misbehaves(cells):
    cells["character_tokenizer"].source = RAISES_AT_IMPORT + cells["character_tokenizer"].source
    cells["word_tokenizer"].source = PRINTS_MEGABYTES + cells["word_tokenizer"].source
    cells["bpe_basics"].source = DELETES_FILES + cells["bpe_basics"].source


STUDENTS = {  # id: (katas filled, edit, the points expected for each kata that scores)
    "ada": (EVERY_KATA, None, POINTS),
    "ben": ((), None, {}),
    "cho": (TOKENIZERS, None, scores(*TOKENIZERS)),
    "dan": (TOKENIZERS, dan_passes_kata_5, scores(*TOKENIZERS)),
    "eve": ((*TOKENIZERS, "adam"), eve_loops_in_sgd, scores(*TOKENIZERS, "adam")),
    "fay": (TOKENIZERS, fay_misbehaves, scores("word_tokenizer", "bpe_basics", "bpe_tokenizer")),
}


@pytest.fixture(scope="module")
def nbformat():
    """nbformat, once nbgrader is known to be installed; imported here and not at
    collection, which importing nbgrader would slow by seconds."""
    pytest.importorskip("nbgrader")
    return pytest.importorskip("nbformat")


@pytest.fixture(scope="module")
def graded(nbformat, autograde_seconds):
    """The course after release, collection, autograding and export."""
    with tempfile.TemporaryDirectory(prefix="day5-course-") as folder:
        yield grade_a_class(nbformat, Path(folder), autograde_seconds)


def grade_a_class(nbformat, root: Path, seconds: dict) -> Path:
    """Release, hand in for every student, autograde each (timed), export; the course folder."""
    shutil.copy(course.SOURCE.parents[2] / "nbgrader_config.py", root)
    shutil.copytree(course.SOURCE.parents[1], root / "source")
    done = nbgrader(root, "generate_assignment", "day5")
    assert done.returncode == 0, done.stderr
    release = nbformat.read(root / "release" / "day5" / "day5.ipynb", as_version=4)
    source = nbformat.read(course.SOURCE, as_version=4)
    for student, (filled, edit, _) in STUDENTS.items():
        folder = root / "submitted" / student / "day5"
        folder.mkdir(parents=True)
        nbformat.write(submission(release, source, filled, edit), folder / "day5.ipynb")
        options = [f"--Execute.timeout={LOOP_TIMEOUT}"] if student == "eve" else []
        start = time.perf_counter()
        done = nbgrader(root, "autograde", "day5", "--student", student, *options)
        seconds[student] = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
    done = nbgrader(root, "export", "--to", "grades.csv")
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_scores_exactly_the_katas_that_pass(graded, student):
    from nbgrader.api import Gradebook

    expected = STUDENTS[student][2]
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gradebook:
        scores = {kata.slug: gradebook.find_grade(f"test_{kata.slug}", "day5", "day5", student).score for kata in KATAS}
        total = gradebook.find_submission("day5", student).score
    assert scores == {slug: expected.get(slug, 0) for slug in POINTS}
    assert total == sum(expected.values())


def test_the_export_has_every_students_score(graded):
    with open(graded / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert {student: float(rows[student]["raw_score"]) for student in STUDENTS} == {
        student: float(sum(expected.values())) for student, (*_, expected) in STUDENTS.items()
    }
    assert {float(row["max_score"]) for row in rows.values()} == {TOTAL}


def autograded(nbformat, root: Path, student: str) -> dict:
    notebook = nbformat.read(root / "autograded" / student / "day5" / "day5.ipynb", as_version=4)
    return {cell.metadata.nbgrader.grade_id: cell for cell in notebook.cells if "nbgrader" in cell.metadata}


def test_an_edited_grade_cell_is_put_back_before_grading(nbformat, graded):
    cell = autograded(nbformat, graded, "dan")["test_data_loader"]
    assert cell.source == "from workbook.grading import grade\n\ngrade('data_loader', globals())"
    assert any(output.output_type == "error" for output in cell.outputs)


def test_a_cell_that_loops_forever_times_out_and_the_rest_is_graded(nbformat, graded):
    cells = autograded(nbformat, graded, "eve")
    assert [output.ename for output in cells["test_sgd"].outputs if output.output_type == "error"]
    assert not [output for output in cells["test_adam"].outputs if output.output_type == "error"]


def test_megabytes_of_output_are_cut_down(nbformat, graded):
    outputs = autograded(nbformat, graded, "fay")["word_tokenizer"].outputs
    assert sum(len(output.get("text", "")) for output in outputs) < 200_000


def test_the_release_is_the_committed_workbook_notebook(nbformat, graded):
    """nbgrader clears the solutions exactly as ``day5 generate`` does, so the release leaks nothing
    that ``notebooks/day5_workbook.ipynb`` leaks (tests/workbook checks that it leaks nothing)."""
    release = nbformat.read(graded / "release" / "day5" / "day5.ipynb", as_version=4)
    ours = nbformat.read(course.RELEASE, as_version=4)
    assert [cell.source for cell in release.cells] == [cell.source for cell in ours.cells]
    assert sorted(path.name for path in (graded / "release" / "day5").iterdir()) == ["day5.ipynb"]


def test_nbgrader_validates_the_source_and_the_release_fails_every_test(graded):
    done = nbgrader(graded, "validate", "source/day5/day5.ipynb")
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout + done.stderr
    done = nbgrader(graded, "validate", "--invert", "release/day5/day5.ipynb")
    assert "Success! The notebook does not pass any tests." in done.stdout, done.stdout + done.stderr
