"""Time of the whole day5 test suite as a learner runs it: on the reference and on the untouched stubs.

Each command runs in a subprocess from the repository root with ``CI`` unset, so
Hypothesis uses the fast ``learner`` profile, and without ``PYTHONDONTWRITEBYTECODE``,
so Python caches its bytecode as on a learner's machine. Hypothesis keeps its example
database in a temporary directory shared by the rounds (as a learner's runs share
theirs), so the harness writes nothing into the repository and replays no failure that
another run stored there. The two commands take turns, so a busy machine slows both
alike; each sample records wall time and the CPU time of the run (its processes' user
and system time), which a load from other work changes much less.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from workbook.implementation import ROOT

from .timing import Budget, Target

COMMANDS = {
    "reference": ["-m", "pytest", "-k", "day5", "--impl", "solutions", "-q", "-p", "no:cacheprovider"],
    "stubs": ["-m", "pytest", "-k", "day5", "--impl", "exercises", "-q", "-p", "no:cacheprovider"],
}
CLEAN_EXIT = {"reference": 0, "stubs": 1}  # the stubs fail their graded tests; any other status is a broken run
TARGET = Target("<=", 4.0, "<= 4 s wall each")


def run_once(command: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds of one run of ``command``, and the run."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, *command], check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def reference_tests(repeat: int, collect_only: bool) -> Budget:
    """The median wall time of ``repeat`` runs of each command; ``collect_only`` (quick mode) only collects.

    The score is the slower of the two medians; the target counts as met only when every run ended cleanly.
    """
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTHONDONTWRITEBYTECODE")}
    samples: dict[str, list] = {name: [] for name in COMMANDS}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="day5-hypothesis-") as storage:
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = storage
        for _ in range(repeat):
            for name, command in COMMANDS.items():
                samples[name].append(run_once(command + ["--collect-only"] * collect_only, env))
    checks, notes, medians, ok = {"load_average_before": load}, [], {}, True
    for name, runs in samples.items():
        walls, cpus = [wall for wall, _, _ in runs], [cpu for _, cpu, _ in runs]
        codes = [done.returncode for _, _, done in runs]
        summary = (runs[-1][2].stdout.strip().splitlines() or [""])[-1]
        medians[name] = statistics.median(walls)
        ok = ok and all(code == (0 if collect_only else CLEAN_EXIT[name]) for code in codes)
        checks[name] = {"command": "python " + " ".join(COMMANDS[name]), "samples_s": walls, "cpu_samples_s": cpus,
                        "exit_codes": codes, "summary": summary}
        notes.append(f"{name}: {medians[name]:.2f} s wall, {statistics.median(cpus):.2f} s CPU; {summary} (exit codes {codes})")
    value = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in medians.items())
    name = "pytest day5 (collect only)" if collect_only else "pytest day5 (reference, stubs)"
    score = max(medians.values())
    return Budget(name, f"{value} wall", f"load {load:.1f}", score, f"{score:.2f} s",
                  None if collect_only else TARGET, checks, notes, ok=ok)
