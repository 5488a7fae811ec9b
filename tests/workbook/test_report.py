"""The run's report and a kata's exit (workbook/report.py): versioned, and read exactly as written.

``golden/`` holds one file of each schema as the grader's runner and a kata's harness write
them; the grader must read them back as they are and turn them into the same feedback,
and a real run must write files of the same shape. A file of another schema, or not of
this shape, reads as nothing.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.grader import autograde
from workbook.implementation import ROOT
from workbook.katas import kata_for_slug
from workbook.report import EXIT, LIMIT, OUTCOMES, REPORT, read_exit, read_report, write_exit, write_report

GOLDEN = Path(__file__).parent / "golden"


def test_the_golden_files_read_as_they_are():
    assert read_report(GOLDEN / "report.json") == json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    assert read_exit(GOLDEN / "exit.json") == (1, 2.417)


def test_the_grader_turns_the_golden_files_into_this_feedback(tmp_path):
    kata = kata_for_slug("bpe_basics")
    for name in ("report.json", "exit.json"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    result = autograde._result(kata, tmp_path, set(), 0.0, "")
    assert not result.passed and result.seconds == 2.417
    assert result.lines == (
        f"{kata.title}: 1 of 3 tests passed; first failure: test_merge_replaces_every_occurrence_left_to_right",
        "  AssertionError: [256, 256, 97] != [256, 97, 97]",
        "Hint: merge는 왼쪽부터: 겹치는 쌍은 먼저 만난 것만 바뀝니다",
        f"Read: {kata.note}",
    )


def test_a_run_writes_a_report_of_the_golden_shape(tmp_path):
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pytest", kata_for_slug("bpe_basics").tests, "--impl=exercises", f"--workbook-report={report}",
               "-q", "-p", "no:cacheprovider"]
    subprocess.run(command, cwd=ROOT, capture_output=True)
    written, golden = read_report(report), json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    assert written is not None and written.keys() == golden.keys() and written["schema"] == REPORT
    assert {test["outcome"] for test in written["tests"].values()} == {"failed"}  # the stubs
    assert all(test.keys() <= {"kata", "outcome", "message", "diagnosis"} and test["message"] for test in written["tests"].values())


def test_an_exit_and_a_report_read_back_as_written(tmp_path):
    write_exit(tmp_path / "exit.json", None, 60.00049)
    assert read_exit(tmp_path / "exit.json") == (None, 60.0)
    assert json.loads((tmp_path / "exit.json").read_text()).keys() == json.loads((GOLDEN / "exit.json").read_text()).keys()
    tests = {"t.py::x": {"kata": None, "outcome": outcome} for outcome in OUTCOMES}
    write_report(tmp_path / "report.json", "solutions", tests)
    assert read_report(tmp_path / "report.json")["tests"] == tests


NOT_REPORTS = {
    "not JSON": "x" * 10,
    "nested too deeply": "[" * 100_000 + "]" * 100_000,
    "no schema (before schemas)": json.dumps({"impl": "x", "student_cpu_seconds": 0, "tests": {}}),
    "the next schema": json.dumps({"schema": "day5-report/2", "impl": "x", "student_cpu_seconds": 0, "tests": {}}),
    "tests that are a list": json.dumps({"schema": REPORT, "impl": "x", "student_cpu_seconds": 0, "tests": [1]}),
    "an outcome of no known kind": json.dumps({"schema": REPORT, "impl": "x", "student_cpu_seconds": 0, "tests": {"t": {"outcome": "won"}}}),
    "a message that is not text": json.dumps(
        {"schema": REPORT, "impl": "x", "student_cpu_seconds": 0, "tests": {"t": {"outcome": "failed", "message": 1}}}
    ),
    "larger than the limit": json.dumps({"schema": REPORT, "impl": "x" * LIMIT, "student_cpu_seconds": 0, "tests": {}}),
}


@pytest.mark.parametrize("case", NOT_REPORTS)
def test_what_is_not_a_report_of_this_schema_reads_as_none(tmp_path, case):
    (tmp_path / "report.json").write_text(NOT_REPORTS[case], encoding="utf-8")
    assert read_report(tmp_path / "report.json") is None


@pytest.mark.parametrize(
    "text", ['{"returncode": 0, "seconds": 1}', f'{{"schema": "{EXIT}", "returncode": "0", "seconds": 1}}', "[]"], ids=["unversioned", "returncode-text", "list"]
)
def test_what_is_not_an_exit_of_this_schema_reads_as_none(tmp_path, text):
    (tmp_path / "exit.json").write_text(text, encoding="utf-8")
    assert read_exit(tmp_path / "exit.json") is None
