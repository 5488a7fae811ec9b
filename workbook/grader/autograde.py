"""Grading that trusts nothing the student's code can touch.

``nbgrader autograde`` restores the locked cells of a submission, then runs its
preprocessors. In this course ``GradeKatas`` stands where nbgrader's ``Execute`` stood
(``notebooks/nbgrader_config.py``), so the student's kernel never starts. For each
kata, in parallel across the cores:

1. the kata's solution cell is checked against the allow-list (``allowlist``): a
   friendly first message, not the defence;
2. its kata tree is built: the cell's code, the reference for everything else (``trees``);
3. the kata's tests (and the instructor's hidden ones) are copied beside it into a
   private temporary folder, and run there by pytest in a harness of the kata's own,
   forked from one warm process (``runner``); the cell's code runs in a student
   process in a sandbox that holds no test and no reference (``workbook.grader``), so
   the verdict is what the harness saw, never what the student's code says;
4. the outcome goes into the kata's grade cell: a line of text when every test
   passed, an error naming the failing law, its message and the first hint when one
   did not. nbgrader's ``SaveAutoGrades`` then scores the cell as always.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from .. import trees
from ..files import write_atomic
from ..implementation import NAMED, ROOT
from ..katas import KATAS, Kata, kata_for_slug
from ..report import read_exit, read_report
from . import sandbox
from .allowlist import check as allowlist_check

HIDDEN_TESTS = "DAY5_HIDDEN_TESTS"
RELATIVE = 10  # a kata may take this many times what the reference's tests take on the same machine
CALIBRATION_SECONDS = 900  # what the reference may take per kata while it is timed
FEEDBACK_LINES, FEEDBACK_CHARS = 40, 300  # what a grade cell shows of a failure, at most
PARSING = threading.Lock()  # CPython 3.11's ast.parse is not safe in two threads at once


@dataclass(frozen=True)
class KataResult:
    kata: Kata
    passed: bool
    lines: tuple[str, ...]  # what the grade cell shows
    seconds: float


def hidden_tests(kata: Kata, folder: str | os.PathLike | None) -> list[Path]:
    """The instructor's private test files for ``kata`` in ``folder`` (``test_05_*.py`` counts for kata 5)."""
    if not folder:
        return []
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"${HIDDEN_TESTS} is {str(folder)!r}, which is not a folder")
    return sorted(Path(folder).glob(f"test_{KATAS.index(kata) + 1:02d}_*.py"))


def grade_kata(kata: Kata, answer: trees.Answer, limits: sandbox.Limits, hidden: list[Path], hide=()) -> KataResult:
    """Grade one kata's ``answer`` in a sandbox, on a private copy of what it needs."""
    return grade_katas({kata.slug: answer}, limits, {kata.slug: hidden}, 1, hide)[kata.slug]


