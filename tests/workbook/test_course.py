"""The nbgrader course notebooks: generated, well formed, leak-free; grade cells grade."""

import os
import subprocess
import sys
import textwrap

import pytest

from workbook import implementation
from workbook.authoring import course, stubs
from workbook.katas import KATAS


@pytest.fixture(scope="module", autouse=True)
def nbformat():
    """nbformat, imported here and not at collection, which it would slow by seconds."""
    return pytest.importorskip("nbformat")


def nbgrader_cells(notebook):
    return [cell for cell in notebook.cells if "nbgrader" in cell.metadata]


def test_the_notebooks_are_generated_from_the_solutions():
    assert course.drift() == []


def test_the_course_holds_every_solution_module():
    assert sorted(course.MODULES) == sorted(path.stem for path in stubs.solution_files() if path.stem != "__init__")


def test_each_kata_is_one_solution_cell_then_a_locked_grade_cell_worth_its_points(nbformat):
    cells = nbgrader_cells(nbformat.read(course.SOURCE, as_version=4))
    ids = [cell.metadata.nbgrader.grade_id for cell in cells]
    assert len(set(ids)) == len(ids)
    assert all(cell.metadata.nbgrader.schema_version == 3 for cell in cells)
    solutions = [i for i, cell in enumerate(cells) if cell.metadata.nbgrader.solution]
    assert [ids[i] for i in solutions] == [kata.slug for kata in KATAS]
    for i, kata in zip(solutions, KATAS):
        grade = cells[i + 1].metadata.nbgrader
        assert (grade.grade, grade.locked, grade.points, grade.grade_id) == (True, True, kata.points, f"test_{kata.slug}")
        assert f"grade({kata.slug!r}, globals())" in cells[i + 1].source
    assert all(cell.metadata.nbgrader.locked for cell in cells if not cell.metadata.nbgrader.solution)


def test_the_workbook_notebook_leaks_no_solution_line(nbformat):
    """No line that appears only inside a solution region of solutions/ is in the release
    (a line that the given code or the notebook's demo also has is no secret)."""
    inside, outside = set(), set()
    for path in stubs.solution_files():
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines()]
        hidden = {n for _, begin, end in stubs.regions(text) for n in range(begin, end - 1)}
        inside |= {line for n, line in enumerate(lines) if n in hidden}
        outside |= {line for n, line in enumerate(lines) if n not in hidden}
    secret = inside - outside - {line.strip() for line in course.DEMO.splitlines()} - {""}
    assert len(secret) > 150  # the check has something to find
    release = {line.strip() for cell in nbformat.read(course.RELEASE, as_version=4).cells for line in cell.source.splitlines()}
    assert secret & release == set()
    assert "SOLUTION" not in course.RELEASE.read_text(encoding="utf-8")


def test_a_notebook_namespace_is_every_module_and_swapping_a_name_swaps_the_global():
    namespace = {"greedy": max}
    implementation.attach("a-notebook", namespace)
    try:
        module = implementation.load("a-notebook", "generation")
        assert module is implementation.load("a-notebook", "tokenizers") and module.greedy is max
        module.greedy = min
        assert namespace["greedy"] is min and not implementation.is_reference("a-notebook")
        assert not hasattr(module, "sample")
    finally:
        del implementation.NAMESPACES["a-notebook"]


GRADE = """
import sys
import nbformat
from workbook.grading import grade

notebook = nbformat.read(sys.argv[1], as_version=4)
namespace = {}
for cell in notebook.cells:
    if cell.cell_type == "code" and "grade(" not in cell.source and cell.metadata.nbgrader.grade_id != "demo":
        exec(cell.source, namespace)
before = dict(namespace)
try:
    grade(sys.argv[2], namespace)
except AssertionError as error:
    print("FAILED:", error)
assert namespace.keys() == before.keys() and all(namespace[k] is v for k, v in before.items()), "names changed"
"""


def run_grade(notebook, slug, **env):
    """Run one grade cell's call in a fresh interpreter, as a kernel would."""
    environment = {key: value for key, value in os.environ.items() if key != "DAY5_HIDDEN_TESTS"} | env
    done = subprocess.run(
        [sys.executable, "-c", GRADE, str(notebook), slug], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_grade_cell_passes_the_reference_and_leaves_the_notebook_as_it_was():
    output = run_grade(course.SOURCE, "softmax")
    assert "FAILED" not in output and "tests passed, 10/10 points" in output


def test_a_failing_grade_cell_shows_the_law_the_first_hint_and_how_to_see_more_without_terminal_advice():
    output = run_grade(course.RELEASE, "softmax")
    kata = next(kata for kata in KATAS if kata.slug == "softmax")
    assert "not started yet: implement `softmax` in the notebook" in output
    assert f"Hint 1/3: {kata.hints[0]}" in output and "More: hint('softmax', 2)" in output
    assert "FAILED: Softmax and log-softmax: not every test passed" in output
    assert "pytest" not in output and "\x1b[" not in output and "[39;49" not in output


def test_hint_shows_the_deeper_levels_in_the_notebook(capsys):
    from workbook.grading import hint

    hint("adam", 3)
    assert capsys.readouterr().out.startswith(f"Hint 3/3: {KATAS[9].hints[2]}")
    with pytest.raises(ValueError, match="level must be 1 to 3"):
        hint("adam", 4)


def test_private_hidden_tests_count_for_their_kata_and_stay_private(tmp_path):
    from workbook import trees
    from workbook.grader import autograde, sandbox

    (tmp_path / "test_06_private.py").write_text(textwrap.dedent("""
        def test_softmax_of_one_logit_is_two(day5):
            assert day5.softmax([0.0])[0] == 2.0, "SECRET"
    """), encoding="utf-8")
    (tmp_path / "test_07_other_kata.py").write_text("def test_no(): assert False\n", encoding="utf-8")
    kata = KATAS[5]
    hidden = autograde.hidden_tests(kata, tmp_path)
    assert [path.name for path in hidden] == ["test_06_private.py"]
    answer = trees.answers_from_folder(implementation.NAMED["solutions"])[kata.slug]
    result = autograde.grade_kata(kata, answer, sandbox.Limits(seconds=120), hidden)
    assert not result.passed
    assert result.lines == ("Softmax and log-softmax: a hidden test did not pass: test_06_private.py::test_softmax_of_one_logit_is_two",)
    assert autograde.grade_kata(kata, answer, sandbox.Limits(seconds=120), []).passed
