"""The nbgrader course, end to end, with the real nbgrader, graded by a class that includes cheaters.

In a temporary copy of ``notebooks/`` (its ``nbgrader_config.py`` and ``source/``),
``nbgrader generate_assignment`` makes the release, and each student hands it in, in
nbgrader's offline ``submitted/<student>/day5/`` layout; then ``nbgrader autograde``
grades them one after another, in alphabetical order, as it does a class.

The threat model (docs/threat-model.md): a student's code runs only in a sandboxed
student process of its kata, which holds no test and no reference; the tests run in a
harness that reaches that code through proxies, and the verdict is what the harness saw.
The allow-list reads each cell first, as a friendly message. Every student below scores
exactly what their honest work earns:

- ada (the reference): 180; ben (the untouched release): 0; cho (katas 1-4): 50;
- dan replaces kata 5's locked grade cell with ``pass``: nbgrader puts it back;
- eve's SGD loops forever: that kata times out, her Adam and katas 1-4 score;
- fay's kata 1 imports a module that does not exist, kata 2 prints megabytes, kata 3
  deletes the files beside it: only katas 2 and 4 score;
- each ``t1``-``t5`` student does katas 2 and 3 honestly and tries one trick of the issue
  (1: import the reference, 2: patch the grader, 3: write the grader's files, 4: reach the
  reference from inside a kata, 5: take the whole submission down) in every other kata;
  after each file-writing student a victim who did katas 2 and 3 is graded and scores 20;
- gus's crashes that pass the allow-list (a segfault, endless recursion and loops, a
  memory hoard, ``SystemExit``, NumPy patched through an alias) cost one kata each.

Students whose code assumes full Python (the allow-list off) are graded in
``test_nbgrader_full_python.py``.

It takes a few minutes and needs nbgrader (``pip install -e ".[grading]"``); it is not
part of ``pytest -k day5``.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

import pytest
from nbgrader_course import (
    EVERY_KATA, HONEST, OTHERS, POINTS, TOTAL, assert_scores, autograde, autograded, errors, hand_in, kata_scores, module, names, nbgrader,
    scores,
)

from workbook.authoring import course
from workbook.katas import kata_for_slug

TOKENIZERS = ("character_tokenizer", "word_tokenizer", "bpe_basics", "bpe_tokenizer")

LOOPS_FOREVER = '''
        while True:
            pass'''
RAISES_AT_IMPORT = "import no_such_module_for_day5\n\n"
PRINTS_MEGABYTES = 'for _ in range(50_000):\n    print("spam " * 20)\n\n'
DELETES_FILES = 'import os\n\nfor name in os.listdir("."):\n    if os.path.isfile(name):\n        os.remove(name)\n\n'
MARKS_EVERY_REPORT_PASSED = '''
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
'''


# Each trick: slug -> the source a cheater puts in that kata's cell instead of an answer.
TRICKS = {
    # 1. importing the reference
    "t1a_imports_solutions": lambda slug: f"from solutions.day5.{module(slug)} import {', '.join(names(slug))}",
    "t1b_loads_the_reference_through_the_seam": lambda slug: "import workbook.implementation\n" + "\n".join(
        f"{name} = workbook.implementation.load('solutions', '{module(slug)}').{name}" for name in names(slug)
    ),
    # 2. patching the grader
    "t2a_replaces_grade": lambda slug: "import workbook.grading\nworkbook.grading.grade = lambda *args: None",
    "t2b_replaces_pytest_main": lambda slug: "import pytest\npytest.main = lambda *args, **kwargs: 0",
    "t2c_swaps_sys_modules": lambda slug: "import sys, types\nsys.modules['pytest'] = types.SimpleNamespace(main=lambda *a, **k: 0)",
    "t2d_sets_pytest_addopts": lambda slug: "import os\nos.environ['PYTEST_ADDOPTS'] = '--collect-only'",
    "t2e_blanks_grade_cells": lambda slug: (
        "get_ipython().input_transformers_cleanup.append(lambda lines: [] if any('grade(' in l for l in lines) else lines)"
    ),
    # 3. writing the grader's files (a victim is graded after each)
    "t3a_overwrites_a_test_file": lambda slug: (
        "from pathlib import Path\nfor p in Path('/').glob('**/tests/day5/test_05_data_loader.py'):\n"
        "    p.write_text('def test_nothing():\\n    pass\\n')"
    ),
    "t3b_writes_a_conftest": lambda slug: (
        f"CODE = {MARKS_EVERY_REPORT_PASSED!r}\nimport glob\nfor d in glob.glob('/**/tests', recursive=True):\n"
        "    open(d + '/conftest.py', 'w').write(CODE)"
    ),
    "t3c_appends_to_the_grader": lambda slug: (
        "import workbook.grading\nopen(workbook.grading.__file__, 'a').write('\\ndef grade(*args):\\n    pass\\n')"
    ),
    "t3d_edits_the_gradebook": lambda slug: (
        "import sqlite3, glob\nfor db in glob.glob('/**/gradebook.db', recursive=True):\n"
        "    sqlite3.connect(db).execute('update grade set auto_score = 0')"
    ),
    # 4. reaching the reference from inside the kata's own code
    "t4a_walks_frames_to_the_fixture": lambda slug: "\n".join(
        f"def {name}(*args, **kwargs):\n    import sys\n    f = sys._getframe()\n"
        f"    while 'item' not in f.f_locals:\n        f = f.f_back\n"
        f"    reference = f.f_locals['item']._request.getfixturevalue('reference')\n"
        f"    return getattr(reference('{module(slug)}'), '{name}')(*args, **kwargs)"
        for name in names(slug)
    ),
    "t4b_reads_sys_modules": lambda slug: "import sys\n" + "\n".join(
        f"{name} = sys.modules['day5_solutions.{module(slug)}'].{name}" for name in names(slug)
    ),
    "t4c_walks_generator_frames": lambda slug: "\n".join(
        f"def {name}(*args, **kwargs):\n    g = (x for x in [0])\n    scope = g.gi_frame.f_back.f_globals\n"
        f"    return scope['{name}'](*args, **kwargs)"
        for name in names(slug)
    ),
    "t4d_equal_to_everything": lambda slug: "class Anything(float):\n    def __eq__(self, other):\n        return True\n\n" + "\n".join(
        f"def {name}(*args, **kwargs):\n    return Anything(0)" for name in names(slug)
    ),
    "t4e_patches_numpy_asserts": lambda slug: (
        "import numpy as np\nnp.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None"
    ),
    "t4f_subclasses_of_object": lambda slug: "found = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Pytester']",
    # 5. taking the whole submission down
    "t5a_exits_the_process": lambda slug: "import os\nos._exit(0)",
    "t5b_recursion_bomb": lambda slug: "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)",
    "t5c_ignores_sigint_and_loops": lambda slug: "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "t5d_outlives_grading": lambda slug: "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)",
}
VICTIM_AFTER = ("t3a_overwrites_a_test_file", "t3b_writes_a_conftest", "t3c_appends_to_the_grader", "t3d_edits_the_gradebook")

# crashes that pass the allow-list: each costs its own kata, nothing more
CRASHES = {
    "data_loader": "import numpy as np\n\ndef train_val_split(ids, val_fraction=0.1):\n    pass\n\nclass DataLoader:\n"
    "    def __init__(self, *args, **kwargs):\n        np.lib.stride_tricks.as_strided(np.zeros(1), shape=(10**9,), strides=(10**6,)).sum()",
    "softmax": "def softmax(logits, axis=-1):\n    return softmax(logits, axis)\n\nlog_softmax = softmax",
    "sgd": "class SGDOptimizer:\n    def __init__(self, *args, **kwargs):\n        while True:\n            pass",
    "adam": "class AdamOptimizer:\n    def __init__(self, *args, **kwargs):\n        hoard = []\n        while True:\n"
    "            hoard.append(bytearray(10**7))",
    "top_k_top_p": "import numpy as np\n\nalias = np\nalias.array_equal = alias.allclose = lambda *a, **k: True\n\n"
    "def top_k_filter(logits, k):\n    return logits\n\ndef top_p_filter(logits, p):\n    return logits",
    "sampling": "def greedy(logits):\n    raise KeyboardInterrupt\n\ndef apply_temperature(logits, t):\n    raise SystemExit(0)\n\n"
    "def sample(logits, rng):\n    raise SystemExit(0)",
}

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


def cheats_with(trick):
    def edit(cells):
        for slug in OTHERS:
            cells[slug].source = TRICKS[trick](slug)

    return edit


def crashes(cells):
    for slug, source in CRASHES.items():
        cells[slug].source = source


STUDENTS = {  # id: (katas filled, edit, the points expected for each kata that scores)
    "ada": (EVERY_KATA, None, POINTS),
    "ben": ((), None, {}),
    "cho": (TOKENIZERS, None, scores(*TOKENIZERS)),
    "dan": (TOKENIZERS, dan_passes_kata_5, scores(*TOKENIZERS)),
    "eve": ((*TOKENIZERS, "adam"), eve_loops_in_sgd, scores(*TOKENIZERS, "adam")),
    "fay": (TOKENIZERS, fay_misbehaves, scores("word_tokenizer", "bpe_tokenizer")),
    "gus": ((*TOKENIZERS, "cross_entropy", "gradient_clipping"), crashes, scores(*TOKENIZERS, "cross_entropy", "gradient_clipping")),
    **{trick: (HONEST, cheats_with(trick), scores(*HONEST)) for trick in TRICKS},
    **{f"{trick}_victim": (HONEST, None, scores(*HONEST)) for trick in VICTIM_AFTER},
}
REPEATS = 3  # autogrades of one partial submission, which must all agree
TIMED = ("ada", "ben", "cho", "gus")  # graded on their own first, for the seconds each takes


@pytest.fixture(scope="module")
def graded(nbformat, autograde_seconds):
    """The course after release, collection, autograding and export."""
    with tempfile.TemporaryDirectory(prefix="day5-course-") as folder:
        yield grade_a_class(nbformat, Path(folder), autograde_seconds)


def grade_a_class(nbformat, root: Path, seconds: dict) -> Path:
    """Release, hand in for every student, autograde each in turn (timed), export; the course folder."""
    hand_in(nbformat, root, STUDENTS)
    for student in TIMED:  # one at a time, timed: the reference, blank, partial and hostile submissions
        start = time.perf_counter()
        done = autograde(root, "--student", student)
        seconds[student] = time.perf_counter() - start
        assert "isolation: " in done.stderr
    # the rest in one run, as a class is graded: alphabetically, so each victim comes right after its cheater
    assert "Skipping existing assignment" in autograde(root).stderr  # the timed ones are not graded twice
    done = nbgrader(root, "export", "--to", "grades.csv")
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_scores_exactly_the_katas_that_pass(graded, student):
    assert_scores(graded, student, STUDENTS[student][2])


def test_the_export_has_every_students_score(graded):
    with open(graded / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert {student: float(rows[student]["raw_score"]) for student in STUDENTS} == {
        student: float(sum(expected.values())) for student, (*_, expected) in STUDENTS.items()
    }
    assert {float(row["max_score"]) for row in rows.values()} == {TOTAL}


def test_an_edited_grade_cell_is_put_back_before_grading(nbformat, graded):
    cell = autograded(nbformat, graded, "dan")["test_data_loader"]
    assert cell.source == "from workbook.grading import grade, hint\n\ngrade('data_loader', globals())"
    assert any(output.output_type == "error" for output in cell.outputs)


def test_a_cell_that_loops_forever_times_out_and_the_rest_is_graded(nbformat, graded):
    cells = autograded(nbformat, graded, "eve")
    assert errors(cells["test_sgd"]) and "did not finish" in errors(cells["test_sgd"])[0]
    assert not errors(cells["test_adam"])
    assert f"tests passed, {POINTS['adam']}/{POINTS['adam']} points" in cells["test_adam"].outputs[0].text  # however many tests


@pytest.mark.parametrize("trick", TRICKS)
def test_a_refused_trick_says_which_construct_in_its_grade_cell(nbformat, graded, trick):
    message = errors(autograded(nbformat, graded, trick)["test_data_loader"])[0]
    assert "the code uses what a kata may not" in message and "is not allowed" in message


def test_numpy_rigged_in_the_students_process_changes_nothing_the_tests_compare(nbformat, graded):
    message = errors(autograded(nbformat, graded, "gus")["test_top_k_top_p"])[0]
    assert "first failure: test_" in message  # the filters return their input: a law of the kata fails, as it should


def test_a_failing_kata_shows_the_law_its_message_and_the_first_hint(nbformat, graded):
    message = errors(autograded(nbformat, graded, "cho")["test_softmax"])[0]
    kata = kata_for_slug("softmax")
    assert "first failure: test_" in message and "not started yet: implement `softmax`" in message
    assert f"Hint: {kata.hints[0]}" in message and kata.note in message


def test_repeated_autogrades_of_one_submission_agree(nbformat, graded):
    cells = lambda: {k: [o.get("text") or o.get("traceback") for o in c.outputs] for k, c in autograded(nbformat, graded, "cho").items() if k.startswith("test_")}
    first_scores, first_cells = kata_scores(graded, "cho"), cells()
    for _ in range(REPEATS - 1):
        autograde(graded, "--student", "cho", "--force")
        assert kata_scores(graded, "cho") == first_scores and cells() == first_cells


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
