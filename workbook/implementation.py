"""The one seam between the tests and the code they exercise.

An implementation is a folder that holds a ``day5`` package: ``exercises`` (the
learner's stubs, the default), ``solutions`` (the reference), or any other folder,
such as the partial copies that ``day5 verify`` builds. Tests never import
``exercises`` or ``solutions`` themselves; they ask this module.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
NAMED = {"exercises": ROOT / "exercises", "solutions": ROOT / "solutions"}
ENV_VAR = "DAY5_IMPL"


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
    return resolve(impl) == NAMED["solutions"]


def load(impl: str | os.PathLike, module: str) -> ModuleType:
    """Import ``day5.<module>`` from the implementation ``impl``."""
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


class Stub(NamedTuple):
    """Where an untouched stub was reached: ``Class.method``, its file and line."""

    name: str
    path: Path  # relative to the implementation's folder's parent, e.g. exercises/day5/data.py
    line: int


def stub_reached(error: BaseException, folder: Path) -> Stub | None:
    """The stub of ``folder`` whose ``NotImplementedError`` is ``error``, if it is one."""
    if not isinstance(error, NotImplementedError):
        return None
    found, tb = None, error.__traceback__
    while tb is not None:  # the innermost frame in the implementation's own files
        if folder in Path(tb.tb_frame.f_code.co_filename).parents:
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    code = found.tb_frame.f_code
    name = getattr(code, "co_qualname", None)  # Python 3.11+
    if name is None:
        owner = found.tb_frame.f_locals.get("self")
        name = f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name
    return Stub(name, Path(code.co_filename).relative_to(folder.parent), found.tb_lineno)
