"""What a notebook's grade cell calls: the kata's own tests, run on the notebook's code.

``grade("character_tokenizer", globals())`` runs ``tests/day5/test_01_…`` in this
kernel, with the notebook's globals as the implementation under test (the seam's
``attach``), the derandomized ``grade`` hypothesis profile, and, if
``$DAY5_HIDDEN_TESTS`` names a folder, the instructor's private test files for the
kata there (``test_01_*.py`` for kata 1). It raises ``AssertionError`` unless every
test passes, so nbgrader gives the cell its points or none.

Nothing is imported from a file the learner edits, so no stale module is ever
tested: the notebook's definitions are looked up afresh, in its globals, each time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from . import implementation
from .implementation import ROOT
from .katas import KATAS, kata_for_slug

NOTEBOOK = "notebook"
HIDDEN_TESTS = "DAY5_HIDDEN_TESTS"


def hidden_tests(number: int) -> list[Path]:
    """The instructor's private test files for kata ``number``, if ``$DAY5_HIDDEN_TESTS`` is set."""
    folder = os.environ.get(HIDDEN_TESTS)
    if not folder:
        return []
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"${HIDDEN_TESTS} is {folder!r}, which is not a folder")
    return sorted(Path(folder).glob(f"test_{number:02d}_*.py"))


def grade(slug: str, namespace: dict) -> None:
    """Run kata ``slug``'s tests against ``namespace``; raise ``AssertionError`` unless all pass."""
    kata = kata_for_slug(slug)
    implementation.attach(NOTEBOOK, namespace)
    tests = [ROOT / kata.tests, *hidden_tests(KATAS.index(kata) + 1)]
    args = [*map(str, tests), "--impl", NOTEBOOK, "--rootdir", str(ROOT), "--hypothesis-profile", "grade"]
    args += ["-p", "no:cacheprovider", "-q", "--no-header", "--exitfirst", "--tb=short"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]  # an earlier grade cell imported hypothesis: harmless
    names = [name for other in KATAS for name in other.names]
    saved = {name: namespace[name] for name in names if name in namespace}
    try:
        with tempfile.TemporaryDirectory(prefix="day5-grade-") as scratch:
            # pytest's tmp_path and hypothesis's .hypothesis/ go here, not beside the notebook
            set_hypothesis_home_dir(Path(scratch, ".hypothesis"))
            exit_code = pytest.main([*args, "--basetemp", str(Path(scratch, "tmp"))])
    finally:
        set_hypothesis_home_dir(None)
        for name in names:  # a test stopped by the cell's timeout may not undo its swaps: undo them here
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)
    if exit_code != pytest.ExitCode.OK:
        outcome = exit_code.name.lower().replace("_", " ") if isinstance(exit_code, pytest.ExitCode) else exit_code
        raise AssertionError(f"{kata.title}: not every test passed ({outcome}); see the report above")
