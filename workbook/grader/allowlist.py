"""What a kata's code may use when it is graded: what a learner needs, and nothing that reaches the grader.

The autograder checks each kata's source before it runs it. Allowed: the imports a
learner needs (``IMPORTS``) and plain Python. Not allowed, because no kata needs them
and each is a way to reach the grader, the tests, the reference or the machine:

- importing anything else (``sys``, ``os``, ``importlib``, ``inspect``, ``gc``,
  ``ctypes``, ``subprocess``, ``pytest``, ``hypothesis``, ``solutions``, ``workbook``, ...);
- the builtins that execute, import, open or introspect (``BUILTINS``);
- dunder names and attributes (``__globals__``, ``__builtins__``, ``__subclasses__``, ...)
  except the harmless few in ``DUNDERS``;
- attributes that lead to modules, frames or files (``ATTRIBUTES``: ``sys``, ``f_back``,
  ``gi_frame``, ``tofile``, ``attrgetter``, ...);
- defining the special methods that decide comparisons and conversions (``__eq__``,
  ``__bool__``, ``__array_ufunc__``, ...): an object equal to everything passes every ``==``;
- assigning to an attribute of an imported module (``np.allclose = ...``).

``check`` returns one ``Violation`` per construct; a kata with any scores 0.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

IMPORTS = frozenset({
    "__future__", "numpy", "numpy.linalg", "numpy.random", "numpy.lib.stride_tricks", "math", "cmath", "random",
    "statistics", "collections", "collections.abc", "itertools", "functools", "heapq", "bisect", "operator", "re",
    "regex", "string", "typing", "dataclasses", "enum", "abc", "numbers", "copy", "unicodedata", "fractions",
    "decimal", "array", "contextlib", "textwrap",
})
BUILTINS = frozenset({
    "eval", "exec", "compile", "open", "__import__", "globals", "locals", "vars", "dir", "getattr", "setattr",
    "delattr", "breakpoint", "input", "help", "exit", "quit", "memoryview", "get_ipython",
})
DUNDERS = frozenset({
    "__init__", "__name__", "__qualname__", "__class__", "__doc__", "__len__", "__iter__", "__next__", "__call__",
    "__getitem__", "__contains__", "__repr__", "__str__", "__post_init__", "__slots__", "__all__",
})
DEFINABLE = frozenset({
    "__init__", "__call__", "__iter__", "__next__", "__len__", "__repr__", "__str__", "__getitem__", "__contains__",
    "__post_init__", "__slots__", "__all__",
})
ATTRIBUTES = frozenset({
    "sys", "os", "modules", "builtins", "gc", "inspect", "importlib", "import_module", "subprocess", "ctypes",
    "ctypeslib", "f2py", "distutils", "testing", "system", "popen", "spawn", "fork", "environ",
    "attrgetter", "methodcaller", "load", "loads", "save", "savez", "savez_compressed", "savetxt", "loadtxt",
    "genfromtxt", "fromfile", "tofile", "memmap", "DataSource", "fromregex", "open_memmap", "dump", "dumps",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "gi_frame", "gi_code", "cr_frame", "ag_frame",
    "tb_frame", "tb_next", "mro", "settrace", "setprofile", "_getframe", "_current_frames", "_private", "_core",
    "_request", "_pyfuncitem",
})


class Violation(NamedTuple):
    line: int
    construct: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.construct} is not allowed ({self.reason})"


def check(source: str) -> list[Violation]:
    """Every construct of ``source`` that a graded kata may not use (empty if none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [Violation(error.lineno or 0, "the code", f"it does not parse: {error.msg}")]
    except (ValueError, MemoryError, RecursionError):  # a null byte, a parser bomb
        return [Violation(0, "the code", "it does not parse")]
    modules = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        found.extend(_violations(node, modules))
    return sorted(set(found))


def _imported_names(tree: ast.Module) -> set[str]:
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        alias.asname or alias.name
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def _violations(node: ast.AST, modules: set[str]):
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in IMPORTS:
                yield Violation(line, f"`import {alias.name}`", "only the modules a kata needs may be imported")
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            yield Violation(line, "a relative import", "the kata's module already has the names it needs")
        elif node.module not in IMPORTS:
            yield Violation(line, f"`from {node.module} import ...`", "only the modules a kata needs may be imported")
        for alias in node.names:
            if alias.name in ATTRIBUTES or alias.name.startswith("_") or alias.name == "*":
                yield Violation(line, f"importing `{alias.name}`", "it reaches modules, frames or files")
    elif isinstance(node, ast.Name):
        if node.id in BUILTINS:
            yield Violation(line, f"`{node.id}`", "it executes, imports, opens or introspects")
        elif node.id.startswith("__") and node.id.endswith("__") and node.id not in DUNDERS:
            yield Violation(line, f"`{node.id}`", "interpreter internals are off limits")
    elif isinstance(node, ast.Attribute):
        yield from _attribute(node, line, modules)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if node.name.startswith("__") and node.name.endswith("__") and node.name not in DEFINABLE:
            yield Violation(line, f"defining `{node.name}`", "it changes how comparisons and conversions behave")
    elif isinstance(node, ast.ClassDef):
        for keyword in node.keywords:
            yield Violation(line, f"`{keyword.arg}=` in a class statement", "metaclasses are off limits")
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
        yield Violation(line, f"the string {node.value[:30]!r}", "dunder names in strings reach interpreter internals")
    elif isinstance(node, (ast.Global, ast.Nonlocal)) and any(name.startswith("__") for name in node.names):
        yield Violation(line, "a dunder global", "interpreter internals are off limits")


def _attribute(node: ast.Attribute, line: int, modules: set[str]):
    name, base = node.attr, node.value
    if name.startswith("__") and name.endswith("__"):
        if name not in DUNDERS:
            yield Violation(line, f"`.{name}`", "interpreter internals are off limits")
    elif name in ATTRIBUTES:
        yield Violation(line, f"`.{name}`", "it reaches modules, frames or files")
    if isinstance(node.ctx, (ast.Store, ast.Del)):
        root = base
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in modules:
            yield Violation(line, f"assigning `{ast.unparse(node)}`", "a kata may not change a module it imports")
