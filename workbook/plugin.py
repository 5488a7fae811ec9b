"""The pytest plugin that turns ``tests/day5`` into a workbook (loaded by its ``pytest11`` entry point).

- ``--impl`` (or ``$DAY5_IMPL``) chooses the implementation under test.
- The ``day5`` fixture hands a kata's tests its *kata tree* (``trees``): the learner's
  code for that kata and the reference for everything else, so one unfinished or
  broken kata never fails another. A kata whose code does not parse or import fails
  its own tests with one line that says so.
- Every graded test has a time limit (pytest-timeout) and, where the platform has one,
  a memory limit; either failure names the function that did not return.
- A stub's ``NotImplementedError`` fails its test in one line, "not started yet: implement X",
  without a traceback; pytest's list of failures leaves it out and the table says "not started".
- The run ends with a progress table, the next failing test, the values it compared
  (got and expected) and a hint (the test's own ``@pytest.mark.diagnosis`` if it has one).
  ``--workbook-earlier`` fills the rows of the katas a run leaves out from an earlier run
  (``day5 watch`` runs one kata at a time).
- Hypothesis profiles: ``learner`` (fast, the default), ``ci`` (thorough, the
  default when ``$CI`` is set) and ``grade`` (derandomized: a score never changes).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from threadpoolctl import threadpool_limits

from . import implementation, trees
from .grader import sandbox
from .katas import KATAS, Kata, kata_for_slug, kata_for_test_file
from .learner import limits
from .learner.summary import summarize
from .report import read_report, write_report

NO_EXPLAIN = [phase for phase in Phase if phase is not Phase.explain]  # its "explanation" names engine lines
settings.register_profile("learner", max_examples=10, deadline=None, phases=NO_EXPLAIN)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True, phases=NO_EXPLAIN)
settings.register_profile(
    "grade", max_examples=100, deadline=None, derandomize=True, database=None, phases=NO_EXPLAIN,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "learner")

NOT_STARTED = "not started yet: implement "
SECONDS = {"learner": 20, "grade": 60, "ci": 180}  # per graded test, by hypothesis profile
MEMORY = 2 << 30  # bytes a graded test may add to the process
BLAS = pytest.StashKey[threadpool_limits]()


class StubReached(BaseException):
    """Raised in place of a stub's NotImplementedError inside a hypothesis test.

    Hypothesis shrinks an ``Exception`` but lets a ``BaseException`` through at
    once; an untouched stub fails on every input, so shrinking it is wasted time.
    """


class Broken(str):
    """What the ``day5`` fixture gives a kata whose code does not parse or import: why."""


def stop_at_stubs(inner_test):
    @functools.wraps(inner_test)
    def wrapped(*args, **kwargs):
        __tracebackhide__ = True
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
    group.addoption(
        "--isolate", action="store_true",
        help="run each kata's code in a sandboxed process of its own, reached through proxies (how the grader runs it)",
    )
    group.addoption("--hint", type=int, choices=(1, 2, 3), default=1, help="how deep a hint to show (1-3)")
    group.addoption("--workbook-report", metavar="FILE", help="write each test's outcome to FILE as JSON")
    group.addoption(
        "--workbook-earlier", metavar="FILE",
        help="the --workbook-report of an earlier run: the table shows its outcomes for the katas this run leaves out",
    )
    group.addoption("--torch", action="store_true", help="also compare with PyTorch, step for step (needs torch)")


def pytest_configure(config):
    # the tests' matrices are small: a second BLAS thread only waits, and collapses on a busy machine
    config.stash[BLAS] = threadpool_limits(limits=1, user_api="blas")
    config.addinivalue_line("markers", "diagnosis(text): the usual bug behind this test's law, shown as its hint")
    impl = config.getoption("impl")
    if config.getoption("isolate") and importlib.util.find_spec("msgpack") is None:
        raise pytest.UsageError("--isolate needs the grading extra: python3 -m pip install -e '.[grading]'")
    if not implementation.is_namespace(impl):
        try:
            folder = implementation.resolve(impl)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
        if config.inipath is None and config.rootpath == folder:  # pytest read `--impl FOLDER` before it knew --impl
            raise pytest.UsageError(f"write --impl={impl} (with '='): pytest took {impl} for a folder of tests")
    config.pluginmanager.register(Progress(config, impl), "day5-progress")


def pytest_unconfigure(config):
    if BLAS in config.stash:
        config.stash[BLAS].restore_original_limits()


def kata_of(node) -> Kata | None:
    return kata_for_test_file(node.path.name)


@pytest.fixture(scope="module")
def day5(request, tmp_path_factory):
    """The module under test for this file's kata: its kata tree, or the notebook's namespace."""
    kata = kata_of(request.node)
    if kata is None:
        pytest.fail(f"{request.node.path.name} is not listed in workbook/katas.py", pytrace=False)
    impl = request.config.getoption("impl")
    if implementation.is_namespace(impl):
        yield from _notebook_namespace(impl, kata)
        return
    if request.config.getoption("isolate"):
        yield from _student_process(request, kata, tmp_path_factory)
        return
    progress = request.config.pluginmanager.get_plugin("day5-progress")
    folder = impl if implementation.is_reference(impl) else progress.tree(kata, tmp_path_factory)
    if isinstance(folder, Broken):
        yield folder
        return
    try:
        module = implementation.load(folder, kata.module)
    except Exception as error:  # noqa: BLE001 -- whatever the learner's module raises on import
        module = Broken(f"your code for {kata.title} does not import: {type(error).__name__}: {error}")
    yield module


def _notebook_namespace(impl, kata: Kata):
    """A notebook's globals, with every *other* kata's names swapped for the reference while testing."""
    module = implementation.load(impl, kata.module)
    with pytest.MonkeyPatch.context() as patch:
        for other in KATAS:
            if other is not kata:
                for name in other.names:
                    patch.setattr(module, name, getattr(implementation.load("solutions", other.module), name), raising=False)
        yield module


def _student_process(request, kata: Kata, tmp_path_factory):
    """The kata's module in a sandboxed student process (``workbook.grader``), by proxy; it ends with the module."""
    from .grader.harness import StudentProcess

    folder = implementation.resolve(request.config.getoption("impl"))
    tree_of = trees.tree_answer(folder)
    progress = request.config.pluginmanager.get_plugin("day5-progress")
    answer = tree_of[1] if tree_of and tree_of[0] == kata.slug else progress.answers(folder)[kata.slug]
    if answer.problem:
        yield Broken(f"your code for {kata.title} in {answer.filename} {answer.problem}")
        return
    seconds = request.config.getoption("timeout", None) or SECONDS.get(settings.get_current_profile_name(), SECONDS["learner"])
    limits = sandbox.Limits(seconds=10 * seconds, memory=MEMORY)  # CPU for the whole kata; each test has its own time limit
    process = StudentProcess(kata, answer, tmp_path_factory.getbasetemp(), request.path.parent, limits)
    try:
        try:
            module = process.hello(kata, answer)
        except Exception as error:  # noqa: BLE001 -- whatever the learner's module raises on import, or its process
            module = Broken(f"your code for {kata.title} does not import: {type(error).__name__}: {error}")
        yield module
    finally:
        progress.student_cpu_seconds += process.close()


