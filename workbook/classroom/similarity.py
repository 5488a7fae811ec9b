"""How alike the learners' answers are, kata by kata: a reviewing aid, not a verdict.

The measure is MOSS's k-gram fingerprinting (Schleimer, Wilkerson and Aiken, SIGMOD
2003) scored by Broder's resemblance, run on the code's syntax tree instead of its text:

1. **Normalize.** Parse the kata's cell with ``ast``; drop docstrings, comments, type
   annotations and the wording of strings; put the definitions of a module or class
   body in a fixed order. Every name the code binds (a variable, a parameter, a helper,
   an attribute it sets) becomes one placeholder ``V``, as MOSS does for identifiers,
   unless the released cell defines it (a method, an attribute); names from elsewhere
   (``np.cumsum``, ``len``, the given helpers) stay.
   Names carry no number: numbered by first occurrence, one swapped pair of statements
   would renumber everything after it.
2. **Fingerprint.** Walk the tree in pre-order (node types, kept names, numbers, block
   ends) and hash every run of ``K`` tokens, about a line of code. A cell is small, so
   every hash is kept (MOSS's winnowing, which keeps some, is for large corpora).
   Reordering statements breaks only the runs that straddle a cut.
3. **Take out the skeleton.** The released cell's fingerprints (signatures, docstrings,
   given methods, the ``raise NotImplementedError()`` stubs) are removed from every
   answer, as MOSS removes its base file. What is left is the learner's own code; an
   answer with nothing left is *no answer* (an untouched stub), never "100 % alike".
4. **Score.** The Jaccard index ``|A & B| / |A | B|`` of two answers' fingerprints: 1.0
   for the same code up to names, order and layout, near 0 for unrelated code.

In a kata where a cell does not parse, every answer is also fingerprinted from its
``tokenize`` tokens, and each pair with that cell is scored on those. Short katas have
few fingerprints, and the natural solution of a three-line kata is written alike by
many: a high score is a reason to read two answers side by side, nothing more.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import sys
import tokenize
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, combinations
from pathlib import Path

import numpy as np

from ..authoring import course
from ..authoring.stubs import clear_solutions
from ..katas import kata_for_slug

K = 12  # tokens per fingerprint: about one line of code
PLACEHOLDER = "V"
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SKIPPED_FIELDS = {"ctx", "annotation", "returns", "type_comment", "type_params", "kind"}
KEPT_WORDS = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


@dataclass(frozen=True)
class Fingerprints:
    """The hashes that stand for some code, each with the index of the run of tokens it
    first hashes; ``lines`` holds each token's source line."""

    starts: dict[int, int]
    lines: list[int]

    @cached_property
    def hashes(self) -> frozenset[int]:
        return frozenset(self.starts)

    def lines_of(self, hashes: Iterable[int]) -> set[int]:
        """The source lines that the runs of ``hashes`` come from."""
        return {line for h in hashes for line in self.lines[self.starts[h] : self.starts[h] + K]}


def fingerprints(tokens: list[str], lines: list[int], skeleton: Fingerprints | None = None) -> Fingerprints:
    """The hash of every run of ``K`` tokens (of all of them if fewer), less the skeleton's."""
    k = min(K, len(tokens))
    hashes = list(map(hash, zip(*(tokens[i:] for i in range(k))))) if k else []
    starts = dict(zip(hashes[::-1], range(len(hashes) - 1, -1, -1)))  # the first run wins
    if skeleton is not None:
        starts = {h: start for h, start in starts.items() if h not in skeleton.starts}
    return Fingerprints(starts, lines)


# Normalization ---------------------------------------------------------------------------


