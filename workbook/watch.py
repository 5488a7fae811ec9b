"""``day5 watch``: re-run the kata you are on whenever a file of your implementation is saved.

Like rustlings' watch mode. Each run clears the screen and shows pytest's progress
table for the kata you are on, the next test and its hint. Type ``h`` and Enter for the
next hint level, ``a`` for every kata, ``q`` to quit. File changes come from watchfiles.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import watchfiles

from . import implementation
from .implementation import ROOT
from .katas import KATAS, Kata

CLEAR = "\033[2J\033[H"


def current_kata(impl: str) -> Kata | None:
    """The first kata with a failing test, after one quiet run of every kata."""
    outcomes = run(impl, None, quiet=True)
    return next((k for k in KATAS if any(t["kata"] == k.slug and t["outcome"] != "passed" for t in outcomes.values())), None)


def run(impl: str, kata: Kata | None, hint: int = 1, quiet: bool = False) -> dict[str, dict]:
    """Run one kata's tests (or all) against ``impl``; print pytest's end of run unless ``quiet``."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        target = str(ROOT / kata.tests) if kata else str(ROOT / "tests" / "day5")
        command = [
            sys.executable, "-m", "pytest", target, f"--impl={impl}", f"--hint={hint}", f"--workbook-report={report}",
            "-q", "--no-header", "--tb=no", "-p", "no:cacheprovider",
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if not quiet:
            print(CLEAR + done.stdout[done.stdout.find("=") :], flush=True)
        return json.loads(report.read_text(encoding="utf-8"))["tests"] if report.exists() else {}


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
            kata = current_kata(impl)
        if first or changes or keys_pressed:
            kata, first = show(impl, kata, hint, everything, folder), False
    return 0


def show(impl: str, kata: Kata | None, hint: int, everything: bool, folder: Path) -> Kata | None:
    """Run and print the kata you are on (the next one once it passes); return it."""
    outcomes = run(impl, None if everything else kata, hint)
    if kata and outcomes and all(test["outcome"] == "passed" for test in outcomes.values()):
        kata = current_kata(impl)
        if kata is not None and not everything:
            run(impl, kata, hint)
    print(f"Watching {folder} -- h: next hint, a: every kata, q: quit", flush=True)
    return kata


def _python(change, path: str) -> bool:
    return path.endswith(".py")