@pytest.fixture(scope="session")
def reference():
    """``reference("tokenizers")`` is the reference module, for what a test needs but does not test."""
    return lambda module: implementation.load("solutions", module)


def _items(node):
    """Every test item under ``node``, collected afresh."""
    for child in node.collect():
        if isinstance(child, pytest.Item):
            yield child
        else:
            yield from _items(child)


class Progress:
    """Builds kata trees; collects outcomes per kata; reports stubs, hangs and blow-ups kindly; prints the table."""

    def __init__(self, config, impl: str):
        self.config = config
        self.impl = impl
        self.outcomes: dict[str, str] = {}  # node id -> passed / failed / skipped
        self.messages: dict[str, str] = {}  # node id -> what went wrong, shortened
        self.kata_of: dict[str, Kata | None] = {}
        self.deselected: Counter[str] = Counter()  # kata slug -> tests collected but not selected
        self.stopped: dict[str, str] = {}  # kata slug -> the limit one of its tests ran into
        self.trees: dict[str, Path | Broken] = {}
        self.answers = functools.cache(trees.answers_from_folder)  # every kata's answer, read once per run
        self.not_started: set[str] = set()  # node ids of the tests that reached a stub
        self.earlier: set[str] = set()  # slugs of the katas whose outcomes come from --workbook-earlier
        self.diagnoses: dict[str, str] = {}  # node id -> the test's own hint (@pytest.mark.diagnosis)
        self.student_cpu_seconds = 0.0  # of the student processes (--isolate), which the run's own CPU time leaves out

    def tree(self, kata: Kata, tmp_path_factory) -> Path | Broken:
        """The kata tree of ``kata`` for this run's implementation (built once per run)."""
        if kata.slug not in self.trees:
            folder = implementation.resolve(self.impl)
            tree_of = trees.tree_answer(folder)
            if tree_of is not None:  # the implementation is itself one kata's tree (the autograder's)
                self.trees[kata.slug] = folder if tree_of[0] == kata.slug else Broken(f"{folder} is the tree of {tree_of[0]}")
            else:
                answer = self.answers(folder)[kata.slug]
                if answer.problem:
                    self.trees[kata.slug] = Broken(f"your code for {kata.title} in {answer.filename} {answer.problem}")
                else:
                    base = tmp_path_factory.getbasetemp() / "kata-trees"
                    self.trees[kata.slug] = trees.build(base / kata.slug, kata, answer)
        return self.trees[kata.slug]

    def pytest_collection_modifyitems(self, items):
        seconds = self.config.getoption("timeout", None) or SECONDS.get(settings.get_current_profile_name(), SECONDS["learner"])
        for item in items:
            self.kata_of[item.nodeid] = kata = kata_of(item)
            if (marker := item.get_closest_marker("diagnosis")) is not None:
                self.diagnoses[item.nodeid] = marker.args[0]
            if kata is not None and item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(seconds))
            hypothesis_hooks = getattr(getattr(item, "obj", None), "hypothesis", None)
            if hypothesis_hooks is not None and not hasattr(hypothesis_hooks.inner_test, "stops_at_stubs"):
                # the documented way to wrap a hypothesis test; once, however often it is collected
                hypothesis_hooks.inner_test = stop_at_stubs(hypothesis_hooks.inner_test)

    def pytest_collection_finish(self, session):
        """Tests named one by one (``file.py::test``) leave the rest of their kata unselected: count those too."""
        if any("::" in arg for arg in self.config.args):
            modules = {item.parent for item in session.items if self.kata_of.get(item.nodeid)}
            for module in modules:
                everything = sum(1 for _ in _items(module))
                chosen = sum(1 for item in session.items if item.parent is module)
                self.deselected[kata_of(module).slug] += everything - chosen
        if earlier := self.config.getoption("workbook_earlier"):
            self._take_earlier(earlier)

    def _take_earlier(self, earlier: str) -> None:
        """The katas this run leaves out take their outcomes from the report ``earlier``."""
        running = {kata.slug for kata in self.kata_of.values() if kata} | set(self.deselected)
        for nodeid, test in (read_report(Path(earlier)) or {"tests": {}})["tests"].items():  # none from a run that left no report
            if test["kata"] and test["kata"] not in running and test["outcome"] != "not run":
                self.kata_of[nodeid], self.outcomes[nodeid] = kata_for_slug(test["kata"]), test["outcome"]
                if "message" in test:
                    self.messages[nodeid] = test["message"]
                    if test["message"].startswith(NOT_STARTED):
                        self.not_started.add(nodeid)
                self.earlier.add(test["kata"])

    def pytest_deselected(self, items):
        self.deselected.update(kata.slug for item in items if (kata := kata_of(item)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.excinfo is not None and call.when == "call" and (problem := limits.describe(call.excinfo, item)):
            report.longrepr = problem
            if self.kata_of.get(item.nodeid):
                self.stopped[self.kata_of[item.nodeid].slug] = problem
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        broken = getattr(item, "funcargs", {}).get("day5")
        if isinstance(broken, Broken):
            pytest.fail(broken, pytrace=False)
        kata = self.kata_of.get(item.nodeid)
        if kata is not None and kata.slug in self.stopped:  # one hang per kata is enough to wait for
            pytest.fail(f"not run: in an earlier test, {self.stopped[kata.slug]}", pytrace=False)
        limit = contextlib.nullcontext() if kata is None or implementation.is_reference(self.impl) else limits.memory(MEMORY)
        try:
            with limit:
                return (yield)
        except (Exception, StubReached) as error:
            error = error.__cause__ if isinstance(error, StubReached) else error
            # a stub's NotImplementedError, or what failed while handling one (it is a RuntimeError to pytest.raises)
            stub = implementation.stub_reached(error, self.impl) or implementation.stub_reached(error.__context__, self.impl)
            if stub is None:
                raise
            self.not_started.add(item.nodeid)  # one line, without formatting a traceback nobody reads
            raise pytest.fail.Exception(f"{NOT_STARTED}`{stub.name}` in {stub.where}", pytrace=False) from None

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            if self.outcomes.get(report.nodeid) in (None, "passed"):
                self.outcomes[report.nodeid] = report.outcome
            if report.failed and report.nodeid not in self.messages:
                self.messages[report.nodeid] = summarize(report)

    def rows(self):
        """``(kata, passed, ran, not run, points earned or None)`` for every kata, in order."""
        ran, passed, collected = Counter(), Counter(), Counter()
        for nodeid, kata in self.kata_of.items():
            if kata:
                collected[kata.slug] += 1
                if nodeid in self.outcomes:
                    ran[kata.slug] += 1
                    passed[kata.slug] += self.outcomes[nodeid] == "passed"
        for kata in KATAS:
            missing = collected[kata.slug] - ran[kata.slug] + self.deselected[kata.slug]
            if passed[kata.slug] < ran[kata.slug]:
                earned = 0
            else:
                earned = kata.points if ran[kata.slug] and not missing else None
            yield kata, passed[kata.slug], ran[kata.slug], missing, earned

    def pytest_sessionfinish(self):
        report_file = self.config.getoption("workbook_report")
        if report_file:
            self._write_report(Path(report_file))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter):
        failed = terminalreporter.stats.get("failed", [])
        stubs = [report for report in failed if report.nodeid in self.not_started]
        failed[:] = [report for report in failed if report.nodeid not in self.not_started]  # the table says them
        try:
            result = yield  # pytest's own summaries first: the table ends the run
        finally:
            failed.extend(stubs)  # pytest's last line counts them
        if any(self.kata_of.values()):
            self._table(terminalreporter)
        return result

    def _table(self, tr):
        rows = list(self.rows())
        tr.write_sep("=", f"Day 5 progress ({self.impl})")
        width = max(len(kata.title) for kata in KATAS) + 4
        tr.write_line(f"    {'kata':<{width}}{'tests':>9}{'points':>10}")
        failing = [row for row in rows if row[1] < row[2]]
        next_kata = failing[0][0] if failing else None
        stubbed = Counter(self.kata_of[nodeid].slug for nodeid in self.not_started if self.kata_of.get(nodeid))
        for kata, passed, ran, missing, earned in rows:
            number = KATAS.index(kata) + 1
            if not ran:
                tr.write_line(f"{number:>2}. {kata.title:<{width}}{'':>9}{'':>10} not run")
                continue
            points = f"{earned:>6}/{kata.points:<3}" if earned is not None else f"{'?':>6}/{kata.points:<3}"
            mark = "done" if passed == ran and not missing else ("<- next" if kata is next_kata else "")
            if stubbed[kata.slug] == ran:
                mark = f"{mark}, not started".lstrip(", ")
            if kata.slug in self.earlier:
                mark = f"{mark} (last full run)".lstrip()
            if missing:
                mark = f"{mark}, {missing} not run".lstrip(", ")
            tr.write_line(f"{number:>2}. {kata.title:<{width}}{passed:>5}/{ran:<3}{points} {mark}".rstrip())
        earned = sum(row[4] or 0 for row in rows)
        tr.write_line(f"    {'total':<{width}}{'':9}{earned:>6}/{sum(kata.points for kata in KATAS)}")
        if next_kata is None:
            tr.write_line("")
            if all(row[2] and not row[3] for row in rows):
                tr.write_line("Every kata is done. Well done!", green=True, bold=True)
            elif any(row[2] for row in rows):
                tr.write_line("Every test that ran passed; run `pytest -k day5` for the whole table.", green=True)
            else:
                tr.write_line("No kata test ran.")
            return
        first = next(n for n, k in self.kata_of.items() if k is next_kata and self.outcomes.get(n) == "failed")
        diagnosis = self.diagnoses.get(first)
        level = self.config.getoption("hint")
        tr.write_line("")
        tr.write_line(f"Next: {next_kata.title} -- {first}", bold=True)
        for line in self.messages.get(first, "failed").splitlines():
            tr.write_line(f"  {line}")
        if diagnosis and level == 1:
            tr.write_line(f"  Hint: {diagnosis}")
        else:
            tr.write_line(f"  Hint {level}/{len(next_kata.hints)}: {next_kata.hints[level - 1]}")
        tr.write_line(f"  Read: {next_kata.note}")
        if level < len(next_kata.hints):
            tr.write_line(f"  Stuck? pytest -k day5 --hint {level + 1}")

    def _write_report(self, path: Path) -> None:
        tests = {
            nodeid: {
                "kata": kata.slug if kata else None,
                "outcome": self.outcomes.get(nodeid, "not run"),
                **({"message": self.messages[nodeid]} if nodeid in self.messages else {}),
                **({"diagnosis": self.diagnoses[nodeid]} if nodeid in self.diagnoses else {}),
            }
            for nodeid, kata in self.kata_of.items()
        }
        write_report(path, str(self.impl), tests, self.student_cpu_seconds)
