"""The nbgrader course graded with the allow-list off, as code that got past it would run: full Python in every
student process, with the real nbgrader. CI runs it as root and again as an ordinary user.

First hal, who did katas 2 and 3 honestly, is graded; then each ``x`` student, who did the same and, in
every other kata, edits the gradebook, writes the course folder, kills its parent, shows another submission,
floods its error, bombs the parser, forges a passing report and exits, answers with objects that equal
anything, garbles the channel, or searches for the reference and shows what it finds. Each scores its
honest 20, nothing of another submission or of the reference shows in its feedback, hal keeps 20, the
course folder is as it was, and the victim graded after them scores 20.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from nbgrader_course import HONEST, OTHERS, assert_scores, autograde, autograded, hand_in, names, scores

from workbook.authoring import course, stubs
from workbook.implementation import ROOT

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
        "import os\nraise ValueError(str(os.listdir('@COURSE@/submitted/hal/day5')) + open('@COURSE@/submitted/hal/day5/day5.ipynb').read())\n"
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


STUDENTS = {  # id: (katas filled, edit, the points expected for each kata that scores)
    "hal": (HONEST, None, scores(*HONEST)),  # graded first: the grades there are to attack
    **{trick: (HONEST, full_python(trick), scores(*HONEST)) for trick in FULL_PYTHON},
    "xz_victim": (HONEST, None, scores(*HONEST)),  # graded right after them
}


@pytest.fixture(scope="module")
def graded(nbformat):
    """The course after hal and then every ``x`` student were graded, the allow-list off for them."""
    with tempfile.TemporaryDirectory(prefix="day5-full-python-") as folder:
        root = Path(folder)
        hand_in(nbformat, root, STUDENTS)
        autograde(root, "--student", "hal")
        autograde(root, "--student=x*", "--GradeKatas.allowlist=False")
        yield root


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_scores_exactly_the_katas_that_pass(graded, student):
    assert_scores(graded, student, STUDENTS[student][2])


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
