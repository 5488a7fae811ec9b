"""The learner's loop survives broken code: a hang stops with a message, a file that does not
parse fails only its own kata, the summary shows what was compared, and the table says
what did not run and what was not started."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from workbook.authoring import stubs
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


def test_untouched_stubs_fail_in_one_line_each_and_only_the_table_lists_them(tmp_path):
    stubs.write(tmp_path, log=lambda _: None)
    report = tmp_path / "report.json"
    files = ("test_01_character_tokenizer.py", "test_02_word_tokenizer.py", "test_07_cross_entropy.py")  # 7: pytest.raises(RuntimeError)
    output = run(tmp_path, *(f"tests/day5/{name}" for name in files), f"--workbook-report={report}")
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    assert tests and all(test["outcome"] == "failed" for test in tests.values())
    assert all(test["message"].startswith("not started yet: implement `") and "\n" not in test["message"] for test in tests.values())
    before_the_table = output[: output.index("Day 5 progress")]
    assert "FAILURES" not in before_the_table and "not started yet" not in before_the_table
    rows = table(output)
    assert rows[1].endswith("<- next, not started") and rows[2].endswith(" not started") and rows[7].endswith(" not started")
    assert "not started yet: implement `CharacterTokenizer." in output[output.index("Next: Character tokenizer") :]
    assert output.rstrip().splitlines()[-1].startswith(f"{len(tests)} failed")  # pytest still counts every failure


def test_the_summary_says_got_and_expected_and_keeps_what_each_heading_holds(tmp_path):
    laws = tmp_path / "test_03_private_laws.py"
    laws.write_text(textwrap.dedent("""\
        import numpy as np
        import pytest

        def test_pair_counts():
            assert {(1, 2): 2, (2, 3): 1, (3, 1): 1} == {(1, 2): 3, (2, 3): 1, (3, 4): 1}, "get_pair_counts"

        def test_a_matrix():
            np.testing.assert_array_equal(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]]))

        def test_ids():
            assert {1, 2, 3} == {1, 2, 4}

        def test_losses():
            assert [1.0, 2.0, 3.0] == pytest.approx([1.0, 2.5, 3.0])
        """), encoding="utf-8")
    report = tmp_path / "report.json"
    output = run("solutions", str(laws), f"--workbook-report={report}", "-c", str(ROOT / "pyproject.toml"))  # its ini
    messages = {nodeid.split("::")[1]: test["message"] for nodeid, test in json.loads(report.read_text(encoding="utf-8"))["tests"].items()}
    assert messages == {
        "test_pair_counts": "get_pair_counts\n"
        "got:      {(1, 2): 2, (2, 3): 1, (3, 1): 1}\n"
        "expected: {(1, 2): 3, (2, 3): 1, (3, 4): 1}\n"
        "Differing items: {(1, 2): 2} != {(1, 2): 3}\n"
        "got contains 1 more item: {(3, 1): 1}\n"
        "expected contains 1 more item: {(3, 4): 1}",
        "test_a_matrix": "Arrays are not equal\n"
        "got:      array([[1, 2], [3, 4]])\n"
        "expected: array([[1, 2], [3, 5]])\n"
        "Mismatched elements: 1 / 4 (25%)\n"
        "Mismatch at index: [1, 1]: 4 (got), 5 (expected)\n"
        "Max absolute difference among violations: 1\n"
        "Max relative difference among violations: 0.2",
        "test_ids": "got:      {1, 2, 3}\nexpected: {1, 2, 4}\nExtra items in got: 3\nExtra items in expected: 4",
        "test_losses": "got:      [1.0, 2.0, 3.0]\n"
        "expected: approx([1.0 ± 1.0e-06, 2.5 ± 2.5e-06, 3.0 ± 3.0e-06])\n"
        "Max absolute difference: 0.5\n"
        "Max relative difference: 0.25\n"
        "Index | Obtained | Expected\n"
        "1     | 2.0      | 2.5 ± 2.5e-06",
    }
    block = output[output.index("Next: BPE") : output.index("  Hint")]
    assert "got:      {(1, 2): 2" in block and "left:" not in block and "right:" not in block
    assert not any(line.endswith(":") for line in block.splitlines())  # no heading without what is under it


def test_the_readmes_sample_is_what_pytest_prints_once_kata_1_is_done(tmp_path):
    """The README's "Your turn" shows the end of ``pytest -k day5`` with kata 1 done and every other stub untouched."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    turn = readme[readme.index("## Your turn") :]
    sample = turn[turn.index("```text\n") + 8 : turn.index("\n```", turn.index("```text"))].splitlines()
    folder = tmp_path / "exercises"  # so the Next block names exercises/day5/..., as on a learner's machine
    stubs.write(folder, keep=KATAS[0].names, log=lambda _: None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-k", "day5", f"--impl={folder}", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**{key: value for key, value in os.environ.items() if key != "CI"}, "COLUMNS": "80"},  # as a learner runs it
    )
    lines = done.stdout.rstrip().splitlines()
    start = next(i for i, line in enumerate(lines) if "Day 5 progress" in line)
    fresh = ["=" * 26 + " Day 5 progress (exercises) " + "=" * 26, *lines[start + 1 :]]  # as pytest centres it in 80 columns

    def steady(lines):  # of the last line, the failures: its time, and what passes or skips beside tests/day5, vary
        return [*lines[:-1], re.findall(r"\d+ failed", lines[-1])]

    assert steady(sample) == steady(fresh), (
        "the README's sample is stale; a run gives:\n" + "\n".join(fresh)
    )
