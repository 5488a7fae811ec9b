"""Grading that trusts nothing the student's code can touch.

``nbgrader autograde`` restores the locked cells of a submission, then runs its
preprocessors. In this course ``GradeKatas`` stands where nbgrader's ``Execute`` stood
(``notebooks/nbgrader_config.py``), so the student's kernel never starts. For each
kata, in parallel:

1. the kata's solution cell is checked against the allow-list (``allowlist``);
2. its kata tree is built: the cell's code, the reference for everything else (``trees``);
3. the kata's tests (and the instructor's hidden ones) are copied beside it into a
   private temporary folder, and run there by pytest in a sandbox (``sandbox``);
4. the outcome goes into the kata's grade cell: a line of text when every test
   passed, an error naming the failing law, its message and the first hint when one
   did not. nbgrader's ``SaveAutoGrades`` then scores the cell as always.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import allowlist, sandbox, trees
from .implementation import ROOT
from .katas import KATAS, Kata

HIDDEN_TESTS = "DAY5_HIDDEN_TESTS"
PARSING = threading.Lock()  # CPython 3.11's ast.parse is not safe in two threads at once
PLUGINS = ("workbook.plugin", "_hypothesis_pytestplugin", "pytest_timeout")  # and no other: autoloading is off


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
    start = time.perf_counter()
    if answer.problem:
        return KataResult(kata, False, (f"{kata.title}: your code {answer.problem}",), 0.0)
    with PARSING:
        violations = allowlist.check(answer.code)
    if violations:
        reason = f"{kata.title}: 0 points, the code uses what a kata may not: {violations[0]}"
        return KataResult(kata, False, (reason, *map(str, violations[1:])), 0.0)
    with tempfile.TemporaryDirectory(prefix=f"day5-{kata.slug}-") as scratch:
        work = Path(scratch)
        with PARSING:
            tree = trees.build(work / "tree", kata, answer)
        tests = work / "tests" / "day5"
        tests.mkdir(parents=True)
        for path in (ROOT / "tests" / "day5" / "conftest.py", ROOT / kata.tests, *hidden):
            shutil.copyfile(path, tests / path.name)
        report = work / "report.json"
        argv = [
            sys.executable, "-m", "pytest", str(tests), f"--impl={tree}", f"--rootdir={work}", "-c", os.devnull,
            "--hypothesis-profile=grade", f"--workbook-report={report}", f"--basetemp={work / 'tmp'}",
            "-q", "--no-header", "--color=no", "-x", "--tb=short", "-rN", "-o", "verbosity_assertions=2",
            "-p", "no:cacheprovider", *(arg for plugin in PLUGINS for arg in ("-p", plugin)),
        ]
        env = sandbox.clean_environment(HOME=str(work), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        outcome = sandbox.run(argv, work, limits, env, hide=hide)
        outcomes = json.loads(report.read_text(encoding="utf-8"))["tests"] if report.is_file() else None
    lines = _verdict(kata, outcome, outcomes, {path.name for path in hidden}, limits)
    return KataResult(kata, lines is None, lines or _passed(kata, outcomes), time.perf_counter() - start)


def _passed(kata: Kata, outcomes: dict) -> tuple[str, ...]:
    return (f"{kata.title}: all {len(outcomes)} tests passed, {kata.points}/{kata.points} points",)


def _verdict(kata, outcome: sandbox.Outcome, outcomes: dict | None, hidden: set[str], limits) -> tuple[str, ...] | None:
    """Why ``kata`` does not pass, or None if it does: every test ran, and passed."""
    if outcome.timed_out:
        return (f"{kata.title}: the tests did not finish in {limits.seconds:g} s: is there a loop that never advances?",)
    if outcomes is None or not outcomes:
        tail = [line for line in outcome.output.splitlines() if line.strip()][-3:]
        return (f"{kata.title}: the tests stopped before they could report (exit code {outcome.returncode})", *tail)
    failed = [(nodeid, test) for nodeid, test in outcomes.items() if test["outcome"] != "passed"]
    if not failed and outcome.returncode == 0:
        return None
    nodeid, test = failed[0] if failed else next(iter(outcomes.items()))
    file = nodeid.split("::")[0].rsplit("/", 1)[-1]
    if file in hidden:  # the instructor's code and messages stay private
        return (f"{kata.title}: a hidden test did not pass: {file}::{nodeid.split('::', 1)[-1]}",)
    law = nodeid.split("::", 1)[-1]
    lines = [f"{kata.title}: {len(outcomes) - len(failed)} of {len(outcomes)} tests passed; first failure: {law}"]
    lines += [f"  {line}" for line in test.get("message", test["outcome"]).splitlines()]
    lines.append(f"Hint: {test.get('diagnosis') or kata.hints[0]}")
    lines.append(f"Read: {kata.note}")
    return tuple(lines)


def grade_notebook(notebook, limits: sandbox.Limits, jobs: int | None = None, hidden_folder=None, hide=()):
    """``{slug: KataResult}`` for every kata of a course notebook, graded ``jobs`` at a time."""
    with PARSING:
        answers = trees.answers_from_notebook(notebook)
    hidden = {kata.slug: hidden_tests(kata, hidden_folder) for kata in KATAS}

    def grade(kata: Kata) -> KataResult:
        return grade_kata(kata, answers[kata.slug], limits, hidden[kata.slug], hide)

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:  # each kata is its own process
        return {result.kata.slug: result for result in pool.map(grade, KATAS)}


def write_outputs(notebook, results: dict[str, KataResult]) -> None:
    """Put each kata's outcome into its grade cell (``test_<slug>``), as nbgrader's own execution would."""
    from nbformat.v4 import new_output

    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        result = results.get(grade_id.removeprefix("test_")) if cell.metadata.get("nbgrader", {}).get("grade") else None
        if cell.cell_type != "code" or result is None:
            continue
        text = "\n".join(result.lines)
        if result.passed:
            cell.outputs = [new_output("stream", name="stdout", text=text + "\n")]
        else:
            cell.outputs = [new_output("error", ename="KataNotPassed", evalue=result.lines[0], traceback=list(result.lines))]
