"""``day5 similarity``: every pair as CSV, the close pairs side by side in HTML.

The HTML page is self-contained (no script, no external style). For each pair at or
above the threshold it shows both answers, the lines that carry shared fingerprints
marked. A pair of students who are both close to the reference is explained by the
reference and only counted; the closest ``SHOWN`` other pairs of a kata are shown, the
rest listed.
"""

from __future__ import annotations

import argparse
import csv
import html
import time
from collections.abc import Callable
from pathlib import Path

from ..katas import kata_for_slug
from .similarity import REFERENCE, Answer, Pair, Scores, compare, find_notebooks, source_notebook

DEFAULT_THRESHOLD = 0.5
SHOWN = 50  # close pairs shown side by side per kata

NOTICE = (
    "This report is a reviewing aid, not a verdict. A score is the share of structure two answers have in common "
    "once names, the order of definitions, comments, docstrings and layout are set aside, and the code the course "
    "gives everybody is taken out: 1.0 means the same code up to those, 0 nothing in common. Short katas have a "
    "natural solution that many people write alike, and a learner may have studied the public reference. Read the "
    "two answers, and talk with the learners, before you conclude anything."
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
.notice { border-left: 4px solid #c60; background: #fff4e5; padding: .6em 1em; max-width: 60em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .6em; text-align: left; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 2em; }
.pair h4 { margin: .2em 0; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: 85%; margin: 0; }
pre .n { color: #999; user-select: none; } pre .m { background: #ffe08a; }
"""


def write_csv(scores: list[Scores], path: Path) -> None:
    """``kata, student_a, student_b, score``: every pair; ``student_b`` may be ``reference``,
    and the score is empty when either gave no answer (an untouched stub)."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["kata", "student_a", "student_b", "score"])
        for kata in scores:
            writer.writerows((p.kata, p.a, p.b, "" if p.score is None else f"{p.score:.3f}") for p in kata.pairs())


def marked(answer: Answer, other: Answer) -> set[int]:
    """The lines of ``answer`` that carry a fingerprint ``other`` shares."""
    mine, theirs = answer.pick(other)
    return mine.lines_of(mine.hashes & theirs.hashes)


def code_block(title: str, answer: Answer, other: Answer) -> str:
    lines, marks = answer.source.splitlines(), marked(answer, other)
    width = len(str(len(lines)))
    rows = [
        f'<span class="n">{number:>{width}}</span> '
        + (f'<span class="m">{html.escape(line)}</span>' if number in marks else html.escape(line))
        for number, line in enumerate(lines, start=1)
    ]
    return f"<div><h4>{html.escape(title)}</h4><pre>{chr(10).join(rows)}</pre></div>"


def summary(scores: list[Scores], shown: dict[str, list[Pair]]) -> str:
    rows = []
    for kata in scores:
        given = sum(not answer.empty for student, answer in kata.answers.items() if student != REFERENCE)
        to_reference = sum(pair.b == REFERENCE for pair in shown[kata.kata])
        rows.append(f"<tr><td>{kata.kata}</td><td>{given}</td><td>{to_reference}</td>"
                    f"<td>{len(shown[kata.kata]) - to_reference}</td></tr>")
    head = "<tr><th>kata</th><th>answers</th><th>close to the reference</th><th>close pairs of students</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def table(pairs: list[Pair]) -> str:
    rows = "".join(f"<tr><td>{html.escape(p.a)}</td><td>{html.escape(p.b)}</td><td>{p.score:.2f}</td></tr>" for p in pairs)
    return f"<table>{rows}</table>"


def write_html(scores: list[Scores], threshold: float, path: Path) -> None:
    """The page: the notice, the counts per kata, then each kata's close pairs side by side."""
    shown = {kata.kata: kata.close(threshold) for kata in scores}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Day 5 similarity report</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>Day 5 similarity report</h1>",
        f'<p class="notice">{html.escape(NOTICE)}</p>',
        f"<p>Pairs with a score of at least {threshold:g}; every pair is in <code>similarity.csv</code>. "
        "Marked lines carry structure the other answer shares.</p>",
        summary(scores, shown),
    ]
    for kata in scores:
        mine = shown[kata.kata]
        if not mine:
            continue
        parts.append(f"<h2>{html.escape(kata_for_slug(kata.kata).title)} (<code>{kata.kata}</code>)</h2>")
        near_reference = {pair.a for pair in mine if pair.b == REFERENCE}
        rest = [p for p in mine if p.b == REFERENCE or not {p.a, p.b} <= near_reference]
        for pair in rest[:SHOWN]:
            a, b = kata.answers[pair.a], kata.answers[pair.b]
            parts.append(f"<h3>{html.escape(pair.a)} and {html.escape(pair.b)}: {pair.score:.2f}</h3>")
            parts.append(f'<div class="pair">{code_block(pair.a, a, b)}{code_block(pair.b, b, a)}</div>')
        if rest[SHOWN:]:
            parts.append(f"<p>{len(rest) - SHOWN} more close pairs, not shown side by side:</p>{table(rest[SHOWN:])}")
        if len(rest) < len(mine):
            parts.append(f"<p>{len(mine) - len(rest)} pairs of students who are both close to the reference, and so"
                         " to each other, are not shown again (they are in the CSV).</p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def run(folder: Path, out: Path, threshold: float, log: Callable[[str], None] = print) -> list[Scores]:
    """Compare every submission in ``folder``; write ``similarity.csv`` and ``similarity.html`` into ``out``."""
    started = time.perf_counter()
    notebooks = find_notebooks(folder)
    scores = compare(notebooks, source_notebook(folder))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(scores, out / "similarity.csv")
    write_html(scores, threshold, out / "similarity.html")
    close = sum(len(kata.close(threshold)) for kata in scores)
    log(f"{len(notebooks)} submissions compared in {time.perf_counter() - started:.1f} s; {close} pairs at or above"
        f" {threshold:g}. Report: {out / 'similarity.html'} (a reviewing aid, not a verdict)")
    return scores


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must lie in [0, 1], got {text}")
    return value


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("course_dir", type=Path, help="an nbgrader course (submitted/<student>/day5/day5.ipynb)"
                        " or a folder of .ipynb files, one per student")
    parser.add_argument("--out", type=Path, help="where to write similarity.csv and similarity.html"
                        " (default: COURSE_DIR/similarity)")
    parser.add_argument("--threshold", type=fraction, default=DEFAULT_THRESHOLD,
                        help=f"show pairs scoring at least this in the report (default: {DEFAULT_THRESHOLD})")


def main(args: argparse.Namespace, error: Callable[[str], None]) -> int:
    """Check the arguments (``error`` exits with status 2), then run."""
    folder = args.course_dir
    if not folder.is_dir():
        error(f"{folder} is not a folder")
    if not find_notebooks(folder):
        error(f"{folder} holds no submissions: expected submitted/<student>/day5/day5.ipynb or <student>.ipynb files")
    out = args.out or folder / "similarity"
    if out.exists() and not out.is_dir():
        error(f"--out {out} is a file, not a folder")
    run(folder, out, args.threshold)
    return 0
