"""The two 50_eval scripts and their checkpoints: every argument checked before any work."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from workbook.implementation import load

tk, model_module = load("solutions", "tokenizers"), load("solutions", "model")


def exits_naming(capsys, main, argv, named):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert named in capsys.readouterr().err


@pytest.mark.parametrize("argv, named", [
    (["--tokenizer", "word", "--vocab-size", "1"], "--vocab-size"),
    (["--tokenizer", "bpe", "--vocab-size", "100"], "--vocab-size"),
    (["--seed", "-1"], "--seed"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--clip", "-1"], "--clip"),
    (["--val-fraction", "1"], "--val-fraction"),
    (["--steps", "0"], "--steps"),
])
def test_train_rejects_a_bad_flag_before_any_work(scripts, capsys, tmp_path, argv, named):
    exits_naming(capsys, scripts["train_mini_lm"].main, ["--impl", "solutions", "--out", str(tmp_path / "x.npz"), *argv], named)


def test_train_rejects_an_output_directory_or_an_unusable_path(scripts, capsys, tmp_path):
    exits_naming(capsys, scripts["train_mini_lm"].main, ["--impl", "solutions", "--out", str(tmp_path)], "--out")
    (tmp_path / "file").write_text("")
    exits_naming(capsys, scripts["train_mini_lm"].main, ["--impl", "solutions", "--out", str(tmp_path / "file" / "x.npz")], "--out")


@pytest.mark.parametrize("content, named", [(b"\xff\xfe text", "latin.txt"), (b"  \n", "latin.txt")])
def test_train_rejects_a_corpus_it_cannot_read(scripts, capsys, tmp_path, content, named):
    (tmp_path / "latin.txt").write_bytes(content)
    argv = ["--impl", "solutions", "--corpus", str(tmp_path / "latin.txt"), "--out", str(tmp_path / "x.npz")]
    exits_naming(capsys, scripts["train_mini_lm"].main, argv, named)


@pytest.mark.parametrize("argv, named", [
    (["--max-new-tokens", "-1"], "--max-new-tokens"),
    (["--temperature", "-1"], "--temperature"),
    (["--top-k", "0"], "--top-k"),
    (["--top-p", "1.5"], "--top-p"),
    (["--seed", "-1"], "--seed"),
])
def test_generate_rejects_a_bad_flag(scripts, capsys, argv, named):
    exits_naming(capsys, scripts["generate_text"].main, ["--impl", "solutions", *argv], named)


@pytest.mark.parametrize("script", ["train_mini_lm", "generate_text"])
def test_every_flag_has_help_with_its_default(scripts, capsys, script):
    with pytest.raises(SystemExit):
        scripts[script].main(["--help"])
    options = re.split(r"\n  (?=--)", capsys.readouterr().out.split("options:")[1])[1:]
    assert options and all("default:" in option for option in options if not option.startswith("--help")), options


def checkpoint_file(scripts, tmp_path, vocab_size=None, info=None, weights=None):
    tokenizer = tk.CharacterTokenizer()
    tokenizer.fit("the cat")
    model = model_module.MiniLanguageModel(vocab_size or tokenizer.vocab_size, context_size=2, embedding_dim=2, hidden_size=3)
    if weights is not None:
        model.output_bias.data[0] = weights
    path = tmp_path / "mini.npz"
    scripts["checkpoint"].save(path, model, tokenizer, {"results": {}} if info is None else info)
    return path


@pytest.mark.parametrize("options, problem", [
    ({"vocab_size": 16}, "tokenizer has 6 tokens, its model 16"),
    ({"weights": np.nan}, "finite"),
    ({"weights": np.inf}, "finite"),
    ({"info": [1, 2]}, "info"),
])
def test_a_checkpoint_that_does_not_hold_together_is_refused(scripts, tmp_path, options, problem):
    path = checkpoint_file(scripts, tmp_path, **options)
    with pytest.raises(ValueError, match=problem) as error:
        scripts["checkpoint"].load(path, tk, model_module)
    assert "mini.npz" in str(error.value)


def test_a_checkpoint_holding_another_tokenizer_of_the_same_size_is_refused(scripts, tmp_path):
    path = checkpoint_file(scripts, tmp_path)  # a tokenizer of "the cat": six characters
    other = tk.CharacterTokenizer()
    other.fit("the cot")  # six characters too, numbered otherwise
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    meta["tokenizer"] = scripts["checkpoint"].saved_file(other)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="fingerprint") as error:
        scripts["checkpoint"].load(path, tk, model_module)
    assert "mini.npz" in str(error.value)


def test_a_checkpoint_keeps_its_tokenizers_fingerprint(scripts, tmp_path):
    model, tokenizer, _ = scripts["checkpoint"].load(checkpoint_file(scripts, tmp_path), tk, model_module)
    again = tk.CharacterTokenizer()
    again.fit("the cat")
    assert scripts["checkpoint"].fingerprint(tokenizer) == scripts["checkpoint"].fingerprint(again)
    again.fit("the cot")
    assert scripts["checkpoint"].fingerprint(tokenizer) != scripts["checkpoint"].fingerprint(again)


@pytest.mark.parametrize("info", [[1, 2], {"results": {"val_perplexity": "x"}}, {"results": [1]}])
def test_generation_reports_a_malformed_info_without_a_traceback(scripts, tmp_path, capsys, info):
    path = checkpoint_file(scripts, tmp_path, info=info)
    assert scripts["generate_text"].main(["--impl", "solutions", "--checkpoint", str(path), "--max-new-tokens", "2"]) == 2
    assert "info" in capsys.readouterr().err


def test_a_deeply_nested_checkpoint_meta_is_reported(scripts, tmp_path):
    path = tmp_path / "deep.npz"
    meta = ("[" * 100_000 + "]" * 100_000).encode()
    np.savez(path, meta=np.frombuffer(meta, dtype=np.uint8))
    with pytest.raises(ValueError, match="deep.npz"):
        scripts["checkpoint"].load(path, tk, model_module)
