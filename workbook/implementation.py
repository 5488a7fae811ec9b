"""The one seam between the tests and the code they exercise.

An implementation is a folder that holds a ``day5`` package: ``exercises`` (the
learner's stubs, the default), ``solutions`` (the reference), or any other folder,
such as the partial copies that ``day5 verify`` builds. It can also be a notebook's
globals, attached under a name (``attach``): every ``day5`` module is then that one
namespace. Tests never import ``exercises`` or ``solutions`` themselves; they ask
this module.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import FrameType, ModuleType
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
NAMED = {"exercises": ROOT / "exercises", "solutions": ROOT / "solutions"}
ENV_VAR = "DAY5_IMPL"


class Namespace:
    """A notebook's globals standing in for a module: reading an attribute reads the
    global, and setting one sets it, so a test that swaps a name with
    ``monkeypatch.setattr`` swaps what the notebook's own functions call."""

    def __init__(self, globals_: dict):
        object.__setattr__(self, "globals", globals_)

    def __getattr__(self, name: str):
        try:
            return self.globals[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        self.globals[name] = value

    def __delattr__(self, name: str) -> None:
        del self.globals[name]


NAMESPACES: dict[str, Namespace] = {}


def attach(name: str, globals_: dict) -> None:
    """Make ``globals_`` (a notebook's ``globals()``) the implementation called ``name``."""
    NAMESPACES[name] = Namespace(globals_)


def is_namespace(impl: str | os.PathLike) -> bool:
    return str(impl) in NAMESPACES


def default() -> str:
    """The implementation to test when none is named: ``$DAY5_IMPL``, else the exercises."""
    return os.environ.get(ENV_VAR) or "exercises"


def resolve(impl: str | os.PathLike) -> Path:
    """The folder of ``impl`` (a name from ``NAMED`` or a path), checked to hold ``day5/``."""
    folder = NAMED.get(str(impl)) or Path(impl).resolve()
    if not (folder / "day5" / "__init__.py").is_file():
        names = ", ".join(NAMED)
        raise ValueError(f"implementation {str(impl)!r}: expected {names} or a folder that holds day5/__init__.py")
    return folder


def is_reference(impl: str | os.PathLike) -> bool:
    return not is_namespace(impl) and resolve(impl) == NAMED["solutions"]


def load(impl: str | os.PathLike, module: str) -> ModuleType | Namespace:
    """Import ``day5.<module>`` from the implementation ``impl`` (a namespace is every module)."""
    if is_namespace(impl):
        return NAMESPACES[str(impl)]
    return importlib.import_module(f"{_package(resolve(impl))}.{module}")


def _package(folder: Path) -> str:
    """Import ``folder/day5`` once, under a name of its own, and return that name."""
    label = next((name for name, path in NAMED.items() if path == folder), None)
    name = f"day5_{label}" if label else "day5_" + hashlib.sha1(str(folder).encode()).hexdigest()[:10]
    if name not in sys.modules:
        init = folder / "day5" / "__init__.py"
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(init.parent)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            del sys.modules[name]
            raise
    return name


NOTEBOOK_CELL = "<the notebook's cell "  # how a notebook's solution cell is named when compiled on its own


class Stub(NamedTuple):
    """A place in the learner's code: ``Class.method``, and the file and line
    (``exercises/day5/data.py:40``) or "the notebook"."""

    name: str
    where: str


def stub_reached(error: BaseException, impl: str | os.PathLike) -> Stub | None:
    """The stub of ``impl`` whose ``NotImplementedError`` is ``error``, if it is one."""
    return learner_frame(error, impl) if isinstance(error, NotImplementedError) else None


def learner_frame(error: BaseException, impl: str | os.PathLike) -> Stub | None:
    """The innermost frame of ``error``'s traceback that runs the learner's own code, if any."""
    crossed = getattr(error, "learner_frame", None)  # raised in the grader's student process, which said where
    if crossed is not None:
        function, file, line = crossed
        if file.startswith(NOTEBOOK_CELL):
            return Stub(function, "the notebook")
        folder = None if is_namespace(impl) else resolve(impl).parent
        shown = Path(file).relative_to(folder) if folder is not None and folder in Path(file).parents else file
        return Stub(function, f"{shown}:{line}")
    runs_code_of_impl, found, tb = _runs_code_of(impl), None, error.__traceback__
    while tb is not None:
        if runs_code_of_impl(tb.tb_frame):
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    code = found.tb_frame.f_code
    name = getattr(code, "co_qualname", None)  # Python 3.11+
    if name is None:
        owner = found.tb_frame.f_locals.get("self")
        name = f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name
    if is_namespace(impl) or code.co_filename.startswith(NOTEBOOK_CELL):
        return Stub(name, "the notebook")
    return Stub(name, f"{Path(code.co_filename).relative_to(resolve(impl).parent)}:{found.tb_lineno}")


def _runs_code_of(impl: str | os.PathLike) -> Callable[[FrameType], bool]:
    """Whether a frame runs ``impl``'s code: a test of every frame of a traceback, so it resolves ``impl`` once."""
    if is_namespace(impl):
        namespace = NAMESPACES[str(impl)].globals
        return lambda frame: frame.f_globals is namespace
    folder = f"{resolve(impl)}{os.sep}"
    return lambda frame: frame.f_code.co_filename.startswith((NOTEBOOK_CELL, folder))
