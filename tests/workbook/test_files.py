"""``workbook.files.write_atomic``: a file is written whole or not at all, and keeps its mode."""

import os
import stat

import pytest

from workbook.files import write_atomic


@pytest.fixture
def umask():
    """``umask(mask)``: this process's umask for the test, restored after it."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_usual_mode(tmp_path, umask, mask, expected):
    umask(mask)
    write_atomic(tmp_path / "new" / "file.txt", "text")  # its folder is made too
    assert (tmp_path / "new" / "file.txt").read_text(encoding="utf-8") == "text"
    assert mode(tmp_path / "new" / "file.txt") == expected


def test_a_file_keeps_its_mode_whatever_the_umask(tmp_path, umask):
    path = tmp_path / "script.sh"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o750)
    umask(0o077)
    write_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == "new" and mode(path) == 0o750


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "a lone surrogate \ud800 cannot be UTF-8")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
