"""Writing a file so that nothing is lost: whole or not at all, with the mode it had."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path``, then rename it over ``path``: never half a file.

    ``path`` keeps its mode; a new file gets the usual one (0666 less the umask, which the
    kernel applies as it creates the file). Two writers never share a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        if mode is not None:
            os.chmod(temporary, mode)  # by path: os.fchmod is missing on Windows before Python 3.13
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
