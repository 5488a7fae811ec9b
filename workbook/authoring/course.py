"""Generate the nbgrader course notebook from the reference and the kata manifest.

The modules of ``solutions/day5`` become one notebook, in learning order. Each
module's code is cut into runs of top-level statements: a kata's own definitions
become one solution cell (nbgrader's ``### BEGIN SOLUTION`` markers inside it),
followed by a locked grade cell worth the kata's points that runs the kata's tests
from ``tests/day5`` on the notebook's globals (``workbook.grading``). Everything
else is given code in locked cells. The imports of all modules open the notebook.

Two notebooks come out:

- ``notebooks/source/day5/day5.ipynb``: the instructor's source, for
  ``nbgrader generate_assignment day5``;
- ``notebooks/day5_workbook.ipynb``: the same with every solution cleared by the
  rule of ``stubs.clear_solutions`` (nbgrader's), for learners without a course.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from ..implementation import NAMED, ROOT
from ..katas import KATAS, Kata
from ..files import write_atomic
from .stubs import clear_solutions

SOURCE = ROOT / "notebooks" / "source" / "day5" / "day5.ipynb"
RELEASE = ROOT / "notebooks" / "day5_workbook.ipynb"
MODULES = ("serialization", "tokenizers", "fast_bpe", "data", "losses", "optim", "model", "training", "generation")

INTRO = """\
# Day 5 kata notebook: tokenizer, training loop, text generation

`exercises/day5/*.py`의 14개 kata를 notebook 하나로 옮긴 것입니다. 내용과 테스트는 같습니다.

- `# YOUR CODE HERE` / `raise NotImplementedError()`가 있는 셀을 채우고 실행한 뒤, 바로 아래의 **채점 셀**을
  실행하세요. 채점 셀은 `tests/day5`의 그 kata 테스트를 이 notebook에 정의된 코드로 돌립니다
  (`pytest -k day5`와 같은 테스트). 통과하면 kata의 점수를 모두, 하나라도 실패하면 0점을 받습니다.
  실패하면 처음 실패한 law, 비교한 값, hint 1이 나옵니다.
- 각 kata는 자기 코드만 채점됩니다. 다른 kata의 이름은 테스트하는 동안 reference로 바뀌므로, 앞의 kata를 못 풀어도
  뒤의 kata는 따로 점수를 받습니다.
- 잠긴 셀(given code와 채점 셀)은 고치지 마세요. 채점할 때 원래 내용으로 되돌아갑니다.
- 준비: 저장소 루트에서 `python3 -m pip install -e .` (채점 셀이 `workbook`을 import합니다).
- 설명은 각 kata의 study note 절에 있습니다. 더 자세한 hint는 채점 셀을 한 번 실행한 뒤 이 notebook에서
  `hint("adam", 2)`, `hint("adam", 3)`처럼 봅니다.
- 강사가 채점할 때(`nbgrader autograde`)는 이 notebook의 kernel을 쓰지 않습니다: 각 kata의 셀만 따로 sandbox에서
  테스트하며, kata에 필요 없는 모듈(`os`, `sys`, `importlib` 등)은 쓸 수 없습니다(README의 trust model).
"""

DEMO_INTRO = """\
## 직접 돌려 보기

여러분의 코드로 Python 문서(`pydoc_data`) 앞부분 100,000자에 `MiniLanguageModel`을 한 epoch 학습하고
text를 생성합니다(한가한 2코어에서 약 10초). 채점할 때는 건너뜁니다.
"""

DEMO = '''\
import os

if os.environ.get("NBGRADER_EXECUTION"):  # set by nbgrader autograde and validate
    print("skipped while grading")
else:
    import pydoc_data.topics

    text = "\\n".join(pydoc_data.topics.topics.values())[:100_000]
    tokenizer = CharacterTokenizer()
    tokenizer.fit(text)
    model = MiniLanguageModel(tokenizer.vocab_size)
    losses = train(model, text, tokenizer, epochs=1, batch_size=32, seq_len=64, lr=3e-3)
    print(f"mean training loss {losses[0]:.3f}")
    print(generate(model, tokenizer, "The class", max_length=120, seed=0, temperature=0.8, top_p=0.9))
'''


def nbformat():
    try:
        import nbformat
    except ImportError:
        raise SystemExit("the notebooks need nbformat: python3 -m pip install -e '.[grading]'") from None
    return nbformat


def top_level_runs(source: str) -> tuple[list[ast.stmt], list[tuple[Kata | None, str]]]:
    """A module's imports, and the rest of its code as ``(kata or None, code)`` runs of
    consecutive top-level statements (comments and blank lines at column 0 go with
    what follows)."""
    owners = {name: kata for kata in KATAS for name in kata.names}
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    code = [node for node in body if node not in imports]
    starts = [head(node, lines) for node in code] + [len(lines)]
    runs: list[tuple[Kata | None, list[str]]] = []
    for node, start, end in zip(code, starts, starts[1:]):
        kata = owners.get(getattr(node, "name", None))
        if runs and runs[-1][0] is kata:
            runs[-1][1].extend(lines[start:end])
        else:
            runs.append((kata, lines[start:end]))
    return imports, [(kata, "".join(chunk).strip("\n")) for kata, chunk in runs]


def head(node: ast.stmt, lines: list[str]) -> int:
    """The 0-based line where ``node`` begins, with its decorators and the comments
    and blank lines at column 0 just above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    while start > 0 and (not lines[start - 1].strip() or lines[start - 1].startswith("#")):
        start -= 1
    return start


