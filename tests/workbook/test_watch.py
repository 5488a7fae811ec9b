"""``day5 watch`` re-runs the kata you are on when a file is saved, and quits on q."""

import subprocess
import sys
import time

from workbook import stubs
from workbook.katas import KATAS


def read_until(process, text: str, seconds: float = 180) -> str:
    seen, end = "", time.monotonic() + seconds
    while text not in seen and time.monotonic() < end:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
    return seen


def test_saving_a_file_reruns_the_kata_and_q_quits(tmp_path):
    stubs.write(tmp_path, keep=KATAS[0].names, log=lambda _: None)  # kata 1 done: kata 2 is next
    process = subprocess.Popen(
        [sys.executable, "-m", "workbook.cli", "watch", "--impl", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        first = read_until(process, "Watching")
        assert "Next: Word tokenizer" in first and "Hint 1/3" in first
        path = tmp_path / "day5" / "tokenizers.py"
        path.write_text(path.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
        again = read_until(process, "Watching")
        assert "\033[2J" in again and "Next: Word tokenizer" in again
        process.stdin.write("h\n")
        process.stdin.flush()
        assert "Hint 2/3" in read_until(process, "Watching")
        process.stdin.write("q\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
