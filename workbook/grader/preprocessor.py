"""The nbgrader step that replaces ``Execute`` for this course (see ``notebooks/nbgrader_config.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer, Unicode

from . import sandbox
from .autograde import HIDDEN_TESTS, RELATIVE, grade_notebook, write_outputs


class GradeKatas(NbGraderPreprocessor):
    """nbgrader's ``Execute``, replaced: each kata's tests in a harness of their own, outside the student's kernel,
    and its learner code in a sandboxed student process that holds no test and no reference (``workbook.grader``)."""

    timeout = Integer(60, help="seconds one kata's tests may take in all, at least (see relative_timeout)").tag(config=True)
    relative_timeout = Float(
        RELATIVE, help="a kata may take this many times what the reference's tests take on this machine (0: timeout, flat)"
    ).tag(config=True)
    memory_mb = Integer(2048, help="megabytes of address space one kata's process may use").tag(config=True)
    jobs = Integer(0, help="katas graded at once (0: one per core)").tag(config=True)
    hidden_tests = Unicode(
        os.environ.get(HIDDEN_TESTS, ""), help="folder of the instructor's private tests (test_05_*.py for kata 5)"
    ).tag(config=True)

    allowlist = Bool(
        True, help="read each cell with the allow-list first (switch off only to test the sandbox with code that gets past it)"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.log.info("day5: each kata's code in a student process of its own; isolation: %s", sandbox.isolation())
        limits = sandbox.Limits(seconds=self.timeout, memory=self.memory_mb << 20)
        course = Path.cwd()  # nbgrader runs in the course folder: the gradebook and every submission
        results = grade_notebook(
            nb, limits, self.jobs or None, self.hidden_tests or None, hide=[course], allowlist=self.allowlist, relative=self.relative_timeout
        )
        for result in results.values():
            if not result.passed:
                self.log.warning("day5: %s", result.lines[0])
        write_outputs(nb, results)
        return nb, resources
