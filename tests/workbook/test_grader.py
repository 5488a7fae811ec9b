"""The grader's two processes (workbook/grader): a hostile student process reaches nothing trusted.

Each test starts a real student process (in bubblewrap where the machine has it) whose
"learner code" assumes full Python, as code that got past the allow-list would: it
searches for the kata's reference everywhere it can look, lies, garbles the channel,
ends itself or its parent. The harness's side must lose at most that call.
"""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from workbook import trees
from workbook.authoring import stubs
from workbook.grader import sandbox
from workbook.implementation import NAMED, ROOT
from workbook.katas import KATAS, kata_for_slug

pytest.importorskip("msgpack")  # the grading extra
from workbook.grader.inside.channel import ChannelClosed  # noqa: E402
from workbook.grader.harness import FILE_METHODS, REFERENCE, HarnessPolicy, StudentProcess  # noqa: E402

LIMITS = sandbox.Limits(seconds=60, memory=2 << 30)
TESTS = ROOT / "tests" / "day5"
SOFTMAX = kata_for_slug("softmax")


def reference_lines(kata) -> list[str]:
    """Lines of ``kata``'s reference that a learner's code would not have by chance (long, inside its regions)."""
    source = (REFERENCE / f"{kata.module}.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    spans = [(begin, end) for owner, begin, end in stubs.regions(source) if owner in kata.names]
    return [lines[i].strip() for begin, end in spans for i in range(begin, end - 1) if len(lines[i].strip()) >= 30]


def started(kata, code: str, tmp_path: Path):
    process = StudentProcess(kata, trees.Answer(textwrap.dedent(code), "<the notebook's cell test>"), tmp_path, TESTS, LIMITS)
    return process, process.hello(kata, trees.Answer(textwrap.dedent(code), "<the notebook's cell test>"))


SEARCH = r"""
import os, re, stat, sys

COURSE_FILE = re.compile(r"(solutions|exercises|day5|KATA|conftest|test_|gradebook|losses|tokenizers|generation|nbgrader)")

def in_memory(halves):
    # the halves (a, b) found as a + b anywhere in this process's memory (the whole never exists here)
    found = set()
    with open("/proc/self/mem", "rb", buffering=0) as memory:
        for line in open("/proc/self/maps").read().splitlines():
            addresses, permissions = line.split()[:2]
            start, end = (int(x, 16) for x in addresses.split("-"))
            if not permissions.startswith("r") or "[v" in line or end - start > 1 << 30:
                continue
            try:
                memory.seek(start)
                chunk = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            for i, (a, b) in enumerate(halves):
                at = chunk.find(a)
                while at != -1 and i not in found:
                    if chunk[at + len(a) : at + len(a) + len(b)] == b:
                        found.add(i)
                    at = chunk.find(a, at + 1)
    return found

def softmax(reversed_markers):
    # every place where a line of the markers (sent reversed) shows up, as far as full Python can look
    halves = [(r[len(r) // 2 :][::-1].encode(), r[: len(r) // 2][::-1].encode()) for r in reversed_markers]
    found = [f"memory: {i}" for i in in_memory(halves)]  # first, before the markers are ever whole here
    markers = [r[::-1] for r in reversed_markers]
    def note(where, text):
        found.extend(f"{where}: {m[:40]}" for m in markers if m in text)
    for top, folders, files in os.walk("/", followlinks=False):
        folders[:] = [f for f in folders if os.path.join(top, f) not in ("/proc", "/sys", "/dev", "/usr")]
        for name in files:
            path = os.path.join(top, name)
            if COURSE_FILE.search(path) or path.startswith(("/tmp", os.getcwd())):
                try:
                    if os.path.isfile(path) and os.path.getsize(path) < 2_000_000:
                        note(path, open(path, encoding="utf-8", errors="replace").read())
                except OSError:
                    pass
    for pid in os.listdir("/proc"):
        for part in ("environ", "cmdline"):
            try:
                note(f"/proc/{pid}/{part}", open(f"/proc/{pid}/{part}", "rb").read().decode("utf-8", "replace"))
            except OSError:
                pass
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue  # the channel itself
            note(f"fd {fd}", os.pread(fd, 2_000_000, 0).decode("utf-8", "replace"))
        except OSError:
            pass
    note("environment", repr(dict(os.environ)))
    found.extend(f"module {name}" for name in list(sys.modules) if "solution" in name or "tests" in name)
    for name, value in list(globals().items()):  # the other katas' objects: handles into the harness
        if type(value).__name__ in ("Proxy", "Method"):
            for attribute in ("__globals__", "__code__", "__dict__", "__wrapped__", "_order", "save", "load"):
                try:
                    found.append(f"{name}.{attribute}: {getattr(value, attribute)!r:.60}")
                except Exception:
                    pass
    return found

log_softmax = softmax
"""


def test_the_katas_reference_is_nowhere_its_student_process_can_look(tmp_path):
    given = "".join(trees.sources(SOFTMAX, trees.Answer("", "<none>"), others=False).values())
    markers = [line for line in reference_lines(SOFTMAX) if line not in given]
    controls = [line.strip() for line in (REFERENCE / "model.py").read_text().splitlines() if len(line.strip()) > 40][:2]
    assert markers and controls
    process, module = started(SOFTMAX, SEARCH, tmp_path)
    try:
        found = module.softmax([line[::-1] for line in markers + controls])
    finally:
        process.close()
    control = {f"memory: {len(markers) + i}" for i in range(len(controls))}
    assert control <= set(found), f"the search finds the given code that the process holds: {found}"
    leaks = [item for item in found if item not in control and not any(c[:40] in item for c in controls)]
    if sandbox.bubblewrap():
        assert leaks == []
    else:  # the fallback says loudly that it cannot hide the file system; memory, environment and handles still hold
        assert [item for item in leaks if not item.startswith("/")] == []


def test_the_harness_objects_are_read_only_and_never_a_door_to_files(tmp_path):
    code = """
    def softmax(loader):
        tries = {}
        for name, attempt in {
            "set": lambda: setattr(loader, "batch_size", 1),
            "private": lambda: loader._order,
            "dunder": lambda: loader.__dict__,
            "item": lambda: loader.__setitem__(0, 1),
            "class save": lambda: CrossEntropyLoss.load,
            "module": lambda: cross_entropy.__globals__,
        }.items():
            try:
                attempt()
                tries[name] = "done"
            except Exception as error:
                tries[name] = type(error).__name__
        return tries, len(loader), [inputs.shape for inputs, _ in loader]

    log_softmax = softmax
    """
    process, module = started(SOFTMAX, code, tmp_path)
    loader = NAMED_REFERENCE("data").DataLoader(list(range(40)), 2, 4)
    try:
        tries, length, shapes = module.softmax(loader)
    finally:
        process.close()
    assert set(tries.values()) <= {"AttributeError", "TypeError"}, tries
    assert length == len(loader) and shapes == [(2, 4)] * 4 + [(1, 4)]
    assert loader.batch_size == 2


def NAMED_REFERENCE(module):
    from workbook import implementation

    return implementation.load("solutions", module)


def test_the_policy_hands_out_the_tests_and_other_katas_objects_only():
    policy = HarnessPolicy(SOFTMAX, TESTS)
    losses, data = NAMED_REFERENCE("losses"), NAMED_REFERENCE("data")
    refused = [os, os.system, np.save, open, losses.softmax, losses.log_softmax, losses, type, print, (x for x in [1])]
    allowed = [losses.cross_entropy, losses.CrossEntropyLoss(), data.DataLoader, iter([1]), iter(data.DataLoader([1, 2, 3], 1, 1))]
    assert all(policy.export(obj) for obj in refused) and not any(policy.export(obj) for obj in allowed)
    assert all(policy.attribute(data, name, False) for name in ("_order", "__dict__", *FILE_METHODS))
    assert policy.attribute(data, "batch_size", True) and policy.attribute(data, "batch_size", False) is None


def test_every_method_of_the_reference_that_touches_files_is_one_the_student_may_not_call():
    """A reference object handed to the learner's code (a tokenizer, say) must not write where the grader can."""
    io = {"open", "atomic_file", "save_json", "load_json", "loaded", "write_text", "read_text", "unlink", "replace"}
    touching = set()
    for path in sorted(NAMED["solutions"].glob("day5/*.py")):
        for cls in (n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)):
            if any(cls.name in kata.names for kata in KATAS):
                for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                    calls = {getattr(c.func, "attr", getattr(c.func, "id", None)) for c in ast.walk(method) if isinstance(c, ast.Call)}
                    if calls & io:
                        touching.add(method.name)
    assert touching and touching <= FILE_METHODS, touching - FILE_METHODS


