"""The benchmark harness measures what it says: same work on both sides, honest ratios."""

from __future__ import annotations

import json

import pytest

from benchmarks import __main__ as cli
from benchmarks import bpe, corpora, isolation, timing
from workbook import implementation


@pytest.fixture(scope="module")
def tok():
    return implementation.load("solutions", "tokenizers")


@pytest.fixture(scope="module")
def fast():
    return implementation.load("solutions", "fast_bpe")


def test_corpus_b_is_cut_at_exactly_the_asked_length_and_grows_by_extension():
    short, longer = corpora.corpus_b(5_000), corpora.corpus_b(50_000)
    assert len(short) == 5_000 and len(longer) == 50_000
    assert longer.startswith(short)
    assert corpora.corpus_b(5_000) == short  # the same text every time


def test_gpt2_byte_alphabet_gives_every_byte_its_own_printable_character():
    table = bpe.byte_to_unicode()
    assert sorted(table) == list(range(256))
    assert len(set(table.values())) == 256
    assert all(char.isprintable() and not char.isspace() for char in table.values())
    assert table[ord("A")] == "A" and table[ord(" ")] == "Ġ"  # GPT-2's marker for a space


def test_gpt2_byte_alphabet_is_the_one_hf_uses():
    hf = pytest.importorskip("tokenizers")
    assert set(bpe.byte_to_unicode().values()) == set(hf.pre_tokenizers.ByteLevel.alphabet())


def test_first_difference():
    assert bpe.first_difference([1, 2, 3], [1, 2, 3]) is None
    assert bpe.first_difference([1, 2, 3], [1, 5, 3]) == 1
    assert bpe.first_difference([1, 2], [1, 2, 3]) == 2


def test_the_training_comparison_times_the_kata_trainer_and_checks_it_learns_our_merges(tok, fast):
    result = bpe.training(tok, fast, None, "A", corpora.corpus_a()[:4_000], 300, repeat=1, simple=True)
    assert list(result.baselines) == ["kata trainer"] and len(result.ours) == 1
    assert result.checks["same_merges_as_kata"] is True
    assert result.targets["kata trainer"] is bpe.SIMPLE_TARGET


def test_rounds_alternate_which_side_runs_first():
    calls = []
    runs = {name: (lambda name=name: calls.append(name) or 1.0) for name in ("ours", "theirs")}
    samples = timing.interleave(runs, repeat=3)
    assert calls == ["ours", "theirs", "theirs", "ours", "ours", "theirs"]
    assert samples == {"ours": [1.0] * 3, "theirs": [1.0] * 3}


def test_a_speedup_is_the_median_of_the_per_round_ratios():
    result = timing.Comparison("work", ours=[1.0, 2.0, 4.0], baselines={"lib": [3.0, 2.0, 40.0]},
                               targets={"lib": timing.Target(">=", 2.0, ">= 2x")})
    entry = result.to_json()["baselines"]["lib"]
    assert entry["speedup_samples"] == [3.0, 1.0, 10.0]
    assert entry["speedup"] == 3.0 and entry["met"] is True
    assert entry["median_s"] == 3.0  # the baseline's own median, reported beside it


def test_a_budget_is_missed_when_its_run_failed_whatever_the_score():
    target = timing.Target("<=", 10.0, "<= 10 s")
    assert timing.Budget("tests", "1 s", "", 1.0, "1 s", target).met() is True
    assert timing.Budget("tests", "1 s", "", 1.0, "1 s", target, ok=False).met() is False
    assert timing.Budget("tests", "11 s", "", 11.0, "11 s", target).met() is False


def test_quick_run_prints_the_table_and_writes_the_results_file(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert cli.main(["--quick", "--only", "sampling", "--only", "bpe-memory", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "top-p sampling (100 tokens)" in printed and "bpe-memory B/300" in printed
    rows = [line for line in printed.splitlines() if line.startswith(("top-p", "bpe-memory"))]
    assert len(rows) == 2 and all(row.endswith(" -") for row in rows)  # tiny sizes are not held to the targets
    results = json.loads(out.read_text())
    assert results["mode"] == "quick" and results["repeat"] == 1
    assert [m["name"] for m in results["measurements"]] == ["bpe-memory B/300", "top-p sampling (100 tokens)"]
    assert set(results["corpora"]) == {"A", "B"}
    assert [path.name for path in tmp_path.iterdir()] == ["results.json"]  # no temporary file left behind


def test_a_bad_count_of_rounds_is_refused(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--repeat", "0"])
    assert "must be a positive integer, got 0" in capsys.readouterr().err


def test_the_isolation_benchmark_measures_both_legs_of_a_kata_and_sums_them(capsys):
    """Kata 14's generator calls back into the tests' model and katas 12-13 per token: isolated, that is
    thousands of round trips, ten times the CPU of the same tests in one process (a cheap kata's two
    legs differ by less than the noise of subtracting the collect-only run)."""
    rows = isolation.measure(["text_generator"], profile="learner")
    row = rows["text_generator"]
    assert row["isolated"] > row["one_process"] + 0.5
    assert rows["submission"]["isolated"] == row["isolated"]
    assert "a whole submission" in capsys.readouterr().out
