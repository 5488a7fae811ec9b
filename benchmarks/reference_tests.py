"""Wall time of the whole day5 test suite on the reference, as a learner runs it.

The command runs in a subprocess from the repository root with ``CI`` unset, so
Hypothesis uses the fast ``learner`` profile. Hypothesis keeps its example database
in a temporary directory shared by the rounds (as a learner's runs share theirs), so
the harness writes nothing into the repository and replays no failure that another
run stored there.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from workbook.implementation import ROOT

from .timing import Budget, Target

COMMAND = ["-m", "pytest", "-k", "day5", "--impl", "solutions", "-q", "-p", "no:cacheprovider"]
TARGET = Target("<=", 10.0, "<= 10 s wall")


def run_once(command: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *command], check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done


def reference_tests(repeat: int, collect_only: bool) -> Budget:
    """The median wall time of ``repeat`` runs; ``collect_only`` (quick mode) only collects the tests.

    The target counts as met only when every run passed.
    """
    command = COMMAND + ["--collect-only"] * collect_only
    with tempfile.TemporaryDirectory(prefix="day5-hypothesis-") as storage:
        env = {key: value for key, value in os.environ.items() if key != "CI"}
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = storage
        runs = [run_once(command, env) for _ in range(repeat)]
    seconds = [wall for wall, _ in runs]
    exit_codes = [done.returncode for _, done in runs]
    summary = (runs[-1][1].stdout.strip().splitlines() or [""])[-1]
    checks = {"command": "python " + " ".join(command), "samples_s": seconds, "exit_codes": exit_codes,
              "summary": summary}
    median = statistics.median(seconds)
    name = "pytest day5 (collect only)" if collect_only else "pytest day5 (reference)"
    return Budget(name, f"{median:.2f} s wall", f"exit codes {set(exit_codes)}", median, f"{median:.2f} s",
                  None if collect_only else TARGET, checks, [f"{summary} (exit codes {exit_codes})"],
                  ok=not any(exit_codes))