def grade_katas(
    answers: dict[str, trees.Answer], limits, hidden: dict[str, list[Path]], jobs: int, hide=(), allowlist=True, seconds=None
):
    """``{slug: KataResult}`` for the katas of ``answers``: refused by the allow-list, or run in one sandbox.

    The allow-list is a friendly first message, not the defence: tests switch it off
    (``allowlist=False``) to grade code that gets past it.

    Each kata that passes the allow-list gets a folder of its own (its tree and copies of
    its tests) in a private temporary folder, and ``workbook.grader.runner`` runs each kata's
    harness there, in a forked process of its own with the kata's limits; each harness
    starts the sandboxed student process of its kata. ``hide`` are folders that the
    student processes must not see even where they lie inside a folder they are shown.
    ``seconds`` maps a kata to its own time limit (``time_limits``); ``limits.seconds`` is the rest's.
    """
    seconds = {slug: (seconds or {}).get(slug, limits.seconds) for slug in answers}
    results, folders = {}, {}
    with tempfile.TemporaryDirectory(prefix="day5-grade-") as scratch:
        root = Path(scratch)
        for slug, answer in answers.items():
            kata = kata_for_slug(slug)
            with PARSING:
                problem = _refused(kata, answer, allowlist)
                if problem is None:
                    folders[slug] = _prepare(root / slug, kata, answer, hidden.get(slug, []))
            if problem is not None:
                results[slug] = KataResult(kata, False, problem, 0.0)
        outputs = {}
        if folders:
            outputs = dict.fromkeys(folders, _run_harnesses(root, list(folders), limits, seconds, jobs, hide))
            # should the runner itself go down, no kata that ran beside the cause pays for it:
            # each kata left without an exit runs again alone
            for slug in [slug for slug, folder in folders.items() if not (folder / "exit.json").is_file()]:
                (folders[slug] / "report.json").unlink(missing_ok=True)
                outputs[slug] = _run_harnesses(root, [slug], limits, seconds, 1, hide)
        for slug, folder in folders.items():
            kata = kata_for_slug(slug)
            results[slug] = _result(kata, folder, {path.name for path in hidden.get(slug, [])}, seconds[slug], outputs[slug])
    return {slug: results[slug] for slug in answers}


def _run_harnesses(root: Path, slugs: list[str], limits: sandbox.Limits, seconds: dict, jobs: int, hide) -> str:
    """Run the harnesses of the kata folders ``slugs`` of ``root``, ``jobs`` at a time; the runner's own output."""
    home = hypothesis_home()
    mine = {slug: seconds[slug] for slug in slugs}
    argv = [
        sys.executable, "-m", "workbook.grader.runner", str(root), f"--jobs={jobs}", f"--katas={','.join(slugs)}",
        f"--seconds={json.dumps(mine)}", f"--memory={limits.memory}", f"--hypothesis-home={home}",
    ]
    whole = replace(limits, seconds=sum(mine.values()) + 60, memory=limits.memory + (1 << 30))
    env = sandbox.clean_environment(HOME=str(root), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **{sandbox.HIDE: os.pathsep.join(map(str, hide))})
    return sandbox.run(argv, root, whole, env, confine=False).output  # trusted: the harness runs no student code


@functools.cache
def hypothesis_home() -> Path:
    """Hypothesis's home, holding its Unicode tables: computed once here (about 10 s of CPU), read by every kata.

    ``st.text()`` needs the tables; a kata's private folder would otherwise compute them again.
    """
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "day5-workbook"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="day5-hypothesis-"))
    warm = (
        "from hypothesis import given, settings, strategies as st\n"
        "@settings(max_examples=20, database=None)\n@given(st.text(), st.characters())\ndef warm(a, b): pass\nwarm()"
    )
    subprocess.run([sys.executable, "-c", warm], cwd=folder, check=True, capture_output=True)
    return folder / ".hypothesis"


def _refused(kata: Kata, answer: trees.Answer, allowlist: bool) -> tuple[str, ...] | None:
    """Why ``answer`` is not run at all: it does not parse, or the allow-list refuses it."""
    if answer.problem:
        return (f"{kata.title}: your code {answer.problem}",)
    violations = allowlist_check(answer.code) if allowlist else []
    if violations:
        reason = f"{kata.title}: 0 points, the code uses what a kata may not: {violations[0]}"
        return (reason, *map(str, violations[1:]))
    return None


def _prepare(folder: Path, kata: Kata, answer: trees.Answer, hidden: list[Path]) -> Path:
    """``folder`` with the kata's tree and copies of its tests (and the instructor's hidden ones)."""
    trees.build(folder / "tree", kata, answer)
    tests = folder / "tests" / "day5"
    tests.mkdir(parents=True)
    for path in (ROOT / "tests" / "day5" / "conftest.py", ROOT / kata.tests, *hidden):
        shutil.copyfile(path, tests / path.name)
    return folder


