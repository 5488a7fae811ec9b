"""A failed test in a few lines: its message, then what the code gave and what was expected.

The tests put the learner's value first (``assert day5.f(x) == expected``,
``assert_allclose(actual, desired)``), so the left side of an assert and NumPy's
``ACTUAL`` read ``got`` and the other side ``expected``; each is cut to a window
around the first place where the two differ. A heading of pytest's explanation
("Differing items:") keeps the items under it, on its own line; the full diff is left out.
"""

from __future__ import annotations

import re

WIDTH = 100  # characters of a compared value shown around its first difference
LINES = 8  # at most this many lines in all
SIDE = re.compile(r"^\s*(ACTUAL|DESIRED|x|y): (.*)$")  # NumPy's two compared values
HEADING = re.compile(
    r"^\s*(Differing items|Common items|(Left|Right) contains .*|Extra items in the (left|right) set"
    r"|Mismatch at index|Differing attributes|Matching attributes):$"
)
DETAIL = re.compile(r"^\s*(At index|Max absolute|Max relative|Mismatched|(Left|Right) contains|Index\s+\||\(?\d[\d, ]*\)?\s+\|)")
WORDS = {"Left contains": "got contains", "Right contains": "expected contains", "in the left set": "in got",
         "in the right set": "in expected", "(ACTUAL)": "(got)", "(DESIRED)": "(expected)"}
NOISE = ("Omitting ", "Use -v", "comparison failed", "Obtained:", "Expected:", "+  where", "+    where")


def summarize(report) -> str:
    """A failed report as at most ``LINES`` lines: the message, ``got:`` and ``expected:``, the differences."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    message, sides, details, statement = [], {}, [], None
    heading, side = None, None
    for raw in text.splitlines():
        line = re.sub(r"^(AssertionError|Failed):\s*", "", raw.rstrip())
        stripped = line.strip()
        if side and line[:1].isspace() and stripped and not SIDE.match(line):  # a NumPy array's next row
            sides[side] += " " + stripped
            continue
        side = None
        if stripped.startswith("Full diff:"):
            break
        if stripped.startswith(NOISE):
            continue
        if heading is not None:
            if stripped and not HEADING.match(line) and (heading != "Mismatch at index" or stripped.startswith("[")):
                details[-1] += (" " if details[-1].endswith(":") else "; ") + stripped
                continue
            heading = None
        if not stripped or stripped.startswith(("- ", "+ ", "? ")) and raw.startswith("  "):
            continue  # pytest's line diff of two strings
        if (match := SIDE.match(line)) is not None:
            side = "got" if match[1] in ("ACTUAL", "x") else "expected"
            sides[side] = match[2].strip()
        elif (match := HEADING.match(line)) is not None:
            heading = match[1]
            details.append(stripped)
        elif DETAIL.match(line):
            details.append(stripped)
        elif line.startswith("assert ") and statement is None:
            statement = line
        else:
            message.append(stripped)
    details = [_words(line) for line in details if not line.startswith("Common items") and not line.endswith(":")]
    if not sides and statement and " == " in statement:
        sides = dict(zip(("got", "expected"), statement.removeprefix("assert ").split(" == ", 1)))
    elif statement and not message:
        message = [statement]
    compared = list(around_difference(f"got:      {sides['got']}", f"expected: {sides['expected']}")) if len(sides) == 2 else []
    return "\n".join((message[:2] + compared + details)[:LINES]) or "failed"


def _words(line: str) -> str:
    for old, new in WORDS.items():
        line = line.replace(old, new)
    return line


def around_difference(first: str, second: str) -> tuple[str, str]:
    """The two lines cut to a ``WIDTH`` window that starts a little before their first difference."""
    label = max(len(first) - len(first.split(":", 1)[-1]), len(second) - len(second.split(":", 1)[-1]))
    a, b = first[label:], second[label:]
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, at - WIDTH // 4)
    return tuple(_window(line[:label], value, start) for line, value in ((first, a), (second, b)))


def _window(label: str, value: str, start: int) -> str:
    cut = value[start : start + WIDTH]
    return f"{label}{'...' if start else ''}{cut}{'...' if start + WIDTH < len(value) else ''}"
