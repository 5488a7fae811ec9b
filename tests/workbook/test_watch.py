"""``day5 watch`` re-runs the kata you are on when a file is saved, and quits on q."""

import queue
import subprocess
import sys
import threading
import time

import pytest

from workbook import stubs
from workbook.katas import KATAS


def read_until(lines: queue.Queue, text: str, seconds: float = 180) -> str:
    """What the watcher printed until ``text`` (or the time is up, or it ended)."""
    seen, end = "", time.monotonic() + seconds
    while text not in seen:
        try:
            line = lines.get(timeout=max(end - time.monotonic(), 0))
        except queue.Empty:
            break
        if line is None:
            break
        seen += line
    return seen


def lines_of(process) -> queue.Queue:
    """The process's output, line by line, read by a thread (None at the end), so no read blocks the test."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


@pytest.mark.timeout(900)  # a watcher that misses a save fails the test, never hangs the suite
def test_saving_a_file_reruns_the_kata_and_q_quits(tmp_path):
    stubs.write(tmp_path, keep=KATAS[0].names, log=lambda _: None)  # kata 1 done: kata 2 is next
    process = subprocess.Popen(
        [sys.executable, "-m", "workbook.cli", "watch", "--impl", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = lines_of(process)
    try:
        first = read_until(output, "Watching")
        assert "Next: Word tokenizer" in first and "Hint 1/3" in first
        path = tmp_path / "day5" / "tokenizers.py"
        path.write_text(path.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
        again = read_until(output, "Watching")
        assert "\033[2J" in again and "Next: Word tokenizer" in again
        process.stdin.write("h\n")
        process.stdin.flush()
        assert "Hint 2/3" in read_until(output, "Watching")
        process.stdin.write("q\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