def names(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """``(every name the code mentions, the names it binds, the ones it defines)``. Bound:
    variables, arguments, imports, definitions and assigned attributes; defined: the last two."""
    mentioned, bound, defined, stack = set(), set(), set(), [tree]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            mentioned.add(node.id)
            if type(node.ctx) is not ast.Load:
                bound.add(node.id)
            continue
        name = None
        if kind is ast.Attribute:
            mentioned.add(node.attr)
            if type(node.ctx) is ast.Store:
                bound.add(node.attr)
                defined.add(node.attr)
        elif kind is ast.arg:
            name = node.arg
        elif kind in DEFINITIONS:
            name = node.name
            defined.add(name)
        elif kind is ast.ExceptHandler:
            name = node.name
        elif kind is ast.alias:
            name = (node.asname or node.name).split(".")[0]
        if name:
            mentioned.add(name)
            bound.add(name)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack += [item for item in value if isinstance(item, ast.AST)]
            elif isinstance(value, ast.AST):
                stack.append(value)
    return mentioned, bound, defined


def is_docstring(node: ast.stmt) -> bool:
    return type(node) is ast.Expr and type(node.value) is ast.Constant and isinstance(node.value.value, str)


class Normalizer:
    """The pre-order tokens of a tree (node types, kept names, numbers, block ends), each
    with its source line; the author's names become ``PLACEHOLDER``."""

    def __init__(self, chosen: set[str], line: int = 1):
        self.chosen, self.line = chosen, line
        self.tokens: list[str] = []
        self.lines: list[int] = []

    def emit(self, token: str) -> None:
        self.tokens.append(token)
        self.lines.append(self.line)

    def name(self, name: str) -> str:
        return PLACEHOLDER if name in self.chosen else name

    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        self.line = getattr(node, "lineno", self.line)
        if kind is ast.Name:
            return self.emit(self.name(node.id))
        if kind is ast.Constant:  # numbers shape the code; the wording of strings does not
            return self.emit("str" if isinstance(node.value, (str, bytes)) else repr(node.value))
        if kind is ast.JoinedStr:
            return self.emit("str")
        self.emit(kind.__name__)
        if kind is ast.arg:
            return self.emit(self.name(node.arg))
        if kind is ast.Attribute:
            self.visit(node.value)
            return self.emit("." + self.name(node.attr))
        if kind is ast.keyword and node.arg:
            self.emit(node.arg + "=")
        elif kind in DEFINITIONS:
            self.emit(self.name(node.name))
        for field in node._fields:
            value = getattr(node, field, None)
            if field in SKIPPED_FIELDS or value is None:
                continue
            if type(value) is list and value and isinstance(value[0], ast.stmt):
                self.body(value)
                self.emit("/" + field)  # where the block ends
            elif type(value) is list:
                for item in value:
                    if item is not None:
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def body(self, statements: list[ast.stmt]) -> None:
        """A block without its docstrings, its definitions last and in a fixed order: the
        given ones by name, the author's by their tokens (so a renamed helper stays put)."""
        definitions = []
        for node in statements:
            if type(node) in DEFINITIONS:
                part = Normalizer(self.chosen, self.line)
                part.visit(node)
                key = (1, tuple(part.tokens)) if node.name in self.chosen else (0, node.name)
                definitions.append((key, part))
            elif not is_docstring(node):
                self.visit(node)
        for _, part in sorted(definitions, key=lambda definition: definition[0]):
            self.tokens += part.tokens
            self.lines += part.lines


def text_tokens(source: str, kept: frozenset[str]) -> tuple[list[str], list[int]]:
    """The fallback for code that does not parse: ``tokenize``'s tokens, names outside
    ``kept`` as the placeholder, strings as ``str``, no comments or blank lines. It stops
    quietly where the code stops making sense (an unclosed bracket)."""
    tokens, lines = [], []
    replaced = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}", tokenize.STRING: "str"}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER):
                continue
            text = replaced.get(token.type, token.string)
            tokens.append(PLACEHOLDER if token.type == tokenize.NAME and text not in kept else text)
            lines.append(token.start[0])
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        pass
    return tokens, lines


# Answers ---------------------------------------------------------------------------------


