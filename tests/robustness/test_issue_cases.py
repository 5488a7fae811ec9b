"""Every bad call that issue 16 lists, as an explicit test: a clear error naming the argument,
or the documented result, and nothing lost."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbook.implementation import load

tk, data, losses, optim, model_module, training, generation = (
    load("solutions", name) for name in ("tokenizers", "data", "losses", "optim", "model", "training", "generation")
)
NAN, INF = math.nan, math.inf


def tiny_model(vocab_size=8):
    return model_module.MiniLanguageModel(vocab_size, context_size=2, embedding_dim=2, hidden_size=3)


@pytest.mark.parametrize("call, error, named", [
    (lambda: tk.CharacterTokenizer().fit(["ab", "cd"]), TypeError, "text"),
    (lambda: tk.CharacterTokenizer().fit(b"hello"), TypeError, "text"),
    (lambda: tk.CharacterTokenizer(special_tokens="ab"), TypeError, "special_tokens"),
    (lambda: tk.get_pair_counts("abc"), TypeError, "ids"),
    (lambda: tk.merge_pair([1, 2, 3], (1, 2), None), TypeError, "new_id"),
    (lambda: tk.WordTokenizer(max_vocab=2.5), ValueError, "max_vocab"),
    (lambda: tk.SimpleBPETokenizer().train("abab", 256.5), ValueError, "vocab_size"),
    (lambda: tk.SimpleBPETokenizer(pattern=r"\w+").encode("a b!"), ValueError, "pattern"),
    (lambda: tk.SimpleBPETokenizer(pattern="").encode("a b!"), ValueError, "pattern"),
    (lambda: tk.SimpleBPETokenizer(pattern="("), ValueError, "pattern"),
    (lambda: data.as_token_ids([2**63]), ValueError, "token_ids"),
    (lambda: data.as_token_ids(np.array([2**64 - 1], dtype=np.uint64)), ValueError, "token_ids"),
    (lambda: data.train_val_split(np.array([1, 2**64 - 1], dtype=np.uint64)), ValueError, "token_ids"),
    (lambda: data.DataLoader(np.array([2**63] * 4, dtype=np.uint64), 1, 2), ValueError, "token_ids"),
    (lambda: losses.softmax([NAN, 1.0]), ValueError, "logits"),
    (lambda: losses.softmax([INF, 1.0]), ValueError, "logits"),
    (lambda: losses.log_softmax([-INF, -INF]), ValueError, "logits"),
    (lambda: losses.softmax([]), ValueError, "logits"),
    (lambda: losses.softmax("abc"), TypeError, "logits"),
    (lambda: losses.softmax([True, False]), TypeError, "logits"),
    (lambda: losses.softmax([1.0, 2.0], axis=5), ValueError, "axis"),
    (lambda: generation.greedy([NAN, 1.0]), ValueError, "logits"),
    (lambda: generation.sample([NAN, 1.0], np.random.default_rng(0)), ValueError, "logits"),
    (lambda: generation.sample([-INF, -INF], np.random.default_rng(0)), ValueError, "logits"),
    (lambda: generation.sample([1.0, 2.0], None), TypeError, "rng"),
    (lambda: generation.apply_temperature([1.0, 2.0], 1e-310), ValueError, "temperature"),
    (lambda: generation.top_k_filter([NAN, 1.0], 1), ValueError, "logits"),
    (lambda: generation.top_p_filter([NAN, 1.0], 0.9), ValueError, "logits"),
    (lambda: optim.AdamOptimizer(tiny_model().parameters(), lr=0.1, weight_decay=20, decoupled=True), ValueError, "lr * weight_decay"),
    (lambda: optim.SGDOptimizer(tiny_model().parameters(), lr=INF), ValueError, "lr"),
    (lambda: optim.SGDOptimizer(tiny_model().parameters(), lr=0.1, momentum=INF), ValueError, "momentum"),
    (lambda: losses.clip_grad_norm([model_module.Parameter(np.array([1, 2]))], 1.0), TypeError, "grad"),
    (lambda: training.evaluate(tiny_model(), []), ValueError, "loader"),
    (lambda: training.train(tiny_model(), "abcdefgh", tk.CharacterTokenizer(), epochs=-1), ValueError, "epochs"),
    (lambda: training.train(tiny_model(), "abcdefgh", tk.CharacterTokenizer(), seq_len=0), ValueError, "seq_len"),
])
def test_each_listed_bad_call_is_a_clear_error(call, error, named):
    with pytest.raises(error, match=named.replace("*", r"\*")):
        call()


@pytest.mark.parametrize("make", [tk.CharacterTokenizer, tk.WordTokenizer, lambda: tk.SimpleBPETokenizer()])
@pytest.mark.parametrize("ids", [[1.0], [True]])
def test_decode_takes_integer_ids_only(make, ids):
    tokenizer = make()
    (tokenizer.fit if hasattr(tokenizer, "fit") else lambda text: tokenizer.train(text, 260))("a b c")
    with pytest.raises(TypeError, match="ids"):
        tokenizer.decode(ids)


def test_perplexity_of_a_huge_loss_is_inf_as_in_torch():
    assert losses.perplexity(1000.0) == INF and losses.perplexity(INF) == INF


def test_a_model_takes_an_empty_batch():
    assert tiny_model()(np.zeros((0, 3), int)).shape == (0, 3, 8)


def test_a_failed_train_keeps_the_earlier_merges():
    tokenizer = tk.SimpleBPETokenizer()
    tokenizer.train("abababab", 258)
    merges = dict(tokenizer.merges)
    with pytest.raises(TypeError, match="text"):
        tokenizer.train(None, 300)
    assert tokenizer.merges == merges and tokenizer.vocab_size == 258


def test_a_failed_fit_keeps_the_whole_vocabulary():
    tokenizer = tk.CharacterTokenizer()
    tokenizer.fit("abc")
    with pytest.raises(TypeError, match="text"):
        tokenizer.fit(None)
    assert tokenizer.token_to_id == {"a": 0, "b": 1, "c": 2} and tokenizer.id_to_token == {0: "a", 1: "b", 2: "c"}


@pytest.mark.parametrize("optimizer", [lambda ps: optim.SGDOptimizer(ps, 0.1, momentum=0.9), lambda ps: optim.AdamOptimizer(ps, 0.1)])
@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_a_non_finite_gradient_is_refused_before_any_step(optimizer, bad):
    model = tiny_model()
    opt = optimizer(model.parameters())
    before = model.state_dict()
    model.output_bias.grad[3] = bad
    with pytest.raises(ValueError, match=r"params\[4\]\.grad"):
        opt.step()
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_greedy_checks_every_option_too():
    generator = generation.TextGenerator(tiny_model(), None, seed=0)
    with pytest.raises(ValueError, match="top_k"):
        generator.next_id([1], "greedy", top_k=0)
    with pytest.raises(ValueError, match="temperature"):
        generator.next_id([1], "greedy", temperature=-1)


def test_an_unknown_strategy_is_an_error_even_with_nothing_to_generate():
    tokenizer = tk.CharacterTokenizer()
    tokenizer.fit("abcdefgh")
    with pytest.raises(ValueError, match="strategy"):
        generation.generate(tiny_model(), tokenizer, "abc", max_length=2, strategy="beam")


def test_a_pattern_with_an_unbalanced_parenthesis_is_a_value_error():
    with pytest.raises(ValueError, match=r"pattern '\('"):
        tk.SimpleBPETokenizer("(")


@pytest.mark.parametrize("content, problem", [
    ("[" * 100_000 + "]" * 100_000, "not a valid"),
    ('{"kind": "character_tokenizer", "version": 1, "config": {}, "tokens": [1, 2]}', "tokens"),
    ('{"kind": "character_tokenizer", "version": 1, "config": {"bogus": 1}, "tokens": ["a"]}', "bogus"),
    ('{"kind": "character_tokenizer", "version": 1, "config": [], "tokens": ["a"]}', "config"),
])
def test_a_damaged_tokenizer_file_is_reported_by_path(tmp_path, content, problem):
    path = tmp_path / "damaged.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as error:
        tk.CharacterTokenizer.load(path)
    assert "damaged.json" in str(error.value)


def test_a_damaged_bpe_file_is_reported_by_path(tmp_path):
    path = tmp_path / "bpe.json"
    path.write_text('{"kind": "bpe_tokenizer", "version": 1, "pattern": "(", "special_tokens": [], "merges": []}')
    with pytest.raises(ValueError, match="bpe.json"):
        tk.SimpleBPETokenizer.load(path)