def _result(kata: Kata, folder: Path, hidden: set[str], seconds: float, runner_output: str) -> KataResult:
    """What the runner left in ``folder``, as a result (the runner's own output if it left nothing)."""
    returncode, seconds = read_exit(folder / "exit.json") or (-1, 0.0)  # -1: the runner wrote no exit
    outcomes = (read_report(folder / "report.json") or {}).get("tests")
    output = (folder / "output.txt").read_text(encoding="utf-8", errors="replace") if (folder / "output.txt").is_file() else runner_output
    lines = _verdict(kata, returncode, output, outcomes, hidden, seconds)
    return KataResult(kata, lines is None, lines or _passed(kata, outcomes), seconds)


def _passed(kata: Kata, outcomes: dict) -> tuple[str, ...]:
    return (f"{kata.title}: all {len(outcomes)} tests passed, {kata.points}/{kata.points} points",)


def _verdict(kata, returncode, output: str, outcomes: dict | None, hidden: set[str], seconds: float) -> tuple[str, ...] | None:
    """Why ``kata`` does not pass, or None if it does: every test ran, and passed."""
    if returncode is None:
        return (f"{kata.title}: the tests did not finish in {seconds:.0f} s: is there a loop that never advances?",)
    if not outcomes:
        tail = [line for line in output.splitlines() if line.strip()][-3:]
        return _cut([f"{kata.title}: the tests stopped before they could report (exit code {returncode})", *tail])
    failed = [(nodeid, test) for nodeid, test in outcomes.items() if test["outcome"] != "passed"]
    if not failed and returncode == 0:
        return None
    nodeid, test = failed[0] if failed else next(iter(outcomes.items()))
    file = nodeid.split("::")[0].rsplit("/", 1)[-1]
    if file in hidden:  # the instructor's code and messages stay private
        return _cut([f"{kata.title}: a hidden test did not pass: {file}::{nodeid.split('::', 1)[-1]}"])
    law = nodeid.split("::", 1)[-1]
    lines = [f"{kata.title}: {len(outcomes) - len(failed)} of {len(outcomes)} tests passed; first failure: {law}"]
    lines += [f"  {line}" for line in test.get("message", test["outcome"]).splitlines()]
    lines.append(f"Hint: {test.get('diagnosis') or kata.hints[0]}")
    lines.append(f"Read: {kata.note}")
    return _cut(lines)


def _cut(lines: list[str]) -> tuple[str, ...]:
    """At most ``FEEDBACK_LINES`` lines of at most ``FEEDBACK_CHARS`` characters: an error of megabytes reads as a few."""
    short = [line if len(line) <= FEEDBACK_CHARS else line[: FEEDBACK_CHARS - 1] + "…" for line in lines]
    if len(short) > FEEDBACK_LINES:
        short = [*short[: FEEDBACK_LINES - 3], f"  ... ({len(short) - FEEDBACK_LINES + 1} more lines)", *short[-2:]]
    return tuple(short)


def grade_notebook(
    notebook, limits: sandbox.Limits, jobs: int | None = None, hidden_folder=None, hide=(), allowlist=True, relative=RELATIVE
):
    """``{slug: KataResult}`` for every kata of a course notebook, ``jobs`` katas at a time.

    A kata may take ``relative`` times what the reference's tests take here, and at least
    ``limits.seconds`` (``time_limits``); ``relative=0``: ``limits.seconds`` flat.
    An untouched kata (its cell as the release has it, and no hidden tests) gets what the
    release itself gets, graded once per machine and course version (``untouched``).
    """
    with PARSING:
        answers = trees.answers_from_notebook(notebook)
    hidden = {kata.slug: hidden_tests(kata, hidden_folder) for kata in KATAS}
    jobs = jobs or os.cpu_count() or 1
    release = untouched(jobs)
    results = {slug: release[slug][1] for slug, answer in answers.items() if not hidden[slug] and answer == release[slug][0]}
    rest = {slug: answer for slug, answer in answers.items() if slug not in results}
    seconds = time_limits(limits, jobs, relative) if relative and rest else None
    results |= grade_katas(rest, limits, hidden, jobs, hide, allowlist, seconds) if rest else {}
    return {slug: results[slug] for slug in answers}