class Skeleton:
    """A kata's released cell: the code everybody is given, to take out of each answer."""

    def __init__(self, release: str):
        mentioned, _, self.defined = names(ast.parse(release))
        self.kept = KEPT_WORDS | mentioned
        self.tree = self.tokens = None  # nothing to take out of the skeleton itself
        self.tree = self.tree_fingerprints(release)
        self.tokens = self.token_fingerprints(release)

    def tree_fingerprints(self, source: str) -> Fingerprints | None:
        """Fingerprints of the normalized tree, less the skeleton's; None if ``source`` does not parse."""
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):  # ValueError: a null byte
            return None
        normalizer = Normalizer(names(tree)[1] - self.defined)
        normalizer.body(tree.body)
        return fingerprints(normalizer.tokens, normalizer.lines, self.tree)

    def token_fingerprints(self, source: str) -> Fingerprints:
        return fingerprints(*text_tokens(source, self.kept), self.tokens)


@dataclass(frozen=True)
class Answer:
    """One author's code for one kata, as fingerprints with the skeleton taken out."""

    source: str
    tree: Fingerprints | None  # None: the code does not parse
    tokens: Fingerprints | None  # only in a kata where some answer does not parse

    @property
    def empty(self) -> bool:
        """Nothing left once the skeleton is taken out: an untouched stub is no answer."""
        return not (self.tokens if self.tree is None else self.tree).starts

    def pick(self, other: Answer) -> tuple[Fingerprints, Fingerprints]:
        """The fingerprints to compare with ``other``: the trees', or the tokens' if either does not parse."""
        if self.tree is None or other.tree is None:
            return self.tokens, other.tokens
        return self.tree, other.tree


# A class ---------------------------------------------------------------------------------

REFERENCE = "reference"
NOTEBOOK = "day5.ipynb"


@dataclass(frozen=True)
class Pair:
    kata: str  # its slug
    a: str
    b: str  # another student, or REFERENCE
    score: float | None  # None: one of the two gave no answer


@dataclass(frozen=True)
class Scores:
    """One kata's answers and the score of every two of them; ``names[0]`` is REFERENCE."""

    kata: str
    names: list[str]
    matrix: np.ndarray  # NaN where either gave no answer
    answers: dict[str, Answer]

    def pairs(self) -> Iterator[Pair]:
        """Each student against the reference, then every two students."""
        rows = self.matrix.round(3).tolist()
        indices = chain(((i, 0) for i in range(1, len(self.names))), combinations(range(1, len(self.names)), 2))
        for i, j in indices:
            score = rows[i][j]
            yield Pair(self.kata, self.names[i], self.names[j], None if score != score else score)

    def close(self, threshold: float) -> list[Pair]:
        """The pairs scoring at least ``threshold``, closest first."""
        with np.errstate(invalid="ignore"):
            above = np.triu(self.matrix >= threshold, 1)
        names, found = self.names, []
        for i, j in zip(*np.nonzero(above)):  # i < j, and i is 0 for the reference
            a, b = (names[j], REFERENCE) if i == 0 else (names[i], names[j])
            found.append(Pair(self.kata, a, b, round(float(self.matrix[i, j]), 3)))
        return sorted(found, key=lambda pair: (-pair.score, pair.b != REFERENCE, pair.a, pair.b))


def find_notebooks(folder: Path) -> dict[str, Path]:
    """``{student: notebook}``: nbgrader's ``submitted/<student>/day5/day5.ipynb`` when
    ``folder`` is a course, else every ``<student>.ipynb`` right inside ``folder``."""
    submitted = folder / "submitted"
    if submitted.is_dir():
        found = {path.parent.parent.name: path for path in submitted.glob(f"*/day5/{NOTEBOOK}")}
    else:
        found = {path.stem: path for path in folder.glob("*.ipynb")}
    return dict(sorted(found.items()))


def solution_cells(notebook) -> dict[str, str]:
    """``{grade id: source}`` of a notebook's solution cells."""
    cells = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.get("cell_type") == "code":
            cells[meta.get("grade_id")] = cell.source
    return cells


