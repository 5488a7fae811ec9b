"""The two corpora every Python has, built without downloading or importing anything else.

A: the documentation topics of ``pydoc_data`` (about 465 KB), the corpus of
   ``50_eval/train_mini_lm.py``.
B: the docstrings of the standard library's own source (modules, classes and
   functions), read with ``ast`` from the ``.py`` files in sorted order, the library
   first and then its tests (the library alone holds about 1.8 million characters),
   cut at exactly ``B_CHARS`` characters. Nothing is imported, so no module's side
   effects run; the text is the same on every install of one Python version.
"""

from __future__ import annotations

import ast
import hashlib
import sysconfig
import warnings
from pathlib import Path

B_CHARS = 2_000_000
SKIPPED_DIRS = {"site-packages", "dist-packages", "__pycache__"}
TEST_DIRS = {"test", "tests", "idle_test"}
DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def corpus_a() -> str:
    from pydoc_data.topics import topics

    return "\n".join(topics.values())


def stdlib_sources() -> list[Path]:
    """The standard library's ``.py`` files: the library, then its tests, each sorted by path."""
    root = Path(sysconfig.get_paths()["stdlib"])

    def order(path: Path):
        folders = set(path.relative_to(root).parts[:-1])
        return bool(TEST_DIRS & folders), path.relative_to(root).as_posix()

    files = (path for path in root.rglob("*.py") if not SKIPPED_DIRS & set(path.relative_to(root).parts[:-1]))
    return sorted(files, key=order)


def docstrings(path: Path) -> list[str]:
    """The docstrings of a module and of every class and function in it (``ast.walk`` order)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning: invalid escape sequence
            tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return []
    found = (ast.get_docstring(node) for node in ast.walk(tree) if isinstance(node, DOCUMENTED))
    return [text for text in found if text]


def corpus_b(chars: int = B_CHARS) -> str:
    """Standard-library docstrings joined by blank lines, cut at exactly ``chars`` characters."""
    parts, total = [], 0
    for path in stdlib_sources():
        for text in docstrings(path):
            parts.append(text)
            total += len(text) + 2
        if total >= chars:
            break
    return "\n\n".join(parts)[:chars]


def describe(text: str) -> dict:
    """Size and fingerprint of a corpus, for the results file."""
    data = text.encode("utf-8")
    return {"characters": len(text), "utf8_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


DOC_SUFFIXES = {".md", ".rst", ".txt"}


def package_documents() -> list[Path]:
    """The installed packages' text files (``.md``, ``.rst``, ``.txt``, ``METADATA``), sorted by path."""
    root = Path(sysconfig.get_paths()["purelib"])
    files = (path for path in root.rglob("*") if path.suffix in DOC_SUFFIXES or path.name == "METADATA")
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def corpus_large(chars: int) -> str:
    """All of corpus B's docstrings, then the installed packages' documents, cut at ``chars`` characters.

    For sizes beyond what the standard library's docstrings hold (about 2.3 million
    characters): never repeated text, and the same for one set of installed packages
    (``describe`` records its SHA-256). Below that size it is corpus B.
    """
    if chars <= B_CHARS:
        return corpus_b(chars)
    parts = [corpus_b(10**9)]
    total = len(parts[0])
    for path in package_documents():
        if total >= chars:
            break
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parts.append(text)
        total += len(text) + 2
    text = "\n\n".join(parts)[:chars]
    if len(text) < chars:
        raise ValueError(f"the installed text holds only {len(text):,} characters, not {chars:,}")
    return text
