"""``day5 watch`` re-runs the kata you are on when a file is saved, keeps every kata's progress in its table,
and quits on q."""

import queue
import subprocess
import sys
import threading
import time

import pytest

from workbook.authoring import stubs
from workbook.katas import KATAS
from workbook.learner.watch import CLEAR


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


def screen(output: str) -> str:
    """The last screen the watcher printed (each run clears the screen first)."""
    return output.rsplit(CLEAR, 1)[-1]


def row(screen: str, number: int) -> str:
    """Kata ``number``'s row of the progress table."""
    return next(line for line in screen.splitlines() if line.startswith(f"{number:>2}. "))


@pytest.mark.timeout(900)  # a watcher that misses a save fails the test, never hangs the suite
def test_saving_a_file_reruns_the_kata_keeps_the_progress_and_q_quits(tmp_path):
    stubs.write(tmp_path, log=lambda _: None)  # nothing done: kata 1 is next
    process = subprocess.Popen(
        [sys.executable, "-m", "workbook.cli", "watch", "--impl", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = lines_of(process)
    try:
        first = screen(read_until(output, "Watching"))
        assert "Next: Character tokenizer" in first and "Hint 1/3" in first
        assert "h: next hint, a: every kata on each save, q: quit" in first
        stubs.write(tmp_path, keep=KATAS[0].names, log=lambda _: None)  # kata 1 done and saved: kata 2 is next
        again = screen(read_until(output, "Watching"))
        assert "Next: Word tokenizer" in again
        assert row(again, 1).endswith("done (last full run)") and row(again, 2).endswith("<- next, not started")
        assert "not run" not in again and "10/180" in again  # the progress of every kata, not only kata 2's
        process.stdin.write("h\n")
        process.stdin.flush()
        assert "Hint 2/3" in screen(read_until(output, "Watching"))
        process.stdin.write("a\n")
        process.stdin.flush()
        everything = screen(read_until(output, "Watching"))
        assert row(everything, 1).endswith("done") and "last full run" not in everything
        process.stdin.write("q\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
