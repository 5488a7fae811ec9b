"""Given code every module shares (not a kata): the input checks, and versioned JSON files.

The bad-input policy: every public function documents what it accepts, and anything
else is a ``TypeError`` (not the right kind of value) or a ``ValueError`` (the right
kind, but out of range or non-finite) whose message names the argument and shows the
value. The checks below do that in one line each, so a kata's code stays short;
each returns the value it checked, converted where its docstring says so.

Every saved object is one JSON document ``{"kind": ..., "version": ..., **state}``.
Writing goes to a temporary file in the same folder that then replaces the target
in one step, so a crash never leaves a half-written file behind. Reading checks the
kind and version and reports a damaged file by name instead of half-reading it.
"""

from __future__ import annotations

import functools
import json
import numbers
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 1


def check_type(name: str, value, *types: type):
    """``value`` if it is an instance of one of ``types``, else a ``TypeError`` naming ``name``.

    >>> check_type("text", b"abc", str)
    Traceback (most recent call last):
    TypeError: text must be str, got bytes: b'abc'
    """
    if not isinstance(value, types):
        expected = " or ".join(t.__name__ for t in types)
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}: {value!r:.80}")
    return value


def check_methods(name: str, value, *methods: str):
    """``value`` if it has each of ``methods`` (callable), else a ``TypeError`` naming ``name``.

    >>> check_methods("optimizer", None, "step", "zero_grad")
    Traceback (most recent call last):
    TypeError: optimizer must have the methods step, zero_grad; got NoneType: None
    """
    if not all(callable(getattr(value, method, None)) for method in methods):
        raise TypeError(f"{name} must have the methods {', '.join(methods)}; got {type(value).__name__}: {value!r:.80}")
    return value


def check_integer(name: str, value, low: int | None = 1, optional: bool = False) -> int | None:
    """``value`` as an ``int`` if it is an integer ``>= low`` (None when ``optional``), else an error.

    A value that is not a number is a ``TypeError``; a bool, a float (even ``2.0``) or
    an integer below ``low`` is a ``ValueError``. ``low=None`` sets no lower bound.

    >>> check_integer("batch_size", 2.5)
    Traceback (most recent call last):
    ValueError: batch_size must be an integer >= 1, got 2.5
    """
    if type(value) is int and (low is None or value >= low):
        return value
    if value is None and optional:
        return None
    if not isinstance(value, numbers.Real):
        check_type(name, value, int)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (low is not None and value < low):
        bound = "" if low is None else f" >= {low}"
        raise ValueError(f"{name} must be an integer{bound}, got {value!r}")
    return int(value)


def check_number(name: str, value, interval: str = "(-inf, inf)", optional: bool = False) -> float | None:
    """``value`` as a ``float`` if it is a real number in ``interval`` (None when ``optional``).

    ``interval`` is written as in mathematics: ``"(0, 1]"`` means ``0 < value <= 1``,
    ``"[0, inf)"`` means ``value >= 0`` and finite. NaN lies in no interval. A value
    that is not a real number (a bool, a string, an array) is a ``TypeError``; one
    outside ``interval`` is a ``ValueError``.

    >>> check_number("p", 1.5, "(0, 1]")
    Traceback (most recent call last):
    ValueError: p must lie in (0, 1], got 1.5
    """
    if value is None and optional:
        return None
    if type(value) not in (float, int) and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r:.80}")
    low, high = _bounds(interval)
    above = low < value if interval[0] == "(" else low <= value
    below = value < high if interval[-1] == ")" else value <= high
    if not (above and below):
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return float(value)


@functools.cache
def _bounds(interval: str) -> tuple[float, float]:
    """The two ends of an interval written as ``check_number`` takes it (read once per interval)."""
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    return low, high


def as_array(name: str, value) -> np.ndarray:
    """``np.asarray(value)``, with a ragged nesting reported as a ``TypeError`` naming ``name``."""
    try:
        return np.asarray(value)
    except ValueError:
        raise TypeError(f"{name} must be a flat sequence or a rectangular array, got {value!r:.80}") from None


def real_array(name: str, value, finite: bool = True) -> np.ndarray:
    """``value`` as a NumPy array of integers or floats (not bools), finite unless ``finite=False``.

    >>> real_array("grad", [1.0, float("nan")])
    Traceback (most recent call last):
    ValueError: grad must be finite, got nan at index (1,)
    """
    array = as_array(name, value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}: {value!r:.80}")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        index = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(f"{name} must be finite, got {array[tuple(index)]} at index {tuple(index.tolist())}")
    return array


def as_token_ids(token_ids, name: str = "token_ids") -> np.ndarray:
    """``token_ids`` as a 1-D int64 array of ids ``>= 0``, or a clear error.

    Any sequence or 1-D array of integers works; bools, floats and strings are a
    ``TypeError``. An id below 0 or too large for int64 is a ``ValueError`` (never
    wrapped around).

    >>> as_token_ids([2**63])
    Traceback (most recent call last):
    ValueError: token_ids must be ids in [0, 2**63), got 9223372036854775808
    """
    ids = as_array(name, token_ids)
    if ids.size == 0:
        ids = ids.astype(np.int64)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a 1-D sequence of integers, got dtype {ids.dtype} and shape {ids.shape}")
    if ids.size and not 0 <= ids.min() <= ids.max() <= np.iinfo(np.int64).max:
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise ValueError(f"{name} must be ids in [0, 2**63), got {bad}")
    return ids.astype(np.int64)


def as_id_list(ids, name: str = "ids", size: int | None = None) -> list[int]:
    """``ids`` (any iterable of integer ids ``>= 0``, ``size`` of them if given) as a list or tuple of ints.

    Checked like :func:`as_token_ids`; a list or tuple of ints comes back as it is, without a copy.
    """
    if not (type(ids) in (list, tuple) and set(map(type, ids)) <= {int} and (not ids or min(ids) >= 0)):
        if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
            raise TypeError(f"{name} must be a sequence of integer ids, got {type(ids).__name__}: {ids!r:.80}")
        ids = as_token_ids(ids if hasattr(ids, "__len__") else list(ids), name).tolist()
    if size is not None and len(ids) != size:
        raise ValueError(f"{name} must hold {size} ids, got {len(ids)}: {ids!r:.80}")
    return ids


@contextmanager
def unknown_ids_named(vocab_size: int):
    """Within it, a ``KeyError`` of a token id (a lookup in the vocabulary) is a ``ValueError`` naming the id."""
    try:
        yield
    except KeyError as error:
        raise ValueError(f"unknown token id {error.args[0]!r} (vocab_size is {vocab_size})") from None


def check_path(name: str, path) -> Path:
    """``path`` (a ``str`` or ``os.PathLike``) as a ``Path``, else a ``TypeError`` naming ``name``."""
    return Path(check_type(name, path, str, os.PathLike))


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", **options):
    """Open a temporary file beside ``path``; once written, it replaces ``path`` in one step."""
    path = check_path("path", path)
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
    """Read a ``kind`` document written by :func:`save_json`; return its ``fields``.

    A file that cannot be read is the ``OSError`` Python raises; a damaged one is a
    ``ValueError`` naming the path.
    """
    path = check_path("path", path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
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
