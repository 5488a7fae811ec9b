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
  memory hoard, ``SystemExit``, NumPy patched through an alias) cost one kata each;
- each ``x`` student assumes full Python (the allow-list off) in every other kata: edits the
  gradebook, writes the course folder, kills its parent, shows another submission, floods its
  error, bombs the parser, forges a passing report and exits, answers with objects that equal
  anything, garbles the channel, searches for the reference and shows what it finds. Each
  scores its honest 20, nothing of another submission or of the reference shows in its
  feedback, and the victim graded after them scores 20.

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
from workbook.implementation import ROOT
from workbook.katas import KATAS, kata_for_slug

TOTAL = sum(kata.points for kata in KATAS)
TOKENIZERS = ("character_tokenizer", "word_tokenizer", "bpe_basics", "bpe_tokenizer")
HONEST = ("word_tokenizer", "bpe_basics")  # what each cheater and victim did honestly: two katas whose tests are quick
POINTS = {kata.slug: kata.points for kata in KATAS}
EVERY_KATA = tuple(POINTS)
OTHERS = ("data_loader", "softmax", "adam", "text_generator")  # where a cheater puts the trick: a kata of each module
KATA_TIMEOUT = 30  # seconds a kata's tests may take: 6x what the slowest kata needs on a busy machine

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


def names(slug: str) -> tuple[str, ...]:
    return kata_for_slug(slug).names


def module(slug: str) -> str:
    return kata_for_slug(slug).module


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

# Full Python inside the kata's process: graded with the allow-list switched off (--GradeKatas.allowlist=False),
# as code that got past it would run. "@COURSE@" stands for the course folder, "@ROOT@" for the repository. Each costs
# its own katas only.
FULL_PYTHON = {
    "xa_remounts_and_edits_the_gradebook": (
        "import subprocess, sqlite3\nfor command in (['umount', '/tmp'], ['mount', '-o', 'remount,rw', '/']):\n"
        "    subprocess.run(command, capture_output=True)\n"
        "sqlite3.connect('@COURSE@/gradebook.db').execute('update grade set auto_score = 0')\n"
    ),
    "xb_writes_the_course_folder": "open('@COURSE@/nbgrader_config.py', 'a').write('\\nraise SystemExit\\n')\n",
    "xc_kills_its_runner": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
    "xd_shows_another_submission": (
        "import os\nraise ValueError(str(os.listdir('@COURSE@/submitted/ada/day5')) + open('@COURSE@/submitted/ada/day5/day5.ipynb').read())\n"
    ),
    "xe_floods_its_error": "raise ValueError('spam ' * 5_000_000)\n",
    "xf_parser_bomb": "-" * 200_000 + "1\n",
    "xg_forges_a_passing_report": (
        "import glob, json, os\nreport = json.dumps({'tests': {'test_x.py::test_all': {'outcome': 'passed'}}})\n"
        "for folder in ['.', '/tmp', *glob.glob('/tmp/**/', recursive=True), *glob.glob('@COURSE@/**/', recursive=True)]:\n"
        "    for name in ('report.json', 'exit.json'):\n        try:\n            open(os.path.join(folder, name), 'w').write(report)\n"
        "        except OSError:\n            pass\nprint('1 passed')\nos._exit(0)\n"
    ),
    "xh_answers_with_lies": lambda slug: (
        "import numpy as np\n\nclass Everything(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(other), bool)\n\n"
        "class Anything:\n    def __init__(self, *args, **kwargs):\n        pass\n    def __call__(self, *args, **kwargs):\n"
        "        return np.zeros(3).view(Everything)\n    def __getattr__(self, name):\n        return Anything()\n"
        "    def __eq__(self, other):\n        return True\n    def __iter__(self):\n        return iter([])\n    def __len__(self):\n        return 0\n\n"
        + "".join(f"{name} = Anything\n" for name in names(slug))
    ),
    "xi_garbles_its_channel": (
        "import os, stat\nos.system('echo changed > @COURSE@/nbgrader_config.py.bak')\nfor fd in range(64):\n    try:\n"
        "        if stat.S_ISSOCK(os.fstat(fd).st_mode):\n            os.write(fd, b'\\x00\\x00\\x00\\x10' + b'\\xc1' * 16)\n"
        "    except OSError:\n        pass\nos.kill(os.getppid(), 9)\n"
    ),
    "xj_shows_the_reference": (
        "import glob, os\nfound = [open(p, errors='replace').read() for pattern in ('@ROOT@/solutions/day5/*.py', '/tmp/**/KATA.json', '/tmp/**/test_*.py')"
        " for p in glob.glob(pattern, recursive=True)]\nfound += [open(f'/proc/{p}/environ', errors='replace').read() for p in os.listdir('/proc') if p.isdigit()]\n"
        "raise ValueError('\\n'.join(found)[:20000])\n"
    ),
}


