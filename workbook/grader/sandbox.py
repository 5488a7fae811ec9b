"""Run untrusted code in a process of its own, with limits, and behind bubblewrap where the machine has it.

With bubblewrap (Debian's ``bubblewrap``; ``bwrap`` on PATH) the process runs in a
file system of its own that shows only what grading needs, read-only: the system's
``/usr``, this Python and its packages, the engine (``workbook/``) and the folders in
``expose``; its working folder is the one writable place, and ``/tmp`` is empty and
private. The course folder, the gradebook, ``/home`` and the rest of the machine are
not there at all, so there is nothing to unmount and look under. It runs as ``nobody``
in a user namespace of its own with every capability dropped (whoever starts it, root
included), no network, its own PID namespace (nothing it starts outlives it, and it
cannot signal the grader) and a clean environment. Without bubblewrap it still runs in
its own session with a clean environment and the same resource limits, and its
process group is killed when it ends; ``isolation()`` says which of the two is in
force, and what the fallback does not guarantee.
"""

from __future__ import annotations

import collections
import ctypes
import functools
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..implementation import ROOT
from ..learner.limits import lower_limit

try:
    import resource
except ImportError:  # not on Windows: only the time limit then
    resource = None


# nobody, in a user namespace of its own that it cannot nest, with no capability even when root starts it
PRIVILEGES = (
    "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns", "--cap-drop", "ALL",
)


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
        [binary, *_root([]), *PRIVILEGES, "--die-with-parent", "--", sys.executable, "-c", "pass"],
        capture_output=True, timeout=30,
    )
    return binary if probe.returncode == 0 else None


def isolation() -> str:
    """One line: which isolation grading runs under on this machine."""
    if bubblewrap():
        return "bubblewrap: own read-only file system, private folder, nobody without capabilities, no network, own PID namespace, limits"
    return (
        "process limits only (no working bubblewrap: install Debian's bubblewrap): own session, clean environment, limits;"
        " NOT guaranteed: the code runs as this user and can read and write what this user can (the course folder,"
        " the gradebook), signal this user's processes and reach the network"
    )


def clean_environment(**extra: str) -> dict[str, str]:
    """An environment with nothing of the caller's: no PYTHONPATH, PYTEST_ADDOPTS, DAY5_*, ..."""
    return {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **extra,
    }


ENGINE = ROOT / "workbook"
HIDE = "DAY5_HIDE"  # folders (os.pathsep-separated) a sandbox must not show, where they lie inside one it shows


def start(
    argv: Sequence[str], workdir: Path, limits: Limits, env: dict[str, str], hide: Sequence[Path] = (),
    expose: Sequence[Path] = (), engine: Path = ENGINE, confine: bool = True, **popen,
) -> subprocess.Popen:
    """Start ``argv`` in ``workdir`` (its only writable folder under bubblewrap), in a session of its own.

    ``engine`` is the part of the workbook it sees, ``expose`` are more folders to show
    read-only, ``hide`` are folders inside the shown ones to show empty; ``popen`` are
    ``subprocess.Popen``'s own options (its standard streams). ``confine=False`` starts
    trusted code (the grader's harness): the limits and a clean environment, no bubblewrap.
    """
    command = list(argv)
    if confine and (binary := bubblewrap()):
        command = [
            binary, *_root([engine, *expose]),
            *(arg for folder in hide if Path(folder).is_dir() for arg in ("--tmpfs", str(Path(folder).resolve()))),
            "--bind", str(workdir), str(workdir), "--chdir", str(workdir),
            *PRIVILEGES, "--die-with-parent", "--new-session", "--clearenv",
            *(arg for key, value in env.items() for arg in ("--setenv", key, value)),
            "--", *command,
        ]
    processes = _processes_of_this_user() + limits.processes
    return subprocess.Popen(
        command, cwd=workdir, env=env, start_new_session=True, preexec_fn=functools.partial(_set_limits, limits, processes), **popen
    )


def run(
    argv: Sequence[str], workdir: Path, limits: Limits, env: dict[str, str], hide: Sequence[Path] = (),
    expose: Sequence[Path] = (), confine: bool = True,
) -> Outcome:
    """Run ``argv`` as ``start`` does, and wait, at most ``limits.seconds``."""
    with tempfile.TemporaryFile() as output:
        process = start(
            argv, workdir, limits, env, hide, expose, confine=confine, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
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


def _root(expose: Sequence[Path]) -> list[str]:
    """bubblewrap's arguments for a file system of only ``/usr``, this Python and ``expose``, read-only.

    ``hide`` folders inside these are covered by ``run``; everything else of the machine is absent.
    """
    args = ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):  # merged /usr: links; otherwise the folders themselves
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    shown = ["/usr", "/etc/ld.so.cache", sys.base_prefix, sys.prefix, *site.getsitepackages(), *expose]
    for folder in dict.fromkeys(str(Path(path).resolve()) for path in shown):
        args += ["--ro-bind-try", folder, folder]
    return args


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
    """In the child, before it runs the command: its limits, and death with the thread that started it."""
    try:  # Linux's PR_SET_PDEATHSIG: a grader killed halfway leaves no harness or student process behind
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if resource is None:
        return
    for kind, value in (
        (resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NPROC, processes), (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, int(limits.seconds) + 5),
    ):
        lower_limit(kind, value)


def cpu_seconds_below(pid: int) -> float:
    """The CPU time of every process below ``pid`` so far, and of those they waited for, read from /proc.

    A process in a PID namespace of its own (bubblewrap's) is not counted in its starter's
    ``RUSAGE_CHILDREN`` when it ends; this counts it while it runs. 0 where /proc is missing.
    """
    children, ticks = collections.defaultdict(list), {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command's name, which may hold anything
        except (OSError, IndexError):
            continue
        process = int(stat.parent.name)
        children[int(fields[1])].append(process)
        ticks[process] = sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    total, pending = 0, list(children[pid])
    while pending:
        process = pending.pop()
        total += ticks[process]
        pending += children[process]
    return total / os.sysconf("SC_CLK_TCK")


def claim_a_cpu() -> tuple[set[int], int] | None:
    """Pin this thread, and what it starts from now on, to a CPU that no other claim of this user holds (a
    lock file per CPU); what ``release_cpu`` needs, or None where each CPU is claimed, there is only one, or
    the system has no CPU affinity (then the scheduler places it, as before).

    A harness and its student process take turns and never run at once: on one CPU each
    turn is a switch to the other process, not a wake-up of an idle CPU, which costs a
    round trip of the channel about four times the time and twice the CPU. Claims keep
    the harnesses that run at once (the katas of a submission, the submissions of a
    class) on CPUs of their own.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    import fcntl  # POSIX; here, on Linux

    cpus = os.sched_getaffinity(0)
    for cpu in sorted(cpus) if len(cpus) > 1 else ():
        lock = os.open(Path(tempfile.gettempdir()) / f"day5-cpu{cpu}-{os.getuid()}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # let go when closed, or when this process ends
        except OSError:
            os.close(lock)
            continue
        os.sched_setaffinity(0, {cpu})
        return cpus, lock
    return None


def release_cpu(claim: tuple[set[int], int] | None) -> None:
    """Undo ``claim_a_cpu``."""
    if claim:
        cpus, lock = claim
        os.sched_setaffinity(0, cpus)
        os.close(lock)


def kill_group(pid: int) -> None:
    """Kill the process group that ``pid`` leads (a session of its own), if it is still there."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
