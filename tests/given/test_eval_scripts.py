"""50_eval: the training and generation scripts, end to end on a tiny corpus (not graded)."""

import numpy as np
import pytest

from workbook.authoring import stubs

CORPUS = "the cat sat on the mat. the dog sat on the log. " * 20
TINY = ["--steps", "6", "--eval-every", "3", "--batch-size", "2", "--seq-len", "8", "--hidden", "8", "--embedding-dim", "4"]


@pytest.fixture(scope="module")
def trained(scripts, tmp_path_factory):
    """A checkpoint trained for a few steps on CORPUS with the reference."""
    folder = tmp_path_factory.mktemp("eval")
    (folder / "corpus.txt").write_text(CORPUS, encoding="utf-8")
    out = folder / "mini.npz"
    argv = ["--impl", "solutions", "--corpus", str(folder / "corpus.txt"), "--out", str(out), *TINY]
    assert scripts["train_mini_lm"].main(argv) == 0
    return out


def test_training_writes_a_checkpoint_and_nothing_else(trained):
    assert sorted(p.name for p in trained.parent.iterdir() if p.suffix != ".png") == ["corpus.txt", "mini.npz"]


def test_the_checkpoint_round_trips_model_tokenizer_and_results(scripts, reference, trained):
    model, tokenizer, info = scripts["checkpoint"].load(trained, reference("tokenizers"), reference("model"))
    assert tokenizer.decode(tokenizer.encode("the cat")) == "the cat"
    assert model.config == {"vocab_size": tokenizer.vocab_size, "context_size": 8, "embedding_dim": 4, "hidden_size": 8}
    assert info["settings"]["steps"] == 6 and info["history"]["step"] == [3, 6]
    assert info["results"]["uniform_perplexity"] == tokenizer.vocab_size
    assert 1 < info["results"]["val_perplexity"] < tokenizer.vocab_size * 2
    again = trained.parent / "again.npz"
    scripts["checkpoint"].save(again, model, tokenizer, info)
    copy, _, _ = scripts["checkpoint"].load(again, reference("tokenizers"), reference("model"))
    assert all((copy.state_dict()[k] == v).all() for k, v in model.state_dict().items())
    again.unlink()


@pytest.mark.parametrize("strategy", ["greedy", "temperature", "top-k", "top-p", "all"])
def test_generation_prints_text_for_each_strategy(scripts, trained, capsys, strategy):
    argv = ["--impl", "solutions", "--checkpoint", str(trained), "--prompt", "the ", "--max-new-tokens", "12", "--strategy", strategy]
    assert scripts["generate_text"].main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("\nthe ") == (4 if strategy == "all" else 1)


def test_greedy_generation_is_the_same_every_time(scripts, trained, capsys):
    argv = ["--impl", "solutions", "--checkpoint", str(trained), "--prompt", "the ", "--strategy", "greedy", "--max-new-tokens", "20"]
    scripts["generate_text"].main(argv)
    scripts["generate_text"].main(argv)
    first, second = capsys.readouterr().out.split("\n--- greedy ---\n")[1:]
    assert first.splitlines()[0] == second.splitlines()[0]


@pytest.mark.parametrize(
    "content, problem", [(None, "no checkpoint"), (b"not a zip", "not an .npz"), ("npz-without-meta", "not a readable")]
)
def test_a_missing_or_corrupt_checkpoint_is_a_clear_error(scripts, tmp_path, capsys, content, problem):
    path = tmp_path / "broken.npz"
    if content == "npz-without-meta":
        np.savez(path, weights=np.zeros(3))
    elif content is not None:
        path.write_bytes(content)
    assert scripts["generate_text"].main(["--impl", "solutions", "--checkpoint", str(path)]) == 2
    assert problem in capsys.readouterr().err


def test_a_truncated_checkpoint_is_reported(scripts, trained, tmp_path, capsys):
    path = tmp_path / "truncated.npz"
    path.write_bytes(trained.read_bytes()[:-200])
    assert scripts["generate_text"].main(["--impl", "solutions", "--checkpoint", str(path)]) == 2
    assert "truncated.npz" in capsys.readouterr().err


def test_unfinished_katas_get_one_line_naming_the_kata(scripts, tmp_path, capsys):
    stubs.write(tmp_path, keep=(), log=lambda _: None)  # untouched stubs, whatever state exercises/ is in
    assert scripts["train_mini_lm"].main(["--impl", str(tmp_path), "--out", str(tmp_path / "x.npz"), *TINY]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith("kata 'Character tokenizer' is not finished: implement `CharacterTokenizer.fit` in ")
    assert message.endswith("--impl solutions") and "\n" not in message


def test_a_bpe_corpus_file_is_streamed_to_the_same_ids(scripts, reference, tmp_path):
    text = "the cat's tale,\r\nline two 'll 한국어\n" * 300 + "no newline at the end"
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(text.encode("utf-8"))
    read = corpus.read_text(encoding="utf-8")
    day5 = {name: reference(name) for name in ("tokenizers", "fast_bpe")}
    tokenizer = scripts["train_mini_lm"].make_tokenizer(day5, "bpe", 300, read)
    ids = scripts["train_mini_lm"].corpus_ids(tokenizer, corpus, read)
    assert ids.tolist() == tokenizer.encode(read)
