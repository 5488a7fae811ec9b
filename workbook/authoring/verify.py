"""The consistency check CI runs: the workbook is honest.

1. ``exercises/`` and the notebooks are exactly what ``solutions/`` generates (no drift).
2. Every stub module imports cleanly.
3. The reference passes every test (an optional one may skip, a graded one may not).
4. On the untouched stubs every graded test fails; one that passes is named.
5. For each kata, a copy of the stubs with only that kata filled in from the
   reference passes all of that kata's tests (so they need no other kata's work).
6. Every learner bug of the mutant catalogue fails its kata's tests, under the grade
   profile and the learner profile with fixed seeds (what ``day5 mutants`` runs; the kill
   rate, one line).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..implementation import ROOT
from ..katas import KATAS
from ..report import read_report
from . import course, stubs


def run_suite(impl: str | Path, profile: str, *options: str, tests: str = "tests/day5") -> dict[str, dict]:
    """Run ``tests`` against ``impl`` in a fresh interpreter; ``{node id: {kata, outcome}}``."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            sys.executable, "-m", "pytest", tests, "-q", "-p", "no:cacheprovider",
            f"--impl={impl}", f"--workbook-report={report}", f"--hypothesis-profile={profile}", *options,
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if (written := read_report(report)) is None:
            raise RuntimeError(f"pytest did not finish (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return written["tests"]


def stub_imports() -> list[str]:
    problems = []
    for module in sorted({kata.module for kata in KATAS}):
        code = f"from workbook.implementation import load; load('exercises', {module!r})"
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            problems.append(f"exercises/day5/{module}.py does not import:\n{done.stderr[-2000:]}")
    return problems


def only_filled_in(kata) -> dict[str, dict]:
    """The grade-profile outcomes of ``kata``'s tests on a copy of the stubs with only ``kata`` filled in.

    The other katas' tests need not run: each kata is tested in a tree of its own, with the
    reference for every other kata (``workbook.trees``), so their outcomes are those on the
    stubs, which check 4 has.
    """
    with tempfile.TemporaryDirectory() as tmp:
        stubs.write(Path(tmp), keep=kata.names, log=lambda _: None)
        return run_suite(tmp, "grade", tests=kata.tests)


def verify(log: Callable[[str], None] = print) -> list[str]:
    """Run every check; return the problems found (none means the workbook is consistent)."""
    problems = []

    def check(title: str, found: list[str]) -> None:
        log(f"{'ok  ' if not found else 'FAIL'} {title}")
        problems.extend(found)

    check("exercises/ is generated from solutions/", stubs.drift())
    check("the course notebooks are generated from solutions/", course.drift())
    check("the stubs import", stub_imports())

    owners = {owner for path in stubs.solution_files() for owner, *_ in stubs.regions(path.read_text("utf-8"))}
    claimed = {name for kata in KATAS for name in kata.names}
    check("every solution region belongs to a kata", [f"no kata claims {name}" for name in sorted(owners - claimed)])

    outcomes = run_suite("solutions", "ci", "--torch")  # the PyTorch comparisons skip where torch is missing
    check(
        "the reference passes every test",
        [f"reference: {n} {t['outcome']}" for n, t in outcomes.items() if t["outcome"] == "failed" or t["kata"] and t["outcome"] != "passed"],
    )

    outcomes = run_suite("exercises", "grade")
    check(
        "every graded test fails on the stubs",
        [f"passes on the stubs: {n}" for n, t in outcomes.items() if t["kata"] and t["outcome"] == "passed"],
    )

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # each run is its own process
        for kata, outcomes in zip(KATAS, pool.map(only_filled_in, KATAS)):
            found = [f"only {kata.slug} filled in: {n} {t['outcome']}" for n, t in outcomes.items() if t["outcome"] != "passed"]
            check(f"filling in {kata.slug} alone turns that kata green", found if outcomes else [f"{kata.tests} ran no test"])

    from . import mutants  # the realistic learner bugs

    outcomes = mutants.run(mutants.CATALOGUE)
    found = mutants.catalogue_problems() + [
        f"learner bug {o.mutant.name} passes its kata's tests: {o.mutant.bug}" for o in outcomes if o.status in ("survived", "error")
    ] + [f"learner bug {o.mutant.name} first fails with no message naming it: {o.first_failure}" for o in outcomes if mutants.unnamed(o)]
    seeds = ", ".join(map(str, mutants.SEEDS))
    check(f"the suite catches the catalogued learner bugs: {mutants.kill_rate_line(outcomes)} (grade profile, learner seeds {seeds})", found)
    return problems
