"""What one bad kata may cost: its own points, never the submission (workbook.grader.autograde, trees).

These run the real sandbox with the allow-list switched off (``allowlist=False``), as
code that got past it would run: full Python inside the kata's process.
"""

import json
import os
import subprocess
import sys

import pytest

from workbook import trees
from workbook.authoring import course
from workbook.grader import autograde, sandbox
from workbook.implementation import NAMED
from workbook.katas import KATAS, kata_for_slug

LIMITS = sandbox.Limits(seconds=30, memory=2 << 30)


@pytest.fixture(scope="module")
def reference_answers():
    return trees.answers_from_folder(NAMED["solutions"])


@pytest.mark.parametrize("bomb", ["-" * 200_000 + "1", "a" + ".b" * 200_000, "x = 1\0"])
def test_a_parser_bomb_or_a_null_byte_costs_its_own_kata(bomb):
    pytest.importorskip("nbformat")
    notebook = course.notebook()
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "sgd":
            cell.source = bomb
    answers = trees.answers_from_notebook(notebook)
    assert answers["sgd"].problem.startswith("does not parse")
    assert all(answer.problem is None for slug, answer in answers.items() if slug != "sgd")


def test_metadata_that_is_not_nbgraders_costs_nothing_but_its_cell():
    pytest.importorskip("nbformat")
    notebook = course.notebook()
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    cells[0].metadata["nbgrader"] = "solution"
    cells[1].metadata["nbgrader"] = {"grade": True, "grade_id": 7}
    answers = trees.answers_from_notebook(notebook)
    autograde.write_outputs(notebook, {})
    assert len(answers) == len(trees.KATAS)


def test_feedback_is_cut_to_a_few_short_lines():
    lines = autograde._cut(["x" * 5_000_000, *(["line"] * 10_000)])
    assert len(lines) <= autograde.FEEDBACK_LINES and all(len(line) <= autograde.FEEDBACK_CHARS for line in lines)


KILLS_ITS_RUNNER = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
FLOODS_ITS_ERROR = "def get_pair_counts(ids):\n    raise ValueError('leak ' * 2_000_000)\n\ndef merge_pair(ids, pair, new_id):\n    raise ValueError('x')\n"


def test_a_kata_that_kills_the_shared_runner_costs_itself_only(reference_answers):
    answers = {
        "character_tokenizer": reference_answers["character_tokenizer"],
        "word_tokenizer": trees.Answer(KILLS_ITS_RUNNER, "<cell>"),
        "bpe_basics": trees.Answer(FLOODS_ITS_ERROR, "<cell>"),
        "softmax": reference_answers["softmax"],
    }
    results = autograde.grade_katas(answers, LIMITS, {}, jobs=2, allowlist=False)
    assert [slug for slug, result in results.items() if result.passed] == ["character_tokenizer", "softmax"]
    flood = results["bpe_basics"].lines
    assert len(flood) <= autograde.FEEDBACK_LINES and sum(map(len, flood)) < 20_000
    assert results["word_tokenizer"].lines[0].startswith(kata_for_slug("word_tokenizer").title)
    json.dumps([result.lines for result in results.values()])  # what the grade cells show is plain text


def test_each_kata_finds_its_fixtures_in_the_folder_the_grader_builds(tmp_path, reference_answers):
    """The grader copies ``tests/day5/conftest.py`` and the kata's test file, and nothing else of ``tests/``:
    a fixture a kata's tests use from anywhere else is missing when grading (``--setup-plan`` resolves
    every test's fixtures without running it)."""
    for kata in KATAS:
        folder = autograde._prepare(tmp_path / kata.slug, kata, reference_answers[kata.slug], hidden=[])
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--setup-plan", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
             f"--rootdir={folder}", f"--impl={folder / 'tree'}", str(folder / "tests")],
            cwd=folder, capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0 and "not found" not in done.stdout, f"{kata.slug}:\n{done.stdout[-3000:]}"
