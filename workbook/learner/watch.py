"""``day5 watch``: re-run the kata you are on whenever a file of your implementation is saved.

Like rustlings' watch mode. Each run clears the screen and shows pytest's progress
table, the next test and its hint. Only the kata you are on runs; the table's other rows
come from the last run of every kata (once at the start, and each time a kata passes).
Type ``h`` and Enter for the next hint level, ``a`` to run every kata on each save, ``q``
to quit. File changes come from watchfiles.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import watchfiles

from .. import implementation
from ..implementation import ROOT
from ..katas import KATAS, Kata
from ..report import read_report

CLEAR = "\033[2J\033[H"
KEYS = "h: next hint, a: every kata on each save, q: quit"


def first_failing(outcomes: dict[str, dict]) -> Kata | None:
    """The first kata with a test that did not pass, in a report's ``tests``."""
    return next((k for k in KATAS if any(t["kata"] == k.slug and t["outcome"] != "passed" for t in outcomes.values())), None)


def run(
    impl: str, kata: Kata | None, report: Path, hint: int = 1, quiet: bool = False, earlier: Path | None = None,
) -> dict[str, dict]:
    """Run one kata's tests (or all) against ``impl`` into ``report``; print pytest's end of run unless ``quiet``.

    ``earlier``, a report of every kata, fills the table's rows of the katas not run.
    """
    target = str(ROOT / kata.tests) if kata else str(ROOT / "tests" / "day5")
    rows = [f"--workbook-earlier={earlier}"] if earlier and earlier.exists() else []  # none if that run left no report
    command = [
        sys.executable, "-m", "pytest", target, f"--impl={impl}", f"--hint={hint}", f"--workbook-report={report}",
        "-q", "--no-header", "--tb=no", "-p", "no:cacheprovider", *rows,
    ]
    report.unlink(missing_ok=True)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if not quiet:
        print(CLEAR + done.stdout[done.stdout.find("=") :], flush=True)
    return (read_report(report) or {"tests": {}})["tests"]


def watch(impl: str, keys=sys.stdin) -> int:
    """Watch ``impl``'s ``day5/`` folder until ``q``; 0 on a clean quit."""
    folder = implementation.resolve(impl) / "day5"
    stop, commands = threading.Event(), []

    def read_keys():
        for line in keys:
            commands.append(line.strip().lower())
            if commands[-1] == "q":
                break
        stop.set()  # q, or the end of input

    threading.Thread(target=read_keys, daemon=True).start()
    hint, everything, kata, first = 1, False, None, True
    with tempfile.TemporaryDirectory(prefix="day5-watch-") as tmp:
        reports = Path(tmp)
        # The first yield is a timeout that comes once the watcher runs: the first run happens
        # then, so a file saved after "Watching" is printed (or during the run) is never missed.
        for changes in watchfiles.watch(folder, stop_event=stop, rust_timeout=300, yield_on_timeout=True, watch_filter=_python):
            keys_pressed = bool(commands)
            while commands:
                command = commands.pop(0)
                hint = hint % 3 + 1 if command == "h" else hint
                everything = not everything if command == "a" else everything
            if stop.is_set():
                break
            if first:
                kata = first_failing(run(impl, None, reports / "every-kata.json", quiet=True))
            if first or changes or keys_pressed:
                kata, first = show(impl, kata, hint, everything, reports), False
                print(f"Watching {folder} -- {KEYS}", flush=True)
    return 0


def show(impl: str, kata: Kata | None, hint: int, everything: bool, reports: Path) -> Kata | None:
    """Run and print the kata you are on (the next one once it passes), or every kata; return the kata you are on."""
    every = reports / "every-kata.json"
    if everything or kata is None:
        return first_failing(run(impl, None, every, hint))
    outcomes = run(impl, kata, reports / "kata.json", hint, earlier=every)
    if all(test["outcome"] == "passed" for test in outcomes.values() if test["kata"] == kata.slug):
        kata = first_failing(run(impl, None, every, quiet=True))
        if kata is not None:
            run(impl, kata, reports / "kata.json", hint, earlier=every)
    return kata


def _python(change, path: str) -> bool:
    return path.endswith(".py")
