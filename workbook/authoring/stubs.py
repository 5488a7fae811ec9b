"""Generate the learner's stubs from the reference, exactly as nbgrader does.

A solution region runs from a line holding ``BEGIN SOLUTION`` to a line holding
``END SOLUTION`` (nbgrader's ``ClearSolutions`` delimiters). Clearing replaces the
region, markers included, by nbgrader's Python stub at the indentation of the
BEGIN line. Everything outside the regions is copied as it is.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from collections.abc import Callable, Container
from pathlib import Path

from ..files import write_atomic
from ..implementation import NAMED

BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TOP_LEVEL = re.compile(r"(?:async\s+def|def|class)\s+(\w+)")


def regions(source: str) -> list[tuple[str, int, int]]:
    """``(owner, begin_line, end_line)`` of each region, 1-based; the owner is the
    top-level function or class that holds it. Malformed markers are a ``ValueError``."""
    found, owner, begin = [], None, None
    for number, line in enumerate(source.splitlines(), start=1):
        if match := TOP_LEVEL.match(line):
            owner = match.group(1)
        if BEGIN in line:
            if begin is not None:
                raise ValueError(f"line {number}: {BEGIN} inside the region opened on line {begin}")
            if owner is None:
                raise ValueError(f"line {number}: a region must sit inside a top-level function or class")
            begin = number
        elif END in line:
            if begin is None:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            found.append((owner, begin, number))
            begin = None
    if begin is not None:
        raise ValueError(f"line {begin}: {BEGIN} is never closed")
    return found


def clear_solutions(source: str, keep: Container[str] = ()) -> str:
    """Replace every region by the stub, except regions owned by a name in ``keep``,
    which lose only their marker lines (as if a learner had written the reference)."""
    lines = source.splitlines(keepends=True)
    for owner, begin, end in reversed(regions(source)):
        if owner in keep:
            lines[begin - 1 : end] = lines[begin : end - 1]
        else:
            indent = re.match(r"\s*", lines[begin - 1]).group()
            ending = lines[end - 1][len(lines[end - 1].rstrip("\r\n")) :]  # none at the very end of a cell
            lines[begin - 1 : end] = [f"{indent}{STUB[0]}\n", f"{indent}{STUB[1]}{ending}"]
    return "".join(lines)


def solution_files() -> list[Path]:
    return sorted((NAMED["solutions"] / "day5").glob("*.py"))


def render(keep: Container[str] = ()) -> dict[str, str]:
    """The stub package, as ``{file name: text}``."""
    rendered = {}
    for path in solution_files():
        try:
            rendered[path.name] = clear_solutions(path.read_text(encoding="utf-8"), keep)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return rendered


def committed(name: str) -> str | None:
    """``solutions/day5/<name>`` as last committed (git's ``HEAD``); ``None`` without git or that file."""
    folder = NAMED["solutions"] / "day5"
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "show", f"HEAD:./{name}"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def untouched(name: str, old: str, keep: Container[str] = ()) -> bool:
    """Whether ``old``, the text of ``<target>/day5/<name>``, is what its last committed reference generates."""
    source = committed(name)
    try:
        return source is not None and old == clear_solutions(source, keep)
    except ValueError:  # the committed reference has malformed markers: nothing to compare with
        return False


def changed(target: Path, keep: Container[str] = ()) -> list[Path]:
    """The files of ``target/day5`` that :func:`write` would overwrite and that someone edited:
    each is neither what ``solutions/`` generates now nor what its last commit generated. An
    untouched stub (a maintainer changed ``solutions/`` and has not generated yet) is not listed."""
    found = []
    for name, text in render(keep).items():
        path = target / "day5" / name
        if path.exists() and (old := path.read_text(encoding="utf-8")) != text and not untouched(name, old, keep):
            found.append(path)
    return found


def backup_path(path: Path, old: str) -> Path:
    """Where to keep ``path``'s old text: ``<name>.bak``, or ``<name>.2.bak``, ... so an earlier
    backup that holds something else is never overwritten."""
    candidate, number = path.with_name(path.name + ".bak"), 1
    while candidate.exists() and candidate.read_text(encoding="utf-8") != old:
        number += 1
        candidate = path.with_name(f"{path.name}.{number}.bak")
    return candidate


def write(target: Path, keep: Container[str] = (), backup: bool = False, log: Callable[[str], None] = print) -> None:
    """Write the stub package into ``target/day5``. With ``backup``, a file that
    would change is first copied to ``<name>.bak`` (see :func:`backup_path`) so no
    learner work is lost, and the log says where it went; an untouched stub (see
    :func:`changed`) is simply replaced."""
    package = target / "day5"
    package.mkdir(parents=True, exist_ok=True)
    for name, text in render(keep).items():
        path = package / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        if backup and old is not None and not untouched(name, old, keep):
            kept = backup_path(path, old)
            kept.write_text(old, encoding="utf-8")
            log(f"kept the old {path.relative_to(target.parent)} as {kept.relative_to(target.parent)}")
        write_atomic(path, text)
        log(f"wrote {path.relative_to(target.parent)}")


def drift() -> list[str]:
    """How ``exercises/day5`` differs from freshly generated stubs (empty if it does not)."""
    package = NAMED["exercises"] / "day5"
    expected = render()
    actual = {path.name for path in package.glob("*.py")}
    problems = [f"exercises/day5/{name} is not generated from solutions/" for name in sorted(actual - set(expected))]
    for name, text in expected.items():
        path = package / name
        if not path.exists():
            problems.append(f"exercises/day5/{name} is missing")
        elif (old := path.read_text(encoding="utf-8")) != text:
            diff = difflib.unified_diff(
                text.splitlines(), old.splitlines(), f"generated/{name}", f"exercises/day5/{name}", lineterm="", n=1
            )
            problems.append("\n".join(list(diff)[:40]))
    return problems
