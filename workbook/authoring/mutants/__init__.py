"""``day5 mutants``: the suite proves its strength against realistic learner bugs.

The catalogue (``catalogue.py``) lists bugs a learner really makes, each as a source
edit inside a solution region of ``solutions/day5``. For each bug this module builds
a copy of the reference with that one edit and runs the bug's kata tests on it:

- once under the derandomized ``grade`` profile, and
- under the ``learner`` profile with a few fixed ``--hypothesis-seed`` values.

A bug is *killed* when every one of these runs fails; a bug that passes even one run
is a *survivor* (it would pass for some learner, some of the time). When the grade run's
first failure is a plain example test (not a hypothesis law), the learner runs are
skipped: that test fails whatever the profile and seed, and ``-x`` stops at it or earlier. An edit that no
longer matches the reference exactly once, or leaves its kata's regions, is a
catalogue error. Both make the command exit non-zero.

Speed: the parent imports numpy, pytest, hypothesis and the workbook once and runs
one warm-up collection; every run is then a ``fork`` of it calling ``pytest.main``
(``-x``: the first failure is enough), as many at a time as there are cores. A run
that hangs (an infinite loop in a bug) is killed after ``--timeout`` seconds and
counts as caught, since a learner's run would never pass either.

Every run switches off what cannot change its outcome but costs time or makes runs
depend on each other: shrinking (the failure is found before it) and the example
database (a failure saved by one run would be replayed by the next).

The first failing line of each killed bug is kept: ``--show`` prints it, so one can
check that the message names the bug as the catalogue's diagnosis does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ...implementation import NAMED, ROOT
from ...katas import KATAS, kata_for_slug
from .catalogue import CATALOGUE, REJECTED, Mutant

__all__ = ["CATALOGUE", "REJECTED", "Mutant", "apply", "main", "problems_of", "run"]

SEEDS = (0, 1)  # the learner profile's fixed seeds (the grade profile needs none)


def _regions_of(text: str, names) -> list[tuple[int, int]]:
    """Character spans of the solution regions owned by one of ``names``."""
    from ..stubs import regions

    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return [(starts[begin - 1], starts[end]) for owner, begin, end in regions(text) if owner in names]


def problems_of(mutant: Mutant, text: str | None = None) -> list[str]:
    """Why ``mutant`` cannot be applied to the reference (empty when it can)."""
    kata = kata_for_slug(mutant.kata)
    if text is None:
        text = (NAMED["solutions"] / "day5" / f"{kata.module}.py").read_text(encoding="utf-8")
    spans = _regions_of(text, kata.names)
    for n, (old, new) in enumerate(mutant.edits, start=1):
        found = text.count(old)
        if found != 1:
            return [f"{mutant.name}: edit {n}'s old text occurs {found} times in solutions/day5/{kata.module}.py (must be once)"]
        start = text.index(old)
        if not any(a <= start and start + len(old) <= b for a, b in spans):
            return [f"{mutant.name}: edit {n} lies outside the solution regions of {', '.join(kata.names)}"]
        if old == new:
            return [f"{mutant.name}: edit {n} changes nothing"]
    try:
        compile(mutant.applied_to(text), f"{kata.module}.py", "exec")
    except SyntaxError as error:
        return [f"{mutant.name}: the edited source does not compile: {error}"]
    return []


def apply(mutant: Mutant, target: Path) -> Path:
    """Write a copy of the reference with ``mutant`` applied into ``target/day5``; return ``target``."""
    kata = kata_for_slug(mutant.kata)
    shutil.copytree(NAMED["solutions"] / "day5", target / "day5", ignore=shutil.ignore_patterns("__pycache__"))
    path = target / "day5" / f"{kata.module}.py"
    path.write_text(mutant.applied_to(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


# --- running -------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    status: str = "pending"  # killed / survived / hung / error (the run broke before a test failed)
    survived_under: str = ""  # the run a survivor passed
    first_failure: str = ""  # the first failing test and its message, from the grade run
    law: bool = False  # that test is a hypothesis law (so the learner-profile seeds were run too)


class _FirstFailure:
    """A pytest plugin that writes the first failing test and its one-line message to a file."""

    def __init__(self, path: str):
        self.path = path
        self.done = False
        self.laws: set[str] = set()  # the node ids of the hypothesis tests

    def pytest_collection_modifyitems(self, items):
        self.laws = {item.nodeid for item in items if hasattr(getattr(item, "obj", None), "hypothesis")}

    def pytest_runtest_logreport(self, report):
        if report.failed and not self.done:
            self.done = True
            crash = getattr(report.longrepr, "reprcrash", None)
            text = (crash.message if crash is not None else str(report.longrepr)).strip()
            message = text.splitlines()[0] if text else "failed"
            found = {"test": report.nodeid, "message": message, "law": report.nodeid in self.laws}
            Path(self.path).write_text(json.dumps(found), encoding="utf-8")


def _pytest_args(test_file: str, impl: str | Path, profile: str, seed: int | None) -> list[str]:
    args = [
        test_file, "-x", "-q", "-p", "no:cacheprovider", "--tb=no", "-o", "addopts=", "--no-header",
        f"--impl={impl}", f"--hypothesis-profile={profile}",
        "--timeout=3600",  # no per-test limit: on a busy machine it would fail slow tests of a surviving bug; run() has its own
    ]
    return args + ([f"--hypothesis-seed={seed}"] if seed is not None else [])


def _warm_up() -> None:
    """Import everything a run needs, once, in the parent that every run forks from."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # many forks on few cores: no BLAS thread pools
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pytest
    from hypothesis import Phase, settings

    from ... import plugin  # noqa: F401  (registers the profiles)

    # Neither changes whether a run fails: the failure is found before shrinking starts, and
    # without the database no run replays what another one saved.
    for name in ("learner", "grade"):
        profile = settings.get_profile(name)
        settings.register_profile(
            name, parent=profile, database=None, phases=[p for p in profile.phases if p is not Phase.shrink]
        )
    with open(os.devnull, "w") as devnull:  # collect every kata file once: their modules and plugins are imported
        saved = os.dup(1), os.dup(2)
        os.dup2(devnull.fileno(), 1), os.dup2(devnull.fileno(), 2)
        try:
            pytest.main(["tests/day5", "--co", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--impl=solutions"])
        finally:
            os.dup2(saved[0], 1), os.dup2(saved[1], 2)
            os.close(saved[0]), os.close(saved[1])


def _fork_run(args: list[str], report: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1), os.dup2(devnull, 2)
        import pytest

        code = int(pytest.main(args, plugins=[_FirstFailure(report)]))
    finally:
        os._exit(code)


def run(mutants: list[Mutant], seeds=SEEDS, jobs: int | None = None, timeout: float = 300.0,
        progress=None) -> list[Outcome]:
    """Run every mutant's kata tests on a copy of the reference with the mutant applied."""
    os.chdir(ROOT)
    _warm_up()
    runs = [("grade", None)] + [("learner", seed) for seed in seeds]
    jobs = jobs or os.cpu_count() or 1
    outcomes = [Outcome(m) for m in mutants]
    with tempfile.TemporaryDirectory(prefix="day5-mutants-") as tmp:
        folders = [apply(m, Path(tmp) / f"m{i:03d}") for i, m in enumerate(mutants)]
        queue = [(i, 0) for i in range(len(mutants))]  # (mutant, run index); a mutant's next run is queued when one fails
        queue.reverse()
        active: dict[int, tuple[int, int, float, str]] = {}
        while queue or active:
            while queue and len(active) < jobs:
                i, r = queue.pop()
                profile, seed = runs[r]
                report = str(Path(tmp) / f"report-{i}-{r}.json")
                pid = _fork_run(_pytest_args(kata_for_slug(mutants[i].kata).tests, folders[i], profile, seed), report)
                active[pid] = (i, r, time.monotonic(), report)
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for pid, (i, r, started, _) in list(active.items()):
                    if now - started > timeout:
                        for kill in (os.killpg, os.kill):  # its group, or itself if it had no time to make one
                            try:
                                kill(pid, signal.SIGKILL)
                                break
                            except ProcessLookupError:
                                pass
                time.sleep(0.01)
                continue
            if pid not in active:
                continue
            i, r, _, report = active.pop(pid)
            outcome = outcomes[i]
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                outcome.status = "hung"
            elif os.waitstatus_to_exitcode(status) == 0:
                profile, seed = runs[r]
                outcome.status = "survived"
                outcome.survived_under = profile + (f" --hypothesis-seed={seed}" if seed is not None else "")
            elif not os.path.exists(report):  # pytest stopped without a failing test: not a kill
                outcome.status = "error"
                outcome.survived_under = f"exit {os.waitstatus_to_exitcode(status)}"
            else:
                found = json.loads(Path(report).read_text(encoding="utf-8"))
                if r == 0:
                    outcome.first_failure = f"{found['test'].split('::')[-1]}: {found['message']}"
                    outcome.law = found["law"]
                if r + 1 < len(runs) and found["law"]:  # an example test fails under every profile alike
                    queue.append((i, r + 1))
                    continue
                outcome.status = "killed"
            if progress:
                progress(outcome)
    return outcomes


# --- the command ----------------------------------------------------------------


def catalogue_problems(mutants=CATALOGUE) -> list[str]:
    problems = []
    for m in mutants:
        problems += problems_of(m)
    names = [m.name for m in mutants]
    problems += [f"two bugs are called {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    for kata in KATAS:
        n = sum(m.kata == kata.slug for m in mutants)
        if n < 6:
            problems.append(f"kata {kata.slug} has {n} catalogued bugs (at least 6)")
    return problems


def unnamed(outcome: Outcome) -> bool:
    """True when a killed bug's first failure is a bare assertion: no message points at the bug."""
    message = outcome.first_failure.split(": ", 1)[-1].strip()
    return outcome.status == "killed" and (
        message in ("AssertionError", "AssertionError:") or message.startswith(("assert ", "AssertionError: assert "))
    )


def kill_rate_line(outcomes: list[Outcome]) -> str:
    killed = sum(o.status in ("killed", "hung") for o in outcomes)
    return f"killed {killed}/{len(outcomes)}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="day5 mutants", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return command(parser.parse_args(argv))


def add_arguments(parser) -> None:
    parser.add_argument("-k", "--kata", action="append", help="only this kata's bugs (a slug; repeatable)")
    parser.add_argument("--bug", action="append", help="only this bug (a name such as softmax-2; repeatable)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="learner-profile seeds per bug (default %(default)s)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="runs at a time (default: the number of cores)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run counts as hung (default %(default)s)")
    parser.add_argument("--show", action="store_true", help="print each killed bug's first failing test and message")
    parser.add_argument("--list", action="store_true", help="list the catalogue and exit")


def command(args) -> int:
    started = time.monotonic()
    problems = catalogue_problems()
    for problem in problems:
        print(f"catalogue: {problem}")
    mutants = [m for m in CATALOGUE if (not args.kata or m.kata in args.kata) and (not args.bug or m.name in args.bug)]
    if args.list:
        for m in mutants:
            print(f"{m.name:<24} {m.bug}\n{'':<24} -> {m.diagnosis}")
        print(f"{len(CATALOGUE)} bugs, {len(REJECTED)} rejected rewrites")
        return 1 if problems else 0
    bad = {p.split(":")[0] for p in problems}
    mutants = [m for m in mutants if m.name not in bad]

    def report(outcome: Outcome) -> None:
        m = outcome.mutant
        if outcome.status == "survived":
            print(f"SURVIVED {m.name} ({outcome.survived_under}): {m.bug}", flush=True)
        elif outcome.status == "error":
            print(f"ERROR    {m.name} ({outcome.survived_under}, no test failed): {m.bug}", flush=True)
        elif outcome.status == "hung":
            print(f"hung     {m.name}: {m.bug} (caught, but by the timeout: no message names it)", flush=True)
        elif unnamed(outcome):
            print(f"UNNAMED  {m.name}: {m.bug}\n         first failure: {outcome.first_failure}", flush=True)
        elif args.show:
            print(f"killed   {m.name}: {m.bug}{' (by a law)' if outcome.law else ''}\n         first failure: {outcome.first_failure}\n"
                  f"         diagnosis:     {m.diagnosis}", flush=True)

    seeds = tuple(range(args.seeds))
    outcomes = run(mutants, seeds=seeds, jobs=args.jobs, timeout=args.timeout, progress=report)
    survivors = [o for o in outcomes if o.status in ("survived", "error")]
    bare = sum(map(unnamed, outcomes))
    laws = sum(o.law for o in outcomes if o.status == "killed")
    print(f"{kill_rate_line(outcomes)} ({laws} first by a law: grade profile and learner seeds {', '.join(map(str, seeds))};"
          f" {bare} first failures without a message naming the bug; {time.monotonic() - started:.0f} s)")
    return 1 if survivors or problems or bare else 0


if __name__ == "__main__":
    sys.exit(main())
