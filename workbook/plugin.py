"""The pytest plugin that turns ``tests/day5`` into a workbook.

- ``--impl`` (or ``$DAY5_IMPL``) chooses the implementation under test.
- The ``day5`` fixture hands a kata's tests the learner's module, with every
  *other* kata's names swapped for the reference, so one unfinished kata never
  fails another.
- A stub's ``NotImplementedError`` reads "not started yet: implement X".
- The run ends with a progress table, the next failing test and a hint.
- Hypothesis profiles: ``learner`` (fast, the default), ``ci`` (thorough, the
  default when ``$CI`` is set) and ``grade`` (derandomized: a score never changes).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from . import implementation
from .katas import KATAS, Kata, kata_for_test_file

settings.register_profile("learner", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile(
    "grade", max_examples=100, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "learner")

NOT_STARTED = "not started yet: implement "


class StubReached(BaseException):
    """Raised in place of a stub's NotImplementedError inside a hypothesis test.

    Hypothesis shrinks an ``Exception`` but lets a ``BaseException`` through at
    once; an untouched stub fails on every input, so shrinking it is wasted time.
    """


def stop_at_stubs(inner_test):
    @functools.wraps(inner_test)
    def wrapped(*args, **kwargs):
        try:
            return inner_test(*args, **kwargs)
        except NotImplementedError as error:
            raise StubReached() from error

    wrapped.stops_at_stubs = True
    return wrapped


def pytest_addoption(parser):
    group = parser.getgroup("day5 workbook")
    group.addoption(
        "--impl", default=implementation.default(),
        help="implementation under test: exercises (default, or $DAY5_IMPL), solutions, or a folder holding day5/",
    )
    group.addoption("--hint", type=int, choices=(1, 2, 3), default=1, help="how deep a hint to show (1-3)")
    group.addoption("--workbook-report", metavar="FILE", help="write each test's outcome to FILE as JSON")
    group.addoption("--torch", action="store_true", help="also compare with PyTorch, step for step (needs torch)")


def pytest_configure(config):
    impl = config.getoption("impl")
    if not implementation.is_namespace(impl):
        try:
            implementation.resolve(impl)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
    config.pluginmanager.register(Progress(config, impl), "day5-progress")


def kata_of(node) -> Kata | None:
    return kata_for_test_file(node.path.name)


@pytest.fixture(scope="module")
def day5(request):
    """The module under test for this file's kata; every other kata's names in it come from the reference."""
    kata = kata_of(request.node)
    if kata is None:
        pytest.fail(f"{request.node.path.name} is not listed in workbook/katas.py", pytrace=False)
    impl = request.config.getoption("impl")
    try:
        module = implementation.load(impl, kata.module)
    except Exception as error:  # the learner's file does not even import: say so, once per test
        where = implementation.resolve(impl) / "day5" / f"{kata.module}.py"
        problem = f"{where} does not import: {type(error).__name__}: {error}"
    else:
        problem = None
    if problem:
        pytest.fail(problem, pytrace=False)
    if implementation.is_reference(impl):
        yield module
        return
    everywhere = implementation.is_namespace(impl)  # a notebook: every kata's names share one namespace
    with pytest.MonkeyPatch.context() as patch:
        for other in KATAS:
            for name in other.names:
                if other is not kata and (everywhere or hasattr(module, name)):  # or imported from another module
                    reference_name = getattr(implementation.load("solutions", other.module), name)
                    patch.setattr(module, name, reference_name, raising=False)
        yield module


@pytest.fixture(scope="session")
def reference():
    """``reference("tokenizers")`` is the reference module, for what a test needs but does not test."""
    return lambda module: implementation.load("solutions", module)


class Progress:
    """Collects outcomes per kata; reports stubs kindly; prints the progress table."""

    def __init__(self, config, impl: str):
        self.config = config
        self.impl = impl
        self.outcomes: dict[str, str] = {}  # node id -> passed / failed / skipped
        self.messages: dict[str, str] = {}  # node id -> one line on what went wrong
        self.kata_of: dict[str, Kata | None] = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.kata_of[item.nodeid] = kata_of(item)
            hypothesis_hooks = getattr(getattr(item, "obj", None), "hypothesis", None)
            if hypothesis_hooks is not None and not hasattr(hypothesis_hooks.inner_test, "stops_at_stubs"):
                # the documented way to wrap a hypothesis test; once, however often it is collected
                hypothesis_hooks.inner_test = stop_at_stubs(hypothesis_hooks.inner_test)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.excinfo is not None:
            error = call.excinfo.value
            if isinstance(error, StubReached):
                error = error.__cause__
            stub = implementation.stub_reached(error, self.impl)
            if stub:
                report.longrepr = f"{NOT_STARTED}`{stub.name}` in {stub.where}"
                report.sections = [s for s in report.sections if "Hypothesis" not in s[0]]  # no seed to replay
        return report

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            if self.outcomes.get(report.nodeid) in (None, "passed"):
                self.outcomes[report.nodeid] = report.outcome
            if report.failed and report.nodeid not in self.messages:
                self.messages[report.nodeid] = _first_line(report)

    def rows(self):
        """``(kata, passed, total, points earned)`` for each kata that ran, in order."""
        totals = Counter(kata.slug for kata in self.kata_of.values() if kata)
        passed = Counter(
            kata.slug for nodeid, kata in self.kata_of.items() if kata and self.outcomes.get(nodeid) == "passed"
        )
        for kata in KATAS:
            if totals[kata.slug]:
                done = passed[kata.slug] == totals[kata.slug]
                yield kata, passed[kata.slug], totals[kata.slug], kata.points if done else 0

    def pytest_terminal_summary(self, terminalreporter):
        rows = list(self.rows())
        report_file = self.config.getoption("workbook_report")
        if report_file:
            self._write_report(Path(report_file))
        if not rows:
            return
        tr = terminalreporter
        impl = self.config.getoption("impl")
        tr.write_sep("=", f"Day 5 progress ({impl})")
        width = max(len(kata.title) for kata, *_ in rows) + 4
        tr.write_line(f"    {'kata':<{width}}{'tests':>9}{'points':>10}")
        next_kata = next((kata for kata, passed, total, _ in rows if passed < total), None)
        for kata, passed, total, earned in rows:
            mark = "done" if passed == total else ("<- next" if kata is next_kata else "")
            number = KATAS.index(kata) + 1
            line = f"{number:>2}. {kata.title:<{width}}{passed:>5}/{total:<3}{earned:>6}/{kata.points:<3} {mark}"
            tr.write_line(line.rstrip())
        earned = sum(row[3] for row in rows)
        tr.write_line(f"    {'total':<{width}}{'':9}{earned:>6}/{sum(kata.points for kata, *_ in rows)}")
        if next_kata is None:
            tr.write_line("")
            tr.write_line("Every kata that ran is done. Well done!", green=True, bold=True)
            return
        first = next(n for n, k in self.kata_of.items() if k is next_kata and self.outcomes.get(n) != "passed")
        level = self.config.getoption("hint")
        tr.write_line("")
        tr.write_line(f"Next: {next_kata.title} -- {first}", bold=True)
        tr.write_line(f"  {self.messages.get(first, 'did not run')}")
        tr.write_line(f"  Hint {level}/{len(next_kata.hints)}: {next_kata.hints[level - 1]}")
        tr.write_line(f"  Read: {next_kata.note}")
        if level < len(next_kata.hints):
            tr.write_line(f"  Stuck? pytest -k day5 --hint {level + 1}")

    def _write_report(self, path: Path) -> None:
        tests = {
            nodeid: {"kata": kata.slug if kata else None, "outcome": self.outcomes.get(nodeid, "not run")}
            for nodeid, kata in self.kata_of.items()
        }
        path.write_text(json.dumps({"impl": str(self.impl), "tests": tests}, indent=1), encoding="utf-8")


def _first_line(report) -> str:
    """One line on why a test failed: the stub message, or the assertion / error."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text.strip().splitlines()[0] if text.strip() else "failed"
