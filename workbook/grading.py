"""What a notebook's grade cell calls when a learner runs it: the kata's own tests, on the notebook's code.

``grade("character_tokenizer", globals())`` runs ``tests/day5/test_01_…`` in this
kernel, with the notebook's globals as the implementation under test (the seam's
``attach``) and the derandomized ``grade`` hypothesis profile. It prints one line
when every test passes; otherwise the failing law, the values it compared and the
first hint, then raises ``KataNotPassed``. ``hint("adam", 2)`` shows a deeper hint.

This path is feedback for a learner, in a kernel the learner controls. Scores come
from ``nbgrader autograde``, which never runs these cells (``workbook.grader.autograde``).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from . import implementation
from .implementation import ROOT
from .katas import KATAS, kata_for_slug
from .report import read_report

NOTEBOOK = "notebook"


class KataNotPassed(AssertionError):
    """A kata's tests did not all pass; the lines printed above say which law and why."""


def grade(slug: str, namespace: dict) -> None:
    """Run kata ``slug``'s tests against ``namespace``; raise ``KataNotPassed`` unless all pass."""
    __tracebackhide__ = True  # IPython and pytest show the learner's cell, not this function
    kata = kata_for_slug(slug)
    tests = _run(kata, namespace)
    failed = {nodeid: test for nodeid, test in tests.items() if test["outcome"] != "passed"}
    if tests and not failed:
        print(f"{kata.title}: all {len(tests)} tests passed, {kata.points}/{kata.points} points")
        return
    nodeid, test = next(iter(failed.items()), ("", {"message": "no test ran"}))
    print(f"{kata.title}: {len(tests) - len(failed)} of {len(tests)} tests passed. First failure: {nodeid.split('::')[-1]}")
    for line in test.get("message", test.get("outcome", "")).splitlines():
        print(f"  {line}")
    print(f"Hint 1/{len(kata.hints)}: {test.get('diagnosis') or kata.hints[0]}")
    print(f"Read: {kata.note}")
    print(f"More: hint({slug!r}, 2)")
    raise KataNotPassed(f"{kata.title}: not every test passed") from None


def hint(slug: str, level: int = 1) -> None:
    """Print hint ``level`` (1-3) of kata ``slug`` and the study-note section to read."""
    kata = kata_for_slug(slug)
    if level not in range(1, len(kata.hints) + 1):
        raise ValueError(f"level must be 1 to {len(kata.hints)}, got {level!r}")
    print(f"Hint {level}/{len(kata.hints)}: {kata.hints[level - 1]}")
    print(f"Read: {kata.note}")


def _run(kata, namespace: dict) -> dict[str, dict]:
    """``{node id: outcome}`` of the kata's tests on ``namespace``, pytest's own output kept quiet."""
    implementation.attach(NOTEBOOK, namespace)
    names = [name for other in KATAS for name in other.names]
    saved = {name: namespace[name] for name in names if name in namespace}
    try:
        with tempfile.TemporaryDirectory(prefix="day5-grade-") as scratch:
            # pytest's tmp_path and hypothesis's .hypothesis/ go here, not beside the notebook
            set_hypothesis_home_dir(Path(scratch, ".hypothesis"))
            report = Path(scratch, "report.json")
            args = [
                str(ROOT / kata.tests), "--impl", NOTEBOOK, "--rootdir", str(ROOT), "--hypothesis-profile", "grade",
                "-p", "no:cacheprovider", "-q", "--no-header", "--exitfirst", "--tb=no", "--color=no",
                "--basetemp", str(Path(scratch, "tmp")), "--workbook-report", str(report),
                "-W", "ignore::pytest.PytestAssertRewriteWarning",  # an earlier grade cell imported hypothesis
            ]
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pytest.main(args)
            return (read_report(report) or {"tests": {}})["tests"]
    finally:
        set_hypothesis_home_dir(None)
        for name in names:  # a test stopped by the cell's timeout may not undo its swaps: undo them here
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)
