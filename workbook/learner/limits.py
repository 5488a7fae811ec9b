"""What stops a learner's code that never returns, and how that reads.

pytest-timeout stops a graded test that runs too long; ``memory`` caps what a test
may add to the process's address space, so a loop that grows a list fails with a
``MemoryError`` instead of taking the machine (``cap_address_space`` and ``cap_cpu``
do the same for good, for the grader's per-kata processes). ``describe`` turns either, and a
recursion that never ends, into one line naming the learner's function.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from .. import implementation

try:
    import resource
except ImportError:  # Windows: no address-space limit
    resource = None

TIMEOUT_PREFIX = "Timeout"  # how pytest-timeout's failure message begins


def _address_space() -> int | None:
    """Bytes of virtual memory this process has now (Linux), or None."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize()


def lower_limit(kind: int, value: int) -> None:
    """Set resource limit ``kind`` to ``value`` for good (soft and hard), never above the hard limit it had."""
    _, hard = resource.getrlimit(kind)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, value))


def cap_address_space(extra: int) -> None:
    """Let this process grow by at most ``extra`` bytes of address space, for good."""
    used = _address_space() if resource else None
    if used is not None:
        lower_limit(resource.RLIMIT_AS, used + extra)


def cap_cpu(seconds: float) -> None:
    """Stop this process after ``seconds`` of CPU time (and a little more), for good."""
    if resource is not None:
        lower_limit(resource.RLIMIT_CPU, int(seconds) + 5)


@contextlib.contextmanager
def memory(extra: int):
    """Let the process grow by at most ``extra`` bytes of address space while inside."""
    used = _address_space() if resource else None
    if used is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def describe(excinfo, item) -> str | None:
    """One line for a test stopped by a limit, naming the learner's function; None for any other failure."""
    error = excinfo.value
    if str(error).startswith(TIMEOUT_PREFIX) and type(error).__name__ == "Failed":
        marker = item.get_closest_marker("timeout")
        seconds = marker.args[0] if marker else item.config.getoption("timeout")
        what = f"did not finish in {seconds:g} s: is there a loop that never advances?"
    elif isinstance(error, MemoryError):
        what = "used too much memory: does a loop keep adding to a list?"
    elif isinstance(error, RecursionError):
        what = "recursed without end: does the recursion reach its base case?"
    else:
        return None
    impl = item.config.getoption("impl")
    frame = implementation.learner_frame(error, impl)
    return f"`{frame.name}` {what}" if frame else f"the test {what}"
