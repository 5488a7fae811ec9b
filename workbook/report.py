"""What a test run leaves behind, as versioned JSON: every writer and reader goes through here.

``report.json`` (``pytest --workbook-report FILE``: the learner's watch, verify, the notebook's
grade cells, each kata's harness when grading), schema ``day5-report/1``::

    {"schema": "day5-report/1", "impl": str, "student_cpu_seconds": float,
     "tests": {node id: {"kata": slug or null, "outcome": "passed" | "failed" | "skipped" | "not run",
                         "message": str (if it failed), "diagnosis": str (the test's own hint, if it has one)}}}

``exit.json`` (the grader's runner, for each kata's harness), schema ``day5-exit/1``::

    {"schema": "day5-exit/1", "returncode": int, or null when stopped at the time limit, "seconds": float}

A file that is missing, larger than ``LIMIT``, not JSON, of another schema or not of this
shape reads as None: a reader never trusts half of a file. A change of shape is a new
schema name, so that a reader knows what it holds.
"""

from __future__ import annotations

import json
from pathlib import Path

from .files import write_atomic

REPORT = "day5-report/1"
EXIT = "day5-exit/1"
OUTCOMES = ("passed", "failed", "skipped", "not run")
LIMIT = 4 << 20  # bytes: a kata's report is a few kilobytes, a whole run's under a megabyte


def write_report(path: Path, impl: str, tests: dict[str, dict], student_cpu_seconds: float = 0.0) -> None:
    """Write a run's report: ``tests`` maps each node id to its record (see the module's docstring)."""
    report = {"schema": REPORT, "impl": impl, "student_cpu_seconds": round(student_cpu_seconds, 3), "tests": tests}
    write_atomic(Path(path), json.dumps(report, indent=1, ensure_ascii=False))


def read_report(path: Path) -> dict | None:
    """The report in ``path`` (``report["tests"]`` holds the records), or None if it is not one."""
    report = _json(path)
    if report is None or report.get("schema") != REPORT or not isinstance(report.get("impl"), str):
        return None
    if type(report.get("student_cpu_seconds")) not in (int, float) or not _records(report.get("tests")):
        return None
    return report


def write_exit(path: Path, returncode: int | None, seconds: float) -> None:
    """Write how a kata's harness ended: its exit code, or None if it was stopped at the time limit."""
    write_atomic(Path(path), json.dumps({"schema": EXIT, "returncode": returncode, "seconds": round(seconds, 3)}))


def read_exit(path: Path) -> tuple[int | None, float] | None:
    """``(returncode, seconds)`` from ``path``, or None if it is not an exit file."""
    ended = _json(path)
    if ended is None or ended.get("schema") != EXIT:
        return None
    returncode, seconds = ended.get("returncode"), ended.get("seconds")
    if not (returncode is None or type(returncode) is int) or type(seconds) not in (int, float):
        return None
    return returncode, seconds


def _records(tests) -> bool:
    return isinstance(tests, dict) and all(
        isinstance(nodeid, str) and isinstance(test, dict) and test.get("outcome") in OUTCOMES
        and (test.get("kata") is None or isinstance(test.get("kata"), str))
        and all(isinstance(test.get(key, ""), str) for key in ("message", "diagnosis"))
        for nodeid, test in tests.items()
    )


def _json(path: Path) -> dict | None:
    """The JSON object in ``path``; None if it is missing, too large, not JSON, nested too deeply or not an object."""
    try:
        if Path(path).stat().st_size > LIMIT:
            return None
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