ENDINGS = {
    "exits": "import os\n    os._exit(0)",
    "kills its parent": "import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)",
    "garbles the channel": (
        "import os, stat\n    for fd in range(3, 64):\n        try:\n            if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
        "                os.write(fd, b'\\x7f\\xff\\xff\\xff' + b'x' * 1000)\n        except OSError:\n            pass\n    import time; time.sleep(5)"
    ),
    "sends a forged answer": (
        "import os, stat, struct, msgpack\n    body = msgpack.packb([msgpack.packb([]), [[], []], msgpack.packb(['r', 'all passed'])])\n"
        "    for fd in range(3, 64):\n        try:\n            if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
        "                os.write(fd, struct.pack('>I', len(body)) + body)\n        except OSError:\n            pass\n    os._exit(0)"
    ),
    "floods its output": "import sys\n    for _ in range(1000):\n        sys.stdout.write('spam ' * 10000)\n    return 1.0",
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_student_process_that_ends_or_garbles_costs_its_call_and_says_so(ending, tmp_path):
    if ending == "kills its parent" and not sandbox.bubblewrap():
        pytest.skip("without bubblewrap its parent is this process: the runner's rerun of a lost kata covers it")
    code = f"def softmax(logits, axis=-1):\n    {ENDINGS[ending]}\n\nlog_softmax = softmax\n"
    process, module = started(SOFTMAX, code, tmp_path)
    try:
        if ending == "sends a forged answer":
            answer = module.softmax([1.0])  # what it sent is the answer to this call, and nothing more
            assert answer == "all passed"
            with pytest.raises(ChannelClosed, match="the process of your code ended"):
                module.log_softmax([1.0])
        elif ending == "floods its output":  # 50 MB of it: the harness keeps the end
            assert module.softmax([1.0]) == 1.0 and sum(map(len, process.output)) <= 64 * 4096
        elif ending == "kills its parent":  # the init of its own PID namespace, which ignores it
            assert module.softmax([1.0]) is None and module.softmax([1.0]) is None
        else:
            with pytest.raises(ChannelClosed):
                module.softmax([1.0])
    finally:
        process.close()


@pytest.mark.skipif(not sandbox.bubblewrap(), reason="needs bubblewrap")
def test_the_student_process_is_nobody_without_capabilities_network_or_the_harness(tmp_path):
    code = """
    import os, socket
    def softmax():
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
        try:
            socket.create_connection(("1.1.1.1", 80), timeout=2)
            network = "reached"
        except OSError:
            network = "unreachable"
        return os.getuid(), status["CapEff"].strip(), network, sorted(os.listdir("/proc"))[:0], len([p for p in os.listdir("/proc") if p.isdigit()])

    log_softmax = softmax
    """
    process, module = started(SOFTMAX, code, tmp_path)
    try:
        uid, capabilities, network, _, processes = module.softmax()
    finally:
        process.close()
    assert uid == 65534 and int(capabilities, 16) == 0 and network == "unreachable" and processes <= 3
