"""Versioned JSON files, written atomically (given code, not a kata).

Every saved object is one JSON document ``{"kind": ..., "version": ..., **state}``.
Writing goes to a temporary file in the same folder that then replaces the target
in one step, so a crash never leaves a half-written file behind. Reading checks the
kind and version and reports a damaged file by name instead of half-reading it.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", **options):
    """Open a temporary file beside ``path``; once written, it replaces ``path`` in one step."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **options) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save_json(path: str | os.PathLike, kind: str, state: dict[str, Any]) -> None:
    """Write ``state`` as a ``kind`` document to ``path``, atomically."""
    document = {"kind": kind, "version": FORMAT_VERSION, **state}
    with atomic_file(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)


def load_json(path: str | os.PathLike, kind: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """Read a ``kind`` document written by :func:`save_json`; return its ``fields``."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a valid {kind} file: {error}") from None
    if not isinstance(document, dict) or document.get("kind") != kind:
        found = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"{path} holds a {found!r}, not a {kind!r}")
    if document.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {document.get('version')!r}; "
            f"this code reads version {FORMAT_VERSION}"
        )
    missing = [field for field in fields if field not in document]
    if missing:
        raise ValueError(f"{path} is a damaged {kind} file: missing {', '.join(missing)}")
    return {field: document[field] for field in fields}
