"""One kata with the learner's code, everything else from the reference.

The learner's pytest run, ``day5 verify`` and the autograder all need the same thing:
kata K written by the learner, and every other kata and all the given code written
by the reference. ``build`` writes that as a folder holding a ``day5`` package, a
*kata tree*. A learner's code reaches it as ``Answer`` per kata:

- from a folder (``exercises/``): each ``day5/*.py`` is cut at its top-level
  ``def``/``class`` lines and each piece is parsed on its own, so a syntax error in
  kata 4 breaks kata 4 only;
- from a notebook: the solution cell whose nbgrader ``grade_id`` is the kata's slug.

A kata's answer is its own top-level definitions plus the helpers and imports the
learner added that they use (directly or through each other). Given code always
comes from the reference, even where the learner edited it.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .authoring.course import head
from .authoring.stubs import clear_solutions
from .files import write_atomic
from .implementation import NAMED, NOTEBOOK_CELL
from .katas import KATAS, Kata

TOP_LEVEL = re.compile(r"^(?:@|(?:async\s+)?def\s|class\s)")
KATA_FILE = "KATA.json"  # in a tree's day5/: the kata whose code is the learner's, and that code
FUTURE = re.compile(r"^from\s+__future__\s+import\b.*$", re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    """The learner's code for one kata, or why there is none that runs.

    ``code`` keeps every line where it was in ``filename`` (other lines are blank), so
    tracebacks and stub messages point at the learner's own file and line.
    """

    code: str
    filename: str
    problem: str | None = None  # "does not parse: line 12: ..." when the code cannot be used


def parse(source: str, filename: str = "<unknown>") -> tuple[ast.Module | None, str | None]:
    """``(tree, None)``, or ``(None, why it cannot be read)``: a syntax error, a null byte, a parser bomb.

    A bomb (nesting deep enough to exhaust the parser) raises ``MemoryError`` or
    ``RecursionError``, not ``SyntaxError``; it costs its own kata, never the submission.
    """
    try:
        return ast.parse(source, filename), None
    except SyntaxError as error:
        return None, f"line {error.lineno}: {error.msg}"
    except ValueError as error:  # "source code string cannot contain null bytes"
        return None, str(error)
    except (MemoryError, RecursionError):
        return None, "too deeply nested or too large for Python's parser"


@functools.cache
def reference_source(module: str) -> str:
    """``solutions/day5/<module>.py`` as a learner who solved every kata would have it."""
    path = NAMED["solutions"] / "day5" / f"{module}.py"
    return clear_solutions(path.read_text(encoding="utf-8"), keep={n for kata in KATAS for n in kata.names})


def _defined(node: ast.stmt) -> set[str]:
    """The top-level names a statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _used(nodes: list[ast.stmt]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _pieces(source: str) -> list[tuple[int, str]]:
    """``(first line, text)`` of each run of lines from one top-level def/class to the next."""
    lines = source.splitlines(keepends=True)
    starts = [0] + [i for i, line in enumerate(lines) if TOP_LEVEL.match(line) and not (i and lines[i - 1].startswith("@"))]
    starts = sorted(set(starts)) + [len(lines)]
    return [(start + 1, "".join(lines[start:end])) for start, end in zip(starts, starts[1:]) if start < end]


def answers_from_module(source: str, module: str, filename: str) -> dict[str, Answer]:
    """Every kata of ``module``: the learner's answer, cut out of the module's ``source``."""
    given = {ast.dump(node) for node in ast.parse(reference_source(module)).body}
    katas = [kata for kata in KATAS if kata.module == module]
    owner = {name: kata for kata in katas for name in kata.names}
    mine: dict[str, list[ast.stmt]] = {kata.slug: [] for kata in katas}
    broken: dict[str, str] = {}
    helpers: list[ast.stmt] = []
    for first, text in _pieces(source):
        tree, problem = parse("\n" * (first - 1) + text)  # keep the file's line numbers
        if problem:
            kata = next((owner[n] for n in re.findall(r"^(?:def|class)\s+(\w+)", text, re.MULTILINE) if n in owner), None)
            if kata is not None:
                broken.setdefault(kata.slug, problem)
            continue
        for node in tree.body:
            name = getattr(node, "name", None)
            if name in owner:
                mine[owner[name].slug].append(node)
            elif ast.dump(node) not in given and not _is_future(node):
                helpers.append(node)
    lines = source.splitlines(keepends=True)
    answers = {}
    for kata in katas:
        if kata.slug in broken:
            answers[kata.slug] = Answer("", filename, f"does not parse: {broken[kata.slug]}")
            continue
        kept = [""] * len(lines)
        for node in mine[kata.slug] + _needed(mine[kata.slug], helpers):
            start = head(node, lines)
            kept[start : node.end_lineno] = lines[start : node.end_lineno]
        answers[kata.slug] = Answer("".join(line or "\n" for line in kept), filename)
    return answers


def _is_future(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _needed(nodes: list[ast.stmt], helpers: list[ast.stmt]) -> list[ast.stmt]:
    """The helpers that ``nodes`` use, directly or through each other."""
    needed, names = [], _used(nodes)
    changed = True
    while changed:
        changed = False
        for helper in helpers:
            if helper not in needed and _defined(helper) & names:
                needed.append(helper)
                names |= _used([helper])
                changed = True
    return needed


def answers_from_folder(folder: Path) -> dict[str, Answer]:
    """Every kata's answer in ``folder/day5/*.py``; a missing file is an answer that is missing."""
    answers = {}
    for module in sorted({kata.module for kata in KATAS}):
        path = folder / "day5" / f"{module}.py"
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            answers |= {k.slug: Answer("", str(path), f"cannot be read: {error}") for k in KATAS if k.module == module}
            continue
        answers |= answers_from_module(source, module, str(path))
    return answers


def answers_from_notebook(notebook) -> dict[str, Answer]:
    """Every kata's answer in a course notebook (an ``nbformat`` node): its solution cell."""
    cells = {
        meta.get("grade_id"): cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and isinstance(meta := cell.metadata.get("nbgrader"), dict) and meta.get("solution")
    }
    answers = {}
    for kata in KATAS:
        filename = f"{NOTEBOOK_CELL}{kata.slug}>"
        code = FUTURE.sub("", cells.get(kata.slug, ""))  # the module has its own, and it must come first
        _, problem = parse(code)
        if problem:
            answers[kata.slug] = Answer("", filename, f"does not parse: {problem}")
        else:
            answers[kata.slug] = Answer(code, filename, None if kata.slug in cells else "the notebook has no such cell")
    return answers


@functools.cache
def kata_spans(module: str, source: str) -> dict[str, tuple[int, int]]:
    """The 0-based ``[start, end)`` lines of each kata's definitions in ``module``'s ``source``, by slug (one parse)."""
    lines, body = source.splitlines(keepends=True), ast.parse(source).body
    spans = {}
    for kata in KATAS:
        if kata.module == module:
            nodes = [node for node in body if getattr(node, "name", None) in kata.names]
            if not nodes:
                raise ValueError(f"the reference defines none of {kata.names} in {module}.py")
            spans[kata.slug] = head(nodes[0], lines), nodes[-1].end_lineno
    return spans


def sources(kata: Kata, answer: Answer, others: bool = True) -> dict[str, str]:
    """The text of every ``day5`` module of ``kata``'s tree, by module name.

    In the kata's module, the reference's definitions of the kata give way to one line
    that runs the learner's code in the module's namespace, compiled under the learner's
    file name (it inherits the module's ``from __future__ import annotations``). The
    other katas' definitions are the reference's, or with ``others=False`` absent: the
    grader's student process gets those names from the harness instead.
    ``answer`` must have no ``problem``: a kata whose code does not parse has no tree.
    """
    if answer.problem:
        raise ValueError(f"kata {kata.slug}: {answer.problem}")
    texts = {}
    for path in sorted((NAMED["solutions"] / "day5").glob("*.py")):
        text = reference_source(path.stem) if path.stem != "__init__" else path.read_text(encoding="utf-8")
        replaced = [other for other in KATAS if other.module == path.stem and (other is kata or not others)]
        spans, lines = kata_spans(path.stem, text) if replaced else {}, text.splitlines(keepends=True)
        for other in sorted(replaced, key=lambda other: spans[other.slug], reverse=True):  # the last first: the spans above hold
            start, end = spans[other.slug]
            if other is kata:
                run = f"# kata {kata.slug}: the learner's code\nexec(compile({answer.code!r}, {answer.filename!r}, 'exec'))\n"
            else:
                run = f"# kata {other.slug}: {', '.join(other.names)} come from the harness\n"
            lines[start:end] = [run]
        texts[path.stem] = "".join(lines)
    return texts


def build(target: Path, kata: Kata, answer: Answer) -> Path:
    """Write the kata tree for ``kata`` into ``target/day5`` (``sources``, and the answer itself); return ``target``."""
    package = target / "day5"
    package.mkdir(parents=True, exist_ok=True)
    for module, text in sources(kata, answer).items():
        write_atomic(package / f"{module}.py", text)
    write_atomic(package / KATA_FILE, json.dumps({"kata": kata.slug, "code": answer.code, "filename": answer.filename}))
    return target


def tree_answer(folder: Path) -> tuple[str, Answer] | None:
    """``(slug, answer)`` of the kata that ``folder`` is the tree of, or None if it is no tree."""
    marker = folder / "day5" / KATA_FILE
    if not marker.is_file():
        return None
    record = json.loads(marker.read_text(encoding="utf-8"))
    return record["kata"], Answer(record["code"], record["filename"])