@functools.cache
def untouched(jobs: int) -> dict[str, tuple[trees.Answer, KataResult]]:
    """Each kata's answer in the release (the stub) and the result it gets (cached on disk)."""
    from ..authoring import course

    with PARSING:
        answers = trees.answers_from_notebook(course.notebook(release=True))
    def grade():
        results = grade_katas(answers, sandbox.Limits(), {}, jobs)
        return {slug: [result.passed, list(result.lines), result.seconds] for slug, result in results.items()}

    def valid(record):
        passed, lines, seconds = record
        return type(passed) is bool and all(type(line) is str for line in lines) and type(seconds) in (int, float)

    recorded = _cached("release", grade, valid)
    return {slug: (answers[slug], KataResult(kata_for_slug(slug), passed, tuple(lines), seconds)) for slug, (passed, lines, seconds) in recorded.items()}


def time_limits(limits: sandbox.Limits, jobs: int, relative: float) -> dict[str, float]:
    """Each kata's time limit: ``relative`` times the reference's own time on this machine, at least ``limits.seconds``.

    A slow machine gives honest work the time it needs, and a loop that never ends costs
    little on a fast one. The reference's times are measured once per machine and course
    version (the reference and the tests), then read from the cache.
    """
    return {slug: max(limits.seconds, relative * spent) for slug, spent in reference_seconds(jobs).items()}


@functools.cache
def reference_seconds(jobs: int) -> dict[str, float]:
    """Seconds the grader spends on each kata of the reference here, ``jobs`` katas at a time (cached on disk)."""

    def measure():
        answers = trees.answers_from_folder(NAMED["solutions"])
        results = grade_katas(answers, sandbox.Limits(seconds=CALIBRATION_SECONDS), {}, jobs)
        failed = [slug for slug, result in results.items() if not result.passed]
        if failed:
            raise RuntimeError(f"the reference does not pass its own tests here ({', '.join(failed)}): {results[failed[0]].lines[0]}")
        return {slug: float(result.seconds) for slug, result in results.items()}

    return _cached(f"reference-seconds-{jobs}", measure, lambda value: type(value) is float)


def _cached(name: str, compute, valid):
    """``compute()``, a JSON object with a ``valid`` value per kata, kept on disk for this machine and course version."""
    version = hashlib.sha256(platform.node().encode() + sys.version.encode())
    for path in sorted([*(NAMED["solutions"] / "day5").glob("*.py"), *(ROOT / "tests" / "day5").glob("*.py")]):
        version.update(path.name.encode() + path.read_bytes())
    cache = hypothesis_home().parent / f"{name}-{version.hexdigest()[:16]}.json"
    try:
        value = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(value, dict) and set(value) == {kata.slug for kata in KATAS} and all(map(valid, value.values())):
            return value
    except (OSError, ValueError, TypeError):  # missing, not JSON, or not of the form ``valid`` checks
        pass
    value = compute()
    write_atomic(cache, json.dumps(value))
    return value


def write_outputs(notebook, results: dict[str, KataResult]) -> None:
    """Put each kata's outcome into its grade cell (``test_<slug>``), as nbgrader's own execution would."""
    from nbformat.v4 import new_output

    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        result = results.get(grade_id.removeprefix("test_")) if isinstance(grade_id, str) and meta.get("grade") else None
        if cell.cell_type != "code" or result is None:
            continue
        text = "\n".join(result.lines)
        if result.passed:
            cell.outputs = [new_output("stream", name="stdout", text=text + "\n")]
        else:
            cell.outputs = [new_output("error", ename="KataNotPassed", evalue=result.lines[0], traceback=list(result.lines))]
