"""The learner's loop survives broken code: a hang stops with a message, a file that does not
parse fails only its own kata, the summary shows what was compared, and the table says
what did not run."""

import subprocess
import sys

import pytest

from workbook import stubs
from workbook.implementation import ROOT
from workbook.katas import KATAS

EVERY_NAME = {name for kata in KATAS for name in kata.names}


@pytest.fixture
def solved(tmp_path):
    """``solved(module, old, new)``: a folder with every kata done, and one edit in one module."""

    def make(module: str, old: str, new: str):
        stubs.write(tmp_path, keep=EVERY_NAME, log=lambda _: None)
        path = tmp_path / "day5" / f"{module}.py"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
        return tmp_path

    return make


def run(folder, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", f"--impl={folder}", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    return done.stdout


def table(output: str) -> dict[int, str]:
    """``{kata number: its row}`` of the progress table."""
    rows = output[output.index("Day 5 progress") :].splitlines()
    return {int(row[:2]): row for row in rows if row[:2].strip().isdigit() and row[2] == "."}


def test_a_loop_that_never_advances_stops_at_the_time_limit_with_the_functions_name(solved):
    folder = solved("tokenizers", "            merged.append(ids[i])\n            i += 1", "            merged.append(ids[i])")
    output = run(folder, "tests/day5/test_03_bpe_basics.py", "--timeout=2")
    assert "`merge_pair` did not finish in 2 s: is there a loop that never advances?" in output
    assert "not run: in an earlier test, `merge_pair` did not finish" in output  # one wait per kata, not one per test
    assert output.rindex("not run: in an earlier test") < output.index("Day 5 progress")  # the table ends the run
    assert "<- next" in table(output)[3]


def test_a_file_that_does_not_parse_fails_only_the_kata_it_belongs_to(solved):
    folder = solved("losses", "def clip_grad_norm(params, max_norm: float) -> float:", "def clip_grad_norm(params, max_norm: float) -> float")
    files = [f"tests/day5/{name}" for name in ("test_06_softmax.py", "test_07_cross_entropy.py", "test_08_gradient_clipping.py", "test_11_training_loop.py")]
    output = run(folder, *files)
    rows = table(output)
    assert "done" in rows[6] and "done" in rows[7] and "done" in rows[11]
    assert " 0/10" in rows[8] and "<- next" in rows[8]
    assert "your code for Gradient clipping in" in output and "does not parse: line" in output
    assert "ERROR" not in output


def test_an_indentation_error_in_kata_4_leaves_katas_1_to_3_alone(solved):
    folder = solved("tokenizers", "    def decode_bytes(self, ids: Iterable[int]) -> bytes:\n", "    def decode_bytes(self, ids: Iterable[int]) -> bytes:\n  oops = 1\n")
    output = run(folder, *(f"tests/day5/{kata.test_file}" for kata in KATAS[:4]))
    rows = table(output)
    assert all("done" in rows[n] for n in (1, 2, 3)) and "<- next" in rows[4]
    assert "Next: Byte-level BPE tokenizer" in output


def test_the_summary_shows_the_values_compared_around_the_first_difference(solved):
    folder = solved("data", "yield windows[:, :-1], windows[:, 1:]", "yield windows[:, :-1], windows[:, :-1]")
    output = run(folder, "tests/day5/test_05_data_loader.py")
    summary = output[output.index("Next: DataLoader") :]
    assert "[[5, 8, 2, 9], [4, 7, 1, 3]]" in summary and "[[8, 2, 9, 4], [7, 1, 3, 6]]" in summary


def test_a_numpy_comparison_shows_its_message_and_the_differences(solved):
    folder = solved("losses", "    return exp / exp.sum(axis=axis, keepdims=True)", "    return exp / exp.sum()")
    output = run(folder, "tests/day5/test_06_softmax.py")
    summary = output[output.index("Next: Softmax") :]
    assert "keepdims=True" in summary.splitlines()[1] and "Max absolute difference" in summary
    assert summary.count("\n") < 25


def test_last_failed_and_collect_only_say_what_did_not_run(solved, tmp_path_factory):
    folder = solved("data", "yield windows[:, :-1], windows[:, 1:]", "yield windows[:, :-1], windows[:, :-1]")
    cache = tmp_path_factory.mktemp("cache")
    options = ["-p", "cacheprovider", "-o", f"cache_dir={cache}", "tests/day5/test_05_data_loader.py"]
    run(folder, *options)
    rows = table(run(folder, *options, "--lf"))
    assert "not run" in rows[5] and "<- next" in rows[5] and "not run" in rows[1]
    output = run(folder, "--co", "tests/day5")
    assert all(row.endswith("not run") for row in table(output).values())
    assert "Next:" not in output and "No kata test ran." in output


def test_a_tests_own_diagnosis_replaces_the_katas_first_hint(tmp_path):
    (tmp_path / "test_06_a_private_law.py").write_text(
        'import pytest\n\n\n@pytest.mark.diagnosis("max를 빼기 전에 exp를 계산했나요?")\n'
        "def test_the_first_probability_is_two(day5):\n    assert day5.softmax([0.0])[0] == 2.0\n",
        encoding="utf-8",
    )
    output = run("solutions", str(tmp_path / "test_06_a_private_law.py"))
    assert "Next: Softmax and log-softmax" in output and "Hint: max를 빼기 전에 exp를 계산했나요?" in output