def import_cell(imports: list[ast.stmt]) -> str:
    """One cell with every module's imports, merged: ``from __future__`` first, then the
    standard library, then the rest. Relative imports go: the notebook is one namespace."""
    plain, names = set(), {}
    for node in imports:
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.setdefault(node.module, set()).update(alias.name for alias in node.names)
        else:
            plain.update(ast.unparse(ast.Import(names=[alias])) for alias in node.names)
    statements = plain | {f"from {module} import {', '.join(sorted(n))}" for module, n in names.items()}
    future = {s for s in statements if s.startswith("from __future__")}
    standard = {s for s in statements - future if s.split()[1].split(".")[0] in sys.stdlib_module_names}
    others = statements - future - standard
    groups = [sorted(group, key=lambda s: (s.startswith("from"), s)) for group in (future, standard, others)]
    return "\n\n".join("\n".join(group) for group in groups if group)


def kata_intro(kata: Kata) -> str:
    number = KATAS.index(kata) + 1
    return (
        f"### Kata {number}: {kata.title} ({kata.points}점)\n\n"
        f"{kata.hints[0]}\n\n"
        f"읽을 곳: `{kata.note}` · 테스트: `{kata.tests}`"
    )


def module_intro(module: str, source: str) -> str:
    return f"## `{module}.py`\n\n{ast.get_docstring(ast.parse(source))}"


def cells() -> Iterator[tuple[str, str, dict | None]]:
    """``(kind, source, nbgrader metadata or None)`` for every cell of the source notebook."""
    sources = {module: (NAMED["solutions"] / "day5" / f"{module}.py").read_text(encoding="utf-8") for module in MODULES}
    split = {module: top_level_runs(source) for module, source in sources.items()}
    yield "markdown", INTRO, None
    yield "code", import_cell([node for imports, _ in split.values() for node in imports]), given("imports")
    done = set()
    for module in MODULES:
        yield "markdown", module_intro(module, sources[module]), None
        runs = split[module][1]
        given_code = "\n\n\n".join(code for kata, code in runs if kata is None)
        if given_code:  # first, so a kata never runs before the given code it calls
            yield "code", given_code, given(f"given_{module}")
        for kata, code in runs:
            if kata is None:
                continue
            if kata in done:
                raise ValueError(f"solutions/day5/{module}.py: the definitions of kata {kata.slug!r} must be consecutive")
            done.add(kata)
            yield "markdown", kata_intro(kata), None
            yield "code", code, metadata(kata.slug, solution=True)
            grade_cell = f"from workbook.grading import grade, hint\n\ngrade({kata.slug!r}, globals())"
            yield "code", grade_cell, metadata(f"test_{kata.slug}", grade=True, locked=True, points=kata.points)
    yield "markdown", DEMO_INTRO, None
    yield "code", DEMO.strip("\n"), given("demo")


def metadata(grade_id: str, solution=False, grade=False, locked=False, points=None) -> dict:
    """A cell's nbgrader metadata, schema version 3."""
    fields = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    return {"nbgrader": fields | ({"points": points} if points is not None else {})}


def given(grade_id: str) -> dict:
    return metadata(grade_id, locked=True)


def notebook(release: bool = False):
    """The course notebook; with ``release``, every solution cleared as nbgrader clears it."""
    nbf = nbformat()
    nb = nbf.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, (kind, source, meta) in enumerate(cells()):
        if kind == "markdown":
            cell = nbf.v4.new_markdown_cell(source)
        else:
            solution = meta["nbgrader"]["solution"]
            cell = nbf.v4.new_code_cell(clear_solutions(source) if release and solution else source)
            cell.metadata = meta
        cell.id = meta["nbgrader"]["grade_id"].replace("_", "-") if meta else f"md-{number}"
        nb.cells.append(cell)
    nbf.validate(nb)
    return nb


def rendered() -> dict:
    """``{path: text}`` of both notebooks."""
    nbf = nbformat()
    return {SOURCE: nbf.writes(notebook()) + "\n", RELEASE: nbf.writes(notebook(release=True)) + "\n"}


def write(log=print) -> None:
    for path, text in rendered().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
            log(f"wrote {path.relative_to(ROOT)}")


def drift() -> list[str]:
    """How the committed notebooks differ from freshly generated ones (empty if they do not)."""
    return [
        f"{path.relative_to(ROOT)} is not what solutions/ generates: run `day5 generate`"
        for path, text in rendered().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
