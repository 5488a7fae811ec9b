"""Run untrusted code in a process of its own, with limits, and behind bubblewrap where the machine has it.

With bubblewrap (Debian's ``bubblewrap``; ``bwrap`` on PATH) the process sees the whole
file system read-only, except a private working folder; ``/tmp``, ``/home`` and the
folders named in ``hide`` are empty (unless they hold the project or its Python); it
has no network, its own PID namespace (nothing it starts outlives it) and a clean
environment. Without bubblewrap it still runs in its own session with a clean
environment and the same resource limits, and its process group is killed when it
ends. ``isolation()`` says which of the two is in force.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .implementation import ROOT
from .limits import lower_limit

try:
    import resource
except ImportError:  # not on Windows: only the time limit then
    resource = None


@dataclass(frozen=True)
class Limits:
    seconds: float = 60  # wall clock
    memory: int = 2 << 30  # bytes of address space
    file_size: int = 64 << 20  # bytes any one file (stdout included) may reach
    processes: int = 64  # more than the user runs already (root is not limited)
    output: int = 20_000  # characters of output kept (the end)


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: stopped at the time limit
    output: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


@functools.cache
def bubblewrap() -> str | None:
    """The ``bwrap`` binary, if it is installed and works here (it needs user or mount namespaces)."""
    binary = shutil.which("bwrap")
    if binary is None:
        return None
    probe = subprocess.run(
        [binary, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"], capture_output=True, timeout=30
    )
    return binary if probe.returncode == 0 else None


def isolation() -> str:
    """One line: which isolation grading runs under on this machine."""
    if bubblewrap():
        return "bubblewrap: read-only file system, private folder, no network, own PID namespace, limits"
    return "process limits only (no working bubblewrap: install Debian's bubblewrap): own session, clean environment, limits"


def clean_environment(**extra: str) -> dict[str, str]:
    """An environment with nothing of the caller's: no PYTHONPATH, PYTEST_ADDOPTS, DAY5_*, ..."""
    return {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **extra,
    }


def run(
    argv: Sequence[str], workdir: Path, limits: Limits, env: dict[str, str], hide: Sequence[Path] = (),
    expose: Sequence[Path] = (),
) -> Outcome:
    """Run ``argv`` in ``workdir`` (its only writable folder under bubblewrap) and wait, at most ``limits.seconds``.

    ``expose`` are folders to show read-only even where a hidden folder holds them.
    """
    command = list(argv)
    if binary := bubblewrap():
        command = [
            binary, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            *(arg for folder in _hideable(["/tmp", "/home", *hide]) for arg in ("--tmpfs", str(folder))),
            *(arg for folder in expose for arg in ("--ro-bind", str(folder), str(folder))),
            "--bind", str(workdir), str(workdir), "--chdir", str(workdir),
            "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            *(arg for key, value in env.items() for arg in ("--setenv", key, value)),
            "--", *command,
        ]
    processes = _processes_of_this_user() + limits.processes
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=functools.partial(_set_limits, limits, processes),
        )
        try:
            returncode = process.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            kill_group(process.pid)
            process.wait()
        output.seek(max(0, output.seek(0, os.SEEK_END) - 4 * limits.output))
        text = output.read().decode("utf-8", errors="replace")[-limits.output :]
    return Outcome(returncode, text)


def _hideable(folders) -> list[Path]:
    """The ``folders`` that hold neither this Python nor the project: hiding those would hide the grader."""
    needed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, ROOT)]
    folders = [Path(folder).resolve() for folder in folders]
    return [f for f in folders if f.is_dir() and not any(n == f or f in n.parents for n in needed)]


def _processes_of_this_user() -> int:
    """How many processes this user runs now (RLIMIT_NPROC counts them all); 0 where /proc is missing."""
    uid, count = os.getuid(), 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            count += entry.stat().st_uid == uid
        except OSError:
            pass
    return count


def _set_limits(limits: Limits, processes: int) -> None:
    """In the child, before it runs the command."""
    if resource is None:
        return
    for kind, value in (
        (resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NPROC, processes), (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, int(limits.seconds) + 5),
    ):
        lower_limit(kind, value)


def kill_group(pid: int) -> None:
    """Kill the process group that ``pid`` leads (a session of its own), if it is still there."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
