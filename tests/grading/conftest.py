"""How long nbgrader took for each submission, printed at the end of the run."""

import pytest

SECONDS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def autograde_seconds(pytestconfig) -> dict:
    """``{student: seconds}``, to fill in; the summary prints it."""
    return pytestconfig.stash.setdefault(SECONDS, {})


def pytest_terminal_summary(terminalreporter, config):
    seconds = config.stash.get(SECONDS, {})
    if seconds:
        terminalreporter.write_sep("-", "nbgrader autograde, seconds per submission")
        terminalreporter.write_line(", ".join(f"{student} {time:.1f}" for student, time in seconds.items()))