def full_python(trick):
    def edit(cells):
        for slug in OTHERS:
            source = FULL_PYTHON[trick]
            cells[slug].source = source(slug) if callable(source) else source

    return edit


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
    **{trick: (HONEST, full_python(trick), scores(*HONEST)) for trick in FULL_PYTHON},
    "xz_victim": (HONEST, None, scores(*HONEST)),  # graded right after them
}
REPEATS = 3  # autogrades of one partial submission, which must all agree
TIMED = ("ada", "ben", "cho", "gus")  # graded on their own first, for the seconds each takes


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
    """Release, hand in for every student, autograde each in turn (timed), export; the course folder."""
    shutil.copy(course.SOURCE.parents[2] / "nbgrader_config.py", root)
    shutil.copytree(course.SOURCE.parents[1], root / "source")
    done = nbgrader(root, "generate_assignment", "day5")
    assert done.returncode == 0, done.stderr
    release = nbformat.read(root / "release" / "day5" / "day5.ipynb", as_version=4)
    source = nbformat.read(course.SOURCE, as_version=4)
    for student, (filled, edit, _) in STUDENTS.items():
        folder = root / "submitted" / student / "day5"
        folder.mkdir(parents=True)
        notebook = submission(release, source, filled, edit)
        for cell in notebook.cells:
            cell.source = cell.source.replace("@COURSE@", str(root)).replace("@ROOT@", str(ROOT))
        nbformat.write(notebook, folder / "day5.ipynb")
    for student in TIMED:  # one at a time, timed: the reference, blank, partial and hostile submissions
        start = time.perf_counter()
        done = nbgrader(root, "autograde", "day5", "--student", student, f"--GradeKatas.timeout={KATA_TIMEOUT}")
        seconds[student] = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        assert "isolation: " in done.stderr
    # full Python, no allow-list: after the timed ones, so that their grades are there to be attacked
    done = nbgrader(root, "autograde", "day5", "--student=x*", f"--GradeKatas.timeout={KATA_TIMEOUT}", "--GradeKatas.allowlist=False")
    assert done.returncode == 0, done.stderr
    # the rest in one run, as a class is graded: alphabetically, so each victim comes right after its cheater
    done = nbgrader(root, "autograde", "day5", f"--GradeKatas.timeout={KATA_TIMEOUT}")
    assert done.returncode == 0, done.stderr
    assert "Skipping existing assignment" in done.stderr  # the timed ones are not graded twice
    done = nbgrader(root, "export", "--to", "grades.csv")
    assert done.returncode == 0, done.stderr
    return root


def kata_scores(root: Path, student: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {kata.slug: gradebook.find_grade(f"test_{kata.slug}", "day5", "day5", student).score for kata in KATAS}


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_scores_exactly_the_katas_that_pass(graded, student):
    from nbgrader.api import Gradebook

    expected = STUDENTS[student][2]
    assert kata_scores(graded, student) == {slug: expected.get(slug, 0) for slug in POINTS}
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("day5", student).score == sum(expected.values())


def reference_lines() -> set[str]:
    """The lines of the reference's solution regions that no release holds (long enough to be telling)."""
    release = (course.RELEASE).read_text(encoding="utf-8")
    lines = set()
    for path in sorted((ROOT / "solutions" / "day5").glob("*.py")):
        text = path.read_text(encoding="utf-8").splitlines()
        for _, begin, end in stubs.regions("\n".join(text)):
            lines |= {line.strip() for line in text[begin : end - 1] if len(line.strip()) >= 30 and line.strip() not in release}
    return lines


def test_full_python_shows_nothing_of_another_submission_or_the_reference_and_at_most_a_few_lines(nbformat, graded):
    secret = reference_lines()
    assert secret
    for student in FULL_PYTHON:
        for grade_id, cell in autograded(nbformat, graded, student).items():
            shown = "".join(str(output) for output in cell.get("outputs", []))
            assert "nbformat_minor" not in shown and "['day5.ipynb']" not in shown, (student, grade_id, shown[:500])
            assert len(shown) < 30_000, (student, grade_id, len(shown))
            assert not [line for line in secret if line in shown], (student, grade_id)
    assert "raise SystemExit" not in (graded / "nbgrader_config.py").read_text()
    assert not (graded / "nbgrader_config.py.bak").exists()


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
    assert cell.source == "from workbook.grading import grade, hint\n\ngrade('data_loader', globals())"
    assert any(output.output_type == "error" for output in cell.outputs)


def errors(cell) -> list[str]:
    return ["\n".join(output.traceback) for output in cell.outputs if output.output_type == "error"]


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
        done = nbgrader(graded, "autograde", "day5", "--student", "cho", "--force", f"--GradeKatas.timeout={KATA_TIMEOUT}")
        assert done.returncode == 0, done.stderr
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
