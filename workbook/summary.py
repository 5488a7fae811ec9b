"""A failed test in a few lines: the law's message and the values it compared.

A NumPy comparison ends in ``ACTUAL:``/``DESIRED:`` lines and a plain ``assert``
in pytest's explanation; both can be long, so each compared value is cut to a
window around the first place where the two differ.
"""

from __future__ import annotations

import re

WIDTH = 100  # characters of a compared value shown around its first difference
KEEP = re.compile(
    r"^\s*(ACTUAL|DESIRED|Mismatched|Max absolute|Max relative|x:|y:|At index|Left contains|Right contains|Differing"
    r"|Index\s+\||\(\d[\d, ]*\)\s+\|)"  # pytest.approx's table of the elements that differ
)


def summarize(report) -> str:
    """A failed report as at most a few lines: what failed, then the compared values."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "failed"
    head = [line.removeprefix("Failed: ").removeprefix("AssertionError: ") for line in lines[:1] if line not in ("AssertionError:", "AssertionError")]
    message = [line for line in lines[1:] if not KEEP.match(line)][:2] if not head else []
    compared = [line.strip() for line in lines if KEEP.match(line)]
    sides = [line for line in compared if line.startswith(("ACTUAL", "DESIRED", "x:", "y:"))]
    if len(sides) == 2:
        compared = [line for line in compared if line not in sides] + list(around_difference(*sides))
    statement = next((line for line in lines[1:] if line.startswith("assert ") and " == " in line), None)
    if statement and not sides:  # a message came first: the two sides of the assert follow it
        left, right = statement.removeprefix("assert ").split(" == ", 1)
        compared = list(around_difference(f"left:  {left}", f"right: {right}")) + compared
    return "\n".join(head + message + compared[:7]) or "failed"


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
