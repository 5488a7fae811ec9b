"""The grader's harnesses: each kata's tests in a forked child of one warm process.

Starting Python, NumPy, pytest and Hypothesis costs about a second of CPU; fourteen
katas would pay it fourteen times. ``python -m workbook.grader.runner FOLDER`` pays it once,
then forks one child per kata folder of FOLDER (``FOLDER/<slug>/`` holds the kata's
tree and its tests). Each child is a kata's harness: it runs pytest with ``--isolate``,
so the tests and the reference stay in it and the learner's code runs in a student
process of its own, in a sandbox, reached through proxies (``workbook.grader``). No
student code runs in this process or its children. A child starts a session of its
own (it and its student process then run on a CPU it claims: ``sandbox.claim_a_cpu``), gets
its own limits (memory, CPU), writes its output and pytest's report into its folder
(which no student process sees), and is killed at the time limit, its student process
with it. The parent writes each child's exit into ``<slug>/exit.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pytest  # imported before the fork, with what the tests need, so that each child starts warm
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.internal.charmap import charmap

import _hypothesis_pytestplugin  # noqa: F401
import numpy  # noqa: F401
import pytest_timeout  # noqa: F401
import workbook.plugin  # noqa: F401

from ..learner import limits
from ..report import write_exit
from .harness import reference_modules
from .sandbox import bubblewrap, kill_group

PLUGINS = ("workbook.plugin", "_hypothesis_pytestplugin", "pytest_timeout")  # and no other: autoloading is off


def pytest_arguments(folder: Path, seconds: float) -> list[str]:
    """How a child runs the kata in ``folder``: its tests on its tree, the grade profile, a report; no test
    may take longer than the kata (``seconds``)."""
    return [
        str(folder / "tests"), f"--impl={folder / 'tree'}", "--isolate", f"--rootdir={folder}", "-c", os.devnull, f"--timeout={seconds:g}",
        "--hypothesis-profile=grade", f"--workbook-report={folder / 'report.json'}", f"--basetemp={folder / 'tmp'}",
        "-q", "--no-header", "--color=no", "-x", "--tb=short", "-rN", "-o", "verbosity_assertions=2",
        "-p", "no:cacheprovider", *(arg for plugin in PLUGINS for arg in ("-p", plugin)),
    ]


def child(folder: Path, memory: int, seconds: float) -> None:
    """In the forked child: limits, output to a file, pytest; never returns."""
    try:
        os.setsid()
        os.chdir(folder)
        output = os.open(folder / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        limits.cap_address_space(memory)
        limits.cap_cpu(seconds)
        code = pytest.main(pytest_arguments(folder, seconds))
    except BaseException:  # noqa: BLE001 -- whatever happens, the child ends here
        code = 99
    os._exit(int(code))


def run(root: Path, katas: list[str], jobs: int, seconds: dict[str, float], memory: int) -> None:
    """Run the kata folders ``katas`` of ``root``, ``jobs`` at a time, each for at most its ``seconds``."""
    waiting = [root / slug for slug in katas if (root / slug / "tree").is_dir()]
    running: dict[int, tuple[Path, float]] = {}  # pid -> (kata folder, start)
    while waiting or running:
        while waiting and len(running) < jobs:
            folder = waiting.pop(0)
            pid = os.fork()
            if pid == 0:
                child(folder, memory, seconds[folder.name])
            running[pid] = (folder, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            folder, start = running.pop(pid)
            kill_group(pid)  # what the child started dies with it
            _record(folder, os.waitstatus_to_exitcode(status), start)
            continue
        for pid, (folder, start) in list(running.items()):
            if time.monotonic() - start > seconds[folder.name]:
                kill_group(pid)
                os.waitpid(pid, 0)
                running.pop(pid)
                _record(folder, None, start)
        time.sleep(0.02)


def _record(folder: Path, returncode: int | None, start: float) -> None:
    """``returncode`` None: stopped at the time limit."""
    write_exit(folder / "exit.json", returncode, time.monotonic() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.grader.runner", description=__doc__)
    parser.add_argument("root", type=Path, help="folder of kata folders, each holding tree/ and tests/")
    parser.add_argument("--katas", required=True, help="the kata folders to run, by slug, comma-separated")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="katas at once")
    parser.add_argument("--seconds", type=json.loads, required=True, help='each kata\'s time limit, as JSON: {"slug": seconds}')
    parser.add_argument("--memory", type=int, default=2 << 30, help="bytes of address space one kata may add")
    parser.add_argument("--hypothesis-home", type=Path, help="Hypothesis's home, with its Unicode tables (read only)")
    args = parser.parse_args(argv)
    if args.hypothesis_home:
        set_hypothesis_home_dir(args.hypothesis_home)
    charmap()  # loaded once here, inherited by every kata
    bubblewrap()  # probed once here (it starts a sandboxed Python), not in every kata's child
    reference_modules()  # imported here once, for every kata's harness: the other katas' objects come from them
    run(args.root, args.katas.split(","), max(1, args.jobs), args.seconds, args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
