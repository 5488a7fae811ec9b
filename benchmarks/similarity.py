"""``python -m benchmarks.similarity``: time ``day5 similarity`` on a synthetic class.

The class (200 by default) is made from the release notebook and the reference. Per
kata, a student hands in the reference in disguise (names changed, definitions
reordered, comments added, reformatted; 30 %), the same with two statements left out
(48 %), an untouched stub (20 %), or a cell that does not parse (2 %: every kata then
has one, so every kata also pays for the token fallback). Wall time and CPU time (this
process and its workers) are printed; the machine's other load shows in the first only. The helpers that build it are shared with
``tests/grading/test_similarity.py``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import random
import re
import resource
import tempfile
import textwrap
import time
from pathlib import Path

from workbook.authoring import course
from workbook.classroom import similarity, similarity_report
from workbook.katas import KATAS

STUB = re.compile(r"^( *)# YOUR CODE HERE\n *raise NotImplementedError\(\)", re.MULTILINE)


def fill(release: str, *bodies: str) -> str:
    """The released cell with its stubs, in order, replaced by ``bodies`` (indented to fit)."""
    pending = iter(bodies)
    filled = STUB.sub(lambda match: textwrap.indent(textwrap.dedent(next(pending)).strip("\n"), match.group(1)), release)
    if next(pending, None) is not None:
        raise ValueError("more bodies than stubs")
    return filled


def bound_names(tree: ast.AST) -> set[str]:
    """Names the code assigns or defines, and attributes it sets."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def mentioned_names(tree: ast.AST) -> set[str]:
    """Every name the code mentions."""
    found = {getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "arg", None)
             for node in ast.walk(tree)}
    return found | {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


class Rename(ast.NodeTransformer):
    def __init__(self, new: dict[str, str]):
        self.new = new

    def visit_Name(self, node):
        node.id = self.new.get(node.id, node.id)
        return node

    def visit_Attribute(self, node):
        node.attr = self.new.get(node.attr, node.attr)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node):
        node.name = self.new.get(node.name, node.name)
        return self.generic_visit(node)


def reorder(body: list[ast.stmt]) -> list[ast.stmt]:
    """The definitions of a body in reverse order, every other statement where it was."""
    definitions = [node for node in body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    reversed_definitions = iter(definitions[::-1])
    return [next(reversed_definitions) if node in definitions else node for node in body]


def disguise(code: str, release: str, rng: random.Random, drop: int = 0) -> str:
    """``code`` as a copier hides it: every name it chose (not the release's) renamed,
    definitions reversed, reformatted by ``ast.unparse``, a comment above each def;
    ``drop`` statements left out of function bodies."""
    tree, given = ast.parse(code), mentioned_names(ast.parse(release))
    words = ("tmp", "val", "buf", "acc", "res", "item", "data", "cur")
    Rename({name: f"{rng.choice(words)}_{n}" for n, name in enumerate(sorted(bound_names(tree) - given))}).visit(tree)
    tree.body = reorder(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            node.body = reorder(node.body)
    bodies = [node.body for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and len(node.body) > 2]
    for body in rng.sample(bodies, min(drop, len(bodies))):
        del body[rng.randrange(1, len(body))]
    lines = ast.unparse(tree).splitlines()
    return "\n".join(f"{line[: len(line) - len(line.lstrip())]}# step {n}\n{line}" if line.lstrip().startswith("def ")
                     else line for n, line in enumerate(lines))


def write_class(folder: Path, answers: dict[str, dict[str, str]]) -> Path:
    """An nbgrader course in ``folder``: ``submitted/<student>/day5/day5.ipynb``, the
    release with the solution cells ``{student: {kata slug: code}}`` filled in."""
    nbf = course.nbformat()
    release = nbf.read(course.RELEASE, as_version=4)
    for student, cells in answers.items():
        notebook = copy.deepcopy(release)
        for cell in notebook.cells:
            slug = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("solution") and slug in cells:
                cell.source = cells[slug]
        path = folder / "submitted" / student / "day5" / "day5.ipynb"
        path.parent.mkdir(parents=True)
        nbf.write(notebook, path)
    return folder


def synthetic_class(size: int, seed: int = 0) -> dict[str, dict[str, str]]:
    """``{student: {kata slug: code}}`` for ``size`` students of mixed kinds (see the module)."""
    rng, cells = random.Random(seed), similarity.course_cells()
    answers = {}
    for number in range(size):
        mine = {}
        for slug, (release, reference) in cells.items():
            kind = rng.choices(("copy", "partial", "stub", "broken"), weights=(30, 48, 20, 2))[0]
            if kind == "stub":
                continue
            code = disguise(reference, release, rng, drop=2 if kind == "partial" else 0)
            mine[slug] = code.replace(":", "", 1) if kind == "broken" else code
        answers[f"student{number:03d}"] = mine
    return answers


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the comparison's workers)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.similarity", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day5-similarity-") as scratch:
        folder = write_class(Path(scratch), synthetic_class(args.students, args.seed))
        started, cpu = time.perf_counter(), cpu_seconds()
        scores = similarity_report.run(folder, folder / "similarity", similarity_report.DEFAULT_THRESHOLD, log=print)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    pairs = sum(len(kata.names) * (len(kata.names) - 1) // 2 for kata in scores)
    print(f"{args.students} submissions x {len(KATAS)} katas, {pairs} pairs: {seconds:.1f} s wall, {cpu:.1f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