def read(path: Path) -> dict[str, str]:
    """A notebook's solution cells; a file that is not a notebook has none."""
    from ..authoring.course import nbformat

    try:
        return solution_cells(nbformat().read(path, as_version=4))
    except Exception as error:  # noqa: BLE001: any unreadable file is one student's problem, not the class's
        warn(f"{path}: not a readable notebook ({type(error).__name__}: {error}); no answers taken from it")
        return {}


def warn(message: str) -> None:
    print(f"day5 similarity: {message}", file=sys.stderr)


def source_notebook(folder: Path) -> Path:
    """The course's own ``source/day5/day5.ipynb`` if it has one, else this repository's."""
    own = folder / "source" / "day5" / NOTEBOOK
    return own if own.is_file() else course.SOURCE


def course_cells(source: Path = course.SOURCE) -> dict[str, tuple[str, str]]:
    """``{kata slug: (released cell, reference cell)}`` from the instructor's source notebook:
    its solution cells cleared as nbgrader clears them, and with only the markers removed."""
    cells = {}
    for slug, code in read(source).items():
        cells[slug] = (clear_solutions(code), clear_solutions(code, keep=kata_for_slug(slug).names))
    return cells


def jaccard(sets: list[frozenset[int]]) -> np.ndarray:
    """The Jaccard index of every two of ``sets`` as a matrix (NaN where both are empty).

    The intersections come from one product of a 0/1 matrix with its transpose, whose
    columns are the hashes that two or more sets share: one BLAS call, not a Python loop."""
    seen, shared = set(), set()
    for hashes in sets:
        shared |= seen & hashes
        seen |= hashes
    column = {h: number for number, h in enumerate(shared)}
    member = np.zeros((len(sets), len(column)), dtype=np.float32)  # exact: counts stay far below 2**24
    for row, hashes in enumerate(sets):
        member[row, [column[h] for h in hashes & shared]] = 1
    inter = member @ member.T
    sizes = np.array([len(hashes) for hashes in sets], dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (sizes[:, None] + sizes[None, :] - inter)


def compare_kata(slug: str, release: str, reference: str, codes: dict[str, str]) -> Scores:
    """Kata ``slug``: the reference and every student's code of ``{student: code}``,
    each against each."""
    skeleton = Skeleton(release)
    codes = {REFERENCE: reference} | codes
    distinct = set(codes.values())  # the same code (an untouched stub) is fingerprinted once
    trees = {code: skeleton.tree_fingerprints(code) for code in distinct}
    parsed = all(tree is not None for tree in trees.values())
    tokens = {code: None if parsed else skeleton.token_fingerprints(code) for code in distinct}
    answers = {student: Answer(code, trees[code], tokens[code]) for student, code in codes.items()}
    listed = list(answers.values())
    scores = jaccard([answer.tree.hashes if answer.tree else frozenset() for answer in listed])
    if not parsed:  # a pair with a cell that does not parse is scored on the tokens
        broken = np.array([answer.tree is None for answer in listed])
        scores = np.where(broken[:, None] | broken[None, :], jaccard([answer.tokens.hashes for answer in listed]), scores)
    empty = np.array([answer.empty for answer in listed])
    return Scores(slug, list(answers), np.where(empty[:, None] | empty[None, :], np.nan, scores), answers)


def compare(notebooks: dict[str, Path], source: Path = course.SOURCE, jobs: int | None = None) -> list[Scores]:
    """Read ``{student: notebook}`` and ``compare_kata`` for every kata of the course's
    ``source`` notebook (a missing cell counts as the untouched stub), spread over ``jobs``
    processes (default: one per core)."""
    cells = course_cells(source)
    with ProcessPoolExecutor(jobs) as pool:
        submissions = dict(zip(notebooks, pool.map(read, notebooks.values(), chunksize=16)))
        work = [
            (slug, release, reference, {student: mine.get(slug, release) for student, mine in submissions.items()})
            for slug, (release, reference) in cells.items()
        ]
        return list(pool.map(compare_kata, *zip(*work)))
