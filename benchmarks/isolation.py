"""What the grader's two processes cost: CPU seconds per kata, in one process and isolated.

    python -m benchmarks.isolation [--out isolation.json] [--katas softmax sampling ...] [--profile learner]

For each kata, the reference's tests run twice on the kata's tree (the reference's answer
in the folder the grader builds, ``workbook.trees.build``) under the grader's ``grade``
profile (or ``--profile``), each time in a fresh ``python -m pytest``: once with the
learner's code in the tests' own process (how the grader ran before its student
processes), once isolated (``--isolate``: the learner's code in a sandboxed student
process, reached through the data-only channel). The CPU time is the process's and all its
children's (the student process and bubblewrap included: ``getrusage`` and, for the
student processes, what the run's report counts from /proc while they run), less what a
third run that only collects the tests costs (starting Python, pytest and the tests'
imports: the grader's runner pays that once, not per kata). The three runs of a kata
follow each other, so that the machine's load affects them alike. The ratio is isolated
/ in one process; the last row sums every kata, as one submission's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from workbook import trees
from workbook.implementation import NAMED, ROOT
from workbook.katas import KATAS, kata_for_slug
from workbook.report import read_report


def cpu_seconds(arguments: list[str]) -> float:
    """The CPU time of ``python -m pytest *arguments``, every process it waited for, and its student processes
    (which bubblewrap's PID namespace keeps out of ``getrusage``: the run's report counts them)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *arguments, f"--workbook-report={report}"], cwd=ROOT, capture_output=True, text=True
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise RuntimeError(f"pytest {' '.join(arguments)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        students = read_report(report)["student_cpu_seconds"]
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime + students


def measure(slugs: list[str], profile: str = "grade") -> dict[str, dict[str, float]]:
    answers = trees.answers_from_folder(NAMED["solutions"])
    rows = {}
    for slug in slugs:
        kata = kata_for_slug(slug)
        with tempfile.TemporaryDirectory() as folder:
            tree = trees.build(Path(folder), kata, answers[slug])
            tests, common = kata.tests, [f"--impl={tree}", f"--hypothesis-profile={profile}", "-q", "-p", "no:cacheprovider"]
            start = cpu_seconds([tests, *common, "--collect-only"])
            alone, isolated = (cpu_seconds([tests, *common, *isolate]) - start for isolate in ([], ["--isolate"]))
        rows[slug] = {"one_process": round(alone, 2), "isolated": round(isolated, 2), "ratio": round(isolated / alone, 2)}
        print(f"{slug:<22}{alone:>10.2f}{isolated:>10.2f}{isolated / alone:>8.2f}x", flush=True)
    total = {key: round(sum(row[key] for row in rows.values()), 2) for key in ("one_process", "isolated")}
    rows["submission"] = {**total, "ratio": round(total["isolated"] / total["one_process"], 2)}
    print(f"{'a whole submission':<22}{total['one_process']:>10.2f}{total['isolated']:>10.2f}{rows['submission']['ratio']:>8.2f}x")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.isolation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--katas", nargs="+", default=[kata.slug for kata in KATAS], choices=[kata.slug for kata in KATAS])
    parser.add_argument("--profile", default="grade", choices=("grade", "learner", "ci"),
                        help="the Hypothesis profile: grade (100 inputs per law, as graded), learner (10), ci (300)")
    parser.add_argument("--out", type=Path, help="write the table as JSON here, with the machine's load")
    args = parser.parse_args(argv)
    print(f"{'kata':<22}{'one proc':>10}{'isolated':>10}{'ratio':>9}   (CPU seconds, {args.profile} profile)")
    rows = measure(args.katas, args.profile)
    if args.out:
        table = {"load_average": os.getloadavg(), "profile": args.profile, "cpu_seconds": rows}
        args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
