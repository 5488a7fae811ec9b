"""nbformat for the nbgrader course tests, and how long nbgrader took for each submission, printed at the end."""

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


@pytest.fixture(scope="module")
def nbformat():
    """nbformat, once nbgrader is known to be installed; imported here and not at
    collection, which importing nbgrader would slow by seconds."""
    pytest.importorskip("nbgrader")
    return pytest.importorskip("nbformat")
