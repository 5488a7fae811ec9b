"""The harness's side: a kata's learner code in a student process, reached through proxies.

``StudentProcess(kata, answer, scratch, tests, limits)`` starts the student process for one kata in a
sandbox (``workbook.grader.sandbox``: its own file system that shows ``inside/`` and no other
part of the course, ``nobody`` without capabilities, no network, limits) and gives the
tests a proxy of the kata's module there. The tests, the reference and pytest stay in
this process; the student process holds the learner's code for the kata and the given
code, and nothing of any kata's reference: the other katas' functions and classes stay
here, and the student's code calls them through handles.

What the student's code may do with this side's objects is narrow (``HarnessPolicy``):
call them, read their public attributes, iterate, take ``len`` and items. It may not
write to them, reach a name that begins with ``_``, or call a method that touches the
file system; and no object of the kata's own reference, no module, and no object that
neither the reference nor the tests define ever crosses.
"""

from __future__ import annotations

import collections
import inspect
import os
import site
import socket
import subprocess
import sys
import threading
from pathlib import Path

from .. import implementation
from ..katas import KATAS, Kata
from ..trees import Answer, sources
from . import sandbox
from .inside.channel import Channel, Policy, Proxy, attributes, protocols_of, proxy_class

INSIDE = Path(__file__).resolve().parent / "inside"  # all the student process sees of the workbook
REFERENCE = implementation.NAMED["solutions"] / "day5"
MIRRORED = (("model", "Parameter"), ("model", "MiniLanguageModel"))  # the given classes whose objects cross by value
FILE_METHODS = frozenset({"save", "load"})  # the reference's methods that read or write files: never the student's to call
OUTPUT_CHARS = 2000  # of the student process's own output, the end that a failure shows
ITERATORS = tuple(type(iter(empty)) for empty in ([], (), "", b"", {}, set(), range(0), {}.values(), {}.items()))
# started with -S (no site module: its .pth files, an editable install's finder among them, cost a
# start 25 ms), so the packages the given code imports come from the site-packages folders named here
STUDENT = f"import sys; sys.path[:0] = {[str(INSIDE), *site.getsitepackages()]!r}; import student; student.main()"


class HarnessPolicy(Policy):
    """What a student process may do with the harness's objects (see the module's docstring)."""

    def __init__(self, kata: Kata, tests: Path):
        self.kata, self.trusted = kata, (REFERENCE, tests.resolve())

    def export(self, obj) -> str | None:
        if type(obj) in ITERATORS:
            return None
        code = _code_of(obj)
        if code is None or not any(folder in Path(code[0]).resolve().parents for folder in self.trusted):
            return f"{_name(obj)} cannot be passed to the learner's code"
        if REFERENCE in Path(code[0]).resolve().parents and code[1].split(".")[0] in self.kata.names:
            return f"the reference's {code[1]} never reaches the learner's code"
        return None

    def attribute(self, obj, name: str, writing: bool) -> str | None:
        if writing:
            return f"the tests' objects are read-only to the learner's code (setting {name!r})"
        if name.startswith("_") or name in FILE_METHODS:
            return f"{name!r} of the tests' objects is not for the learner's code"
        return None

    def operation(self, op: str) -> str | None:
        return "the tests' objects are read-only to the learner's code" if op == "setitem" else None


def _code_of(obj) -> tuple[str, str] | None:
    """``(file, qualified name)`` of the code that defines ``obj``: its function, generator, or class."""
    if inspect.isfunction(obj):
        return obj.__code__.co_filename, obj.__qualname__
    if inspect.isgenerator(obj):
        return obj.gi_code.co_filename, getattr(obj.gi_code, "co_qualname", obj.gi_code.co_name)
    cls = obj if isinstance(obj, type) else type(obj)
    module = sys.modules.get(cls.__module__)
    file = getattr(module, "__file__", None)
    return (file, cls.__qualname__) if isinstance(file, str) and not inspect.ismodule(obj) else None


def _name(obj) -> str:
    return f"a module ({obj.__name__})" if inspect.ismodule(obj) else f"{type(obj).__name__} {getattr(obj, '__qualname__', '')}".strip()


def reference_modules() -> dict:
    """The reference's modules that hold katas, and the model's, by name (each imported once per process)."""
    return {name: implementation.load("solutions", name) for name in {kata.module for kata in KATAS} | {"model"}}


class Module:
    """The kata's module in the student process: its functions and classes are looked up once, then called directly."""

    def __init__(self, proxy: Proxy):
        self._proxy, self._found = proxy, {}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._found:
            return self._found[name]
        value = getattr(self._proxy, name)
        if isinstance(value, Proxy):  # a function or class: it stays what it is
            self._found[name] = value
        return value

    def __repr__(self) -> str:
        return "<the learner's module, in its student process>"


class StudentProcess:
    """The sandboxed process that runs one kata's learner code; ``hello`` gives its kata module, by proxy."""

    def __init__(self, kata: Kata, answer: Answer, scratch: Path, tests: Path, limits: sandbox.Limits):
        mine, theirs = socket.socketpair()
        env = sandbox.clean_environment(DAY5_LEARNER_FILE=answer.filename)
        hide = [Path(folder) for folder in os.environ.get(sandbox.HIDE, "").split(os.pathsep) if folder]
        self.cpu = sandbox.claim_a_cpu()  # the student process inherits it: see claim_a_cpu
        with theirs:
            self.process = sandbox.start(
                [sys.executable, "-I", "-S", "-c", STUDENT], scratch, limits, env, hide=hide, engine=INSIDE,
                stdin=theirs, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        self.output = collections.deque(maxlen=64)  # the last chunks of what the process printed
        threading.Thread(target=self._drain, daemon=True).start()
        self.channel = Channel(mine, "h", HarnessPolicy(kata, tests))
        self.channel.ended = self.why_ended

    def hello(self, kata: Kata, answer: Answer) -> Proxy:
        """Send the student process its sources; the proxy of its kata's module."""
        reference = reference_modules()
        for module, name in MIRRORED:
            self.channel.mirrored[name] = attributes(getattr(reference[module], name))
        remote: dict[str, dict] = {}
        for other in KATAS:
            if other is not kata:
                remote.setdefault(other.module, {}).update({name: getattr(reference[other.module], name) for name in other.names})
        texts = sources(kata, answer, others=False)
        filenames = {module: f"day5/{module}.py (given code)" for module in texts}
        return Module(proxy_class(protocols_of(print))(self.channel, 0, "hello")(kata.module, texts, filenames, remote, [list(m) for m in MIRRORED]))

    def _drain(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(4096), b""):
            self.output.append(chunk)

    def why_ended(self) -> str:
        """How the process ended, and the end of its output: for the message of a test that lost it."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the process of your code stopped answering"
        text = b"".join(self.output).decode("utf-8", errors="replace")[-OUTPUT_CHARS:].strip()
        how = f"killed by signal {-code} (a limit of time, memory or output?)" if code < 0 else f"exit code {code}"
        return f"the process of your code ended ({how})" + (f"; its last output:\n{text}" if text else "")

    def close(self) -> float:
        """Close the channel, so that the process ends by itself, or kill it; the CPU seconds it took."""
        cpu_seconds = sandbox.cpu_seconds_below(self.process.pid)  # before it ends: bubblewrap's are not counted after
        self.channel.close("the kata's tests are done")
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        sandbox.kill_group(self.process.pid)
        self.process.wait()
        sandbox.release_cpu(self.cpu)
        return cpu_seconds
