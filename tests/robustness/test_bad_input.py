"""Every public name of the reference, given values that break its documented contract.

Each case replaces one argument of a valid call by a value drawn from a strategy that
the contract rejects. The call must raise ``TypeError``, ``ValueError`` or ``KeyError``
with a message that names the argument, and an object whose method failed must be
left as it was. Runs against the reference and the given code, through the seam.
"""

from __future__ import annotations

import inspect
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.implementation import load

from .strategies import bad_ids, bad_integer, bad_logits, bad_number, bad_text, not_numbers

MODULES = ("serialization", "tokenizers", "data", "losses", "optim", "model", "training", "generation")
day5 = SimpleNamespace(**{name: load("solutions", name) for name in MODULES})
tk, data, losses, optim, model_module, training, generation = (
    day5.tokenizers, day5.data, day5.losses, day5.optim, day5.model, day5.training, day5.generation
)
EXAMPLES = 25  # per case; about 90 cases


def char():
    tokenizer = tk.CharacterTokenizer(unk_token="?")
    tokenizer.fit("hello world")
    return tokenizer


def word():
    tokenizer = tk.WordTokenizer()
    tokenizer.fit("the cat saw the dog.")
    return tokenizer


def bpe():
    tokenizer = tk.SimpleBPETokenizer(tk.GPT2_PATTERN, ["<|end|>"])
    tokenizer.train("low lower lowest", 262)
    return tokenizer


def tiny_model():
    return model_module.MiniLanguageModel(8, context_size=2, embedding_dim=2, hidden_size=3, dtype=np.float64)


def forwarded():
    model = tiny_model()
    model(np.array([[1]]))
    return model


def param():
    return model_module.Parameter(np.ones(3))


def loader(ids=tuple(range(8)) * 3):
    return data.DataLoader(list(ids), batch_size=2, seq_len=4)


def generator():
    return generation.TextGenerator(tiny_model(), char_of_eight(), seed=0)


def char_of_eight():
    tokenizer = tk.CharacterTokenizer()
    tokenizer.fit("abcdefgh")
    return tokenizer


ROW = np.array([1.0, 2.0, 0.5])
RNG = np.random.default_rng(0)

# (public name, argument, strategy of bad values, make the object or None, call(obj, bad))
CASES = [
    # serialization (given code): the checks themselves, and the files
    ("check_type", "text", not_numbers.filter(lambda v: not isinstance(v, str)), None,
     lambda _, bad: day5.serialization.check_type("text", bad, str)),
    ("check_integer", "size", bad_integer(1), None, lambda _, bad: day5.serialization.check_integer("size", bad)),
    ("check_methods", "optimizer", st.one_of(st.none(), st.integers(), st.just(SimpleNamespace(step=1, zero_grad=print))), None,
     lambda _, bad: day5.serialization.check_methods("optimizer", bad, "step", "zero_grad")),
    ("check_number", "p", bad_number("(0, 1]"), None, lambda _, bad: day5.serialization.check_number("p", bad, "(0, 1]")),
    ("real_array", "grad", bad_logits().filter(lambda z: not (isinstance(z, np.ndarray) and z.dtype.kind == "f" and np.isneginf(z).any() or np.size(z) == 0)), None,
     lambda _, bad: day5.serialization.real_array("grad", bad)),
    ("as_token_ids", "token_ids", bad_ids, None, lambda _, bad: day5.serialization.as_token_ids(bad)),
    ("as_array", "ids", st.just([[0], [0, 0]]), None, lambda _, bad: day5.serialization.as_array("ids", bad)),
    ("as_id_list", "ids", bad_ids, None, lambda _, bad: day5.serialization.as_id_list(bad)),
    ("check_path", "path", not_numbers.filter(lambda v: not isinstance(v, str)), None,
     lambda _, bad: day5.serialization.check_path("path", bad)),
    ("save_json", "path", st.one_of(st.none(), st.integers(), st.just(b"x")), None,
     lambda _, bad: day5.serialization.save_json(bad, "kind", {})),
    ("atomic_file", "path", st.one_of(st.none(), st.integers()), None,
     lambda _, bad: day5.serialization.atomic_file(bad).__enter__()),
    ("load_json", "path", st.one_of(st.none(), st.integers(), st.floats()), None,
     lambda _, bad: day5.serialization.load_json(bad, "kind", ())),
    # tokenizers
    ("check_tokens", "special_tokens", st.one_of(st.text(min_size=1), st.lists(st.integers(), min_size=1), st.just(["a", "a"]), st.just([""])),
     None, lambda _, bad: tk.check_tokens("special_tokens", bad)),
    ("CharacterTokenizer", "special_tokens", st.one_of(st.text(min_size=1), st.just(["<a>", "<a>"]), st.just([1]), st.just([""])),
     None, lambda _, bad: tk.CharacterTokenizer(special_tokens=bad)),
    ("CharacterTokenizer", "unk_token", st.one_of(st.integers(), st.just(""), st.just(["<unk>"])), None,
     lambda _, bad: tk.CharacterTokenizer(unk_token=bad)),
    ("CharacterTokenizer.fit", "text", bad_text, char, lambda t, bad: t.fit(bad)),
    ("CharacterTokenizer.encode", "text", bad_text, char, lambda t, bad: t.encode(bad)),
    ("CharacterTokenizer.decode", "ids", bad_ids, char, lambda t, bad: t.decode(bad)),
    ("WordTokenizer", "min_freq", bad_integer(1), None, lambda _, bad: tk.WordTokenizer(min_freq=bad)),
    ("WordTokenizer", "max_vocab", bad_integer(1, optional=True), None, lambda _, bad: tk.WordTokenizer(max_vocab=bad)),
    ("WordTokenizer.tokenize", "text", bad_text, word, lambda t, bad: t.tokenize(bad)),
    ("WordTokenizer.fit", "text", bad_text, word, lambda t, bad: t.fit(bad)),
    ("WordTokenizer.encode", "text", bad_text, word, lambda t, bad: t.encode(bad)),
    ("WordTokenizer.decode", "ids", bad_ids, word, lambda t, bad: t.decode(bad)),
    ("get_pair_counts", "ids", bad_ids, None, lambda _, bad: tk.get_pair_counts(bad)),
    ("check_merge", "pair", st.one_of(bad_ids, st.just((1,)), st.just((1, 2, 3))), None, lambda _, bad: tk.check_merge([1, 2], bad, 9)),
    ("merge_pair", "ids", bad_ids.filter(lambda v: not isinstance(v, (list, tuple, np.ndarray))), None, lambda _, bad: tk.merge_pair(bad, (1, 2), 9)),
    ("merge_pair", "pair", st.one_of(bad_ids, st.just((1,)), st.just((1, 2, 3))), None, lambda _, bad: tk.merge_pair([1, 2], bad, 9)),
    ("merge_pair", "new_id", bad_integer(0), None, lambda _, bad: tk.merge_pair([1, 2, 3], (1, 2), bad)),
    ("compile_pattern", "pattern", st.one_of(st.none(), st.integers(), st.sampled_from(["(", "[a-", "(a)b", "a{2,1}"])), None,
     lambda _, bad: tk.compile_pattern(bad)),
    ("check_lossless", "pattern", st.sampled_from(["", r"\w+", "a"]), None,
     lambda _, bad: tk.check_lossless([p for p in __import__("regex").findall(bad, "a b!") if p], "a b!", bad)),
    ("SimpleBPETokenizer", "pattern", st.one_of(st.integers(), st.just(b"\\w+"), st.sampled_from(["(", "(a)", "x{2,1}"])), None,
     lambda _, bad: tk.SimpleBPETokenizer(bad)),
    ("SimpleBPETokenizer", "special_tokens", st.one_of(st.text(min_size=1), st.just(["<a>", "<a>"]), st.just([""]), st.just([None])), None,
     lambda _, bad: tk.SimpleBPETokenizer(special_tokens=bad)),
    ("SimpleBPETokenizer.from_merges", "merge", st.one_of(st.just([(1, 256)]), st.just([(1.0, 2)]), st.just([(True, 2)]), st.just([None]),
                                                          st.just([(1, 2, 3)]), st.just(["ab"]), st.just([(-1, 2)])), None,
     lambda _, bad: tk.SimpleBPETokenizer.from_merges(bad)),
    ("SimpleBPETokenizer.from_merges", "merges", st.one_of(st.none(), st.integers()), None,
     lambda _, bad: tk.SimpleBPETokenizer.from_merges(bad)),
    ("SimpleBPETokenizer.split", "text", bad_text, bpe, lambda t, bad: t.split(bad)),
    ("SimpleBPETokenizer.split", "pattern", st.sampled_from([r"\w+", "", "[a-z]", r"\s"]), None,
     lambda _, bad: tk.SimpleBPETokenizer(bad).split("a b!")),
    ("SimpleBPETokenizer.train", "text", bad_text, bpe, lambda t, bad: t.train(bad, 270)),
    ("SimpleBPETokenizer.train", "vocab_size", st.one_of(bad_integer(1), st.integers(1, 256)), bpe, lambda t, bad: t.train("abab", bad)),
    ("SimpleBPETokenizer.encode", "text", bad_text, bpe, lambda t, bad: t.encode(bad)),
    ("SimpleBPETokenizer.encode_iterable", "chunks", st.one_of(st.integers(), st.just([b"ab"]), st.just(["a", 1])), bpe,
     lambda t, bad: list(t.encode_iterable(bad))),
    ("SimpleBPETokenizer.decode_bytes", "ids", bad_ids, bpe, lambda t, bad: t.decode_bytes(bad)),
    ("SimpleBPETokenizer.decode", "ids", bad_ids, bpe, lambda t, bad: t.decode(bad)),
    # data
    ("train_val_split", "token_ids", bad_ids, None, lambda _, bad: data.train_val_split(bad)),
    ("train_val_split", "val_fraction", bad_number("(0, 1)"), None, lambda _, bad: data.train_val_split(list(range(10)), bad)),
    ("DataLoader", "token_ids", bad_ids, None, lambda _, bad: data.DataLoader(bad, 2, 2)),
    ("DataLoader", "batch_size", bad_integer(1), None, lambda _, bad: data.DataLoader(list(range(9)), bad, 2)),
    ("DataLoader", "seq_len", bad_integer(1), None, lambda _, bad: data.DataLoader(list(range(9)), 2, bad)),
    ("DataLoader", "seed", bad_integer(0, optional=True), None, lambda _, bad: data.DataLoader(list(range(9)), 2, 2, shuffle=True, seed=bad)),
    # losses
    ("check_logits", "logits", bad_logits(), None, lambda _, bad: losses.check_logits(bad)),
    ("check_logits", "axis", st.one_of(bad_integer(None), st.integers(2, 9), st.integers(-9, -3)), None,
     lambda _, bad: losses.check_logits(np.zeros((2, 3)), bad)),
    ("softmax", "logits", bad_logits(), None, lambda _, bad: losses.softmax(bad)),
    ("softmax", "axis", st.one_of(st.integers(2, 9), st.integers(-9, -3), st.floats(), st.none(), st.booleans()), None,
     lambda _, bad: losses.softmax(np.zeros((2, 3)), bad)),
    ("log_softmax", "logits", bad_logits(), None, lambda _, bad: losses.log_softmax(bad)),
    ("log_softmax", "axis", st.one_of(st.integers(2, 9), st.floats(), st.none()), None, lambda _, bad: losses.log_softmax(np.zeros((2, 3)), bad)),
    ("check_targets", "ignore_index", st.one_of(st.floats(), st.text(), st.booleans()), None,
     lambda _, bad: losses.check_targets(np.zeros((2, 3)), np.array([0, 1]), bad)),
    ("cross_entropy", "logits", bad_logits().filter(lambda z: np.ndim(z) == 2), None,
     lambda _, bad: losses.cross_entropy(bad, np.zeros(np.shape(bad)[0], int))),
    ("cross_entropy", "targets", st.one_of(bad_ids.filter(lambda v: not isinstance(v, list) or len(v) != 2), st.just(np.array([0.0, 1.0])), st.just(np.array([0, 3])),
                                           st.just(np.array([True, False]))), None,
     lambda _, bad: losses.cross_entropy(np.zeros((2, 3)), bad)),
    ("perplexity", "loss", bad_number("[0, inf]"), None, lambda _, bad: losses.perplexity(bad)),
    ("CrossEntropyLoss", "ignore_index", st.one_of(st.floats(), st.text(), st.booleans()), None, lambda _, bad: losses.CrossEntropyLoss(bad)),
    ("CrossEntropyLoss.forward", "logits", bad_logits().filter(lambda z: np.ndim(z) == 2), losses.CrossEntropyLoss,
     lambda f, bad: f(bad, np.zeros(np.shape(bad)[0], int))),
    ("check_grads", "params", st.one_of(st.none(), st.integers()), None, lambda _, bad: losses.check_grads(bad)),
    ("clip_grad_norm", "max_norm", bad_number("[0, inf]"), None, lambda _, bad: losses.clip_grad_norm([param()], bad)),
    ("clip_grad_norm", "grad", st.one_of(st.just(np.array([1, 2])), st.just([1.0]), st.just(np.array([np.nan])), st.just(np.array([np.inf, 1.0])),
                                         st.just(None), st.just(np.zeros(2))), None,
     lambda _, bad: losses.clip_grad_norm([SimpleNamespace(data=np.ones(3), grad=bad)], 1.0)),
    # optim
    ("Optimizer", "params", st.one_of(st.none(), st.integers(), st.just([]), st.just([object()]), st.just([SimpleNamespace(data=[1.0], grad=[0.0])])),
     None, lambda _, bad: optim.Optimizer(bad, 0.1)),
    ("Optimizer", "lr", bad_number("[0, inf)"), None, lambda _, bad: optim.Optimizer([param()], bad)),
    ("SGDOptimizer", "momentum", bad_number("[0, inf)"), None, lambda _, bad: optim.SGDOptimizer([param()], 0.1, momentum=bad)),
    ("SGDOptimizer", "weight_decay", bad_number("[0, inf)"), None, lambda _, bad: optim.SGDOptimizer([param()], 0.1, weight_decay=bad)),
    ("AdamOptimizer", "betas", st.one_of(st.none(), st.just((0.9,)), st.just((0.9, 0.9, 0.9)), st.floats()), None,
     lambda _, bad: optim.AdamOptimizer([param()], betas=bad)),
    ("AdamOptimizer", "beta1", bad_number("[0, 1)"), None, lambda _, bad: optim.AdamOptimizer([param()], betas=(bad, 0.999))),
    ("AdamOptimizer", "beta2", bad_number("[0, 1)"), None, lambda _, bad: optim.AdamOptimizer([param()], betas=(0.9, bad))),
    ("AdamOptimizer", "eps", bad_number("[0, inf)"), None, lambda _, bad: optim.AdamOptimizer([param()], eps=bad)),
    ("AdamOptimizer", "weight_decay", bad_number("[0, inf)"), None, lambda _, bad: optim.AdamOptimizer([param()], weight_decay=bad)),
    ("AdamOptimizer", "lr * weight_decay", st.floats(10.01, 1e6), None,
     lambda _, bad: optim.AdamOptimizer([param()], lr=0.1, weight_decay=bad, decoupled=True)),
    # model (given code)
    ("Parameter", "data", st.none(), None, lambda _, bad: optim.SGDOptimizer([model_module.Parameter(np.array([1, 2]))], 0.1)),
    ("MiniLanguageModel", "vocab_size", bad_integer(1), None, lambda _, bad: model_module.MiniLanguageModel(bad)),
    ("MiniLanguageModel", "hidden_size", bad_integer(1), None, lambda _, bad: model_module.MiniLanguageModel(5, hidden_size=bad)),
    ("MiniLanguageModel", "seed", bad_integer(0, optional=True), None, lambda _, bad: model_module.MiniLanguageModel(5, seed=bad)),
    ("MiniLanguageModel", "dtype", st.sampled_from([np.int64, bool, "U3", np.complex128, np.float16]), None,
     lambda _, bad: model_module.MiniLanguageModel(5, dtype=bad)),
    ("MiniLanguageModel.forward", "input_ids", st.one_of(bad_ids, st.just(np.array([[1, 8]])), st.just(np.zeros((1, 0), int))), tiny_model,
     lambda m, bad: m(bad if not isinstance(bad, list) else [bad])),
    ("MiniLanguageModel.backward", "dlogits", bad_logits().filter(lambda z: np.ndim(z) == 3 or not isinstance(z, np.ndarray)), forwarded,
     lambda m, bad: m.backward(bad)),
    ("MiniLanguageModel.load_state_dict", "state_dict", st.sampled_from([np.nan, np.inf, "x", True]), tiny_model,
     lambda m, bad: m.load_state_dict(m.state_dict() | {"hidden_bias": np.full(3, bad)})),
    # training
    ("train_epoch", "max_grad_norm", bad_number("(0, inf]", optional=True), None,
     lambda _, bad: training.train_epoch(tiny_model(), loader(), optim.SGDOptimizer(tiny_model().parameters(), 0.1), bad)),
    ("train_epoch", "optimizer", st.one_of(st.none(), st.integers(), st.just(SimpleNamespace(step=print))), None,
     lambda _, bad: training.train_epoch(tiny_model(), loader(), bad)),
    ("train_epoch", "model", st.one_of(st.none(), st.integers(), st.just(SimpleNamespace(backward=print))), None,
     lambda _, bad: training.train_epoch(bad, loader(), optim.SGDOptimizer(tiny_model().parameters(), 0.1))),
    ("train_epoch", "loader", st.one_of(st.none(), st.integers()), None,
     lambda _, bad: training.train_epoch(tiny_model(), bad, optim.SGDOptimizer(tiny_model().parameters(), 0.1))),
    ("evaluate", "model", st.one_of(st.none(), st.integers(), st.text()), None, lambda _, bad: training.evaluate(bad, loader())),
    ("evaluate", "loader", st.one_of(st.just([]), st.none(), st.integers()), None, lambda _, bad: training.evaluate(tiny_model(), bad)),
    ("train", "epochs", bad_integer(1), None, lambda _, bad: training.train(tiny_model(), "abcdefgh" * 3, char_of_eight(), epochs=bad)),
    ("train", "seq_len", bad_integer(1), None, lambda _, bad: training.train(tiny_model(), "abcdefgh" * 3, char_of_eight(), seq_len=bad)),
    ("train", "lr", bad_number("[0, inf)"), None, lambda _, bad: training.train(tiny_model(), "abcdefgh" * 3, char_of_eight(), lr=bad)),
    ("train", "text", bad_text, None, lambda _, bad: training.train(tiny_model(), bad, char_of_eight())),
    # generation
    ("greedy", "logits", bad_logits(one_row=True), None, lambda _, bad: generation.greedy(bad)),
    ("apply_temperature", "logits", bad_logits(one_row=True), None, lambda _, bad: generation.apply_temperature(bad, 1.0)),
    ("apply_temperature", "temperature", st.one_of(bad_number("[0, inf)"), st.floats(0, 1e-300, exclude_min=True)), None,
     lambda _, bad: generation.apply_temperature(ROW * 1e10, bad)),
    ("sample", "logits", bad_logits(one_row=True), None, lambda _, bad: generation.sample(bad, RNG)),
    ("sample", "rng", st.one_of(st.none(), st.integers(), st.just(np.random.RandomState(0))), None, lambda _, bad: generation.sample(ROW, bad)),
    ("top_k_filter", "logits", bad_logits(one_row=True), None, lambda _, bad: generation.top_k_filter(bad, 2)),
    ("top_k_filter", "k", bad_integer(1), None, lambda _, bad: generation.top_k_filter(ROW, bad)),
    ("top_p_filter", "logits", bad_logits(one_row=True), None, lambda _, bad: generation.top_p_filter(bad, 0.9)),
    ("top_p_filter", "p", bad_number("(0, 1]"), None, lambda _, bad: generation.top_p_filter(ROW, bad)),
    ("check_strategy", "strategy", st.one_of(st.none(), st.text(max_size=6).filter(lambda s: s not in ("greedy", "sample"))), None,
     lambda _, bad: generation.check_strategy(bad, 1.0, None, None)),
    ("TextGenerator", "seed", bad_integer(0, optional=True), None, lambda _, bad: generation.TextGenerator(tiny_model(), char(), seed=bad)),
    ("TextGenerator.next_id", "top_k", bad_integer(1, optional=True), generator, lambda g, bad: g.next_id([1], "greedy", top_k=bad)),
    ("TextGenerator.next_id", "temperature", bad_number("[0, inf)"), generator, lambda g, bad: g.next_id([1], "greedy", temperature=bad)),
    ("TextGenerator.generate", "strategy", st.sampled_from(["beam", "top-k", "", None]), generator, lambda g, bad: g.generate("ab", 0, strategy=bad)),
    ("TextGenerator.generate", "top_p", bad_number("(0, 1]", optional=True), generator, lambda g, bad: g.generate("ab", 2, top_p=bad)),
    ("TextGenerator.generate", "max_new_tokens", bad_integer(0), generator, lambda g, bad: g.generate("ab", bad)),
    ("TextGenerator.generate", "prompt", bad_text, generator, lambda g, bad: g.generate(bad, 2)),
    ("TextGenerator.generate", "stop_ids", bad_ids, generator, lambda g, bad: g.generate("ab", 2, stop_ids=bad)),
    ("generate", "max_length", bad_integer(1), None, lambda _, bad: generation.generate(tiny_model(), char_of_eight(), "ab", bad)),
    ("generate", "seed", bad_integer(0, optional=True), None, lambda _, bad: generation.generate(tiny_model(), char_of_eight(), "ab", 5, seed=bad)),
]
NAMES = {"targets": "target", "merge": "merge 0", "state_dict": "state_dict", "grad": "grad", "data": "data", "loader": "loader"}


def snapshot(obj) -> bytes:
    return pickle.dumps(vars(obj)) if obj is not None else b""


@pytest.mark.parametrize("name, argument, bad, make, call", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_bad_argument_is_a_clear_error_that_changes_nothing(name, argument, bad, make, call):
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(bad)
    def run(value):
        obj = make() if make else None
        before = snapshot(obj)
        with pytest.raises((TypeError, ValueError, KeyError)) as error:
            call(obj, value)
        assert NAMES.get(argument, argument) in str(error.value), f"{type(error.value).__name__}: {error.value}"
        assert snapshot(obj) == before, "a failed call changed the object"

    run()


def public_names(module) -> set[str]:
    """The public functions and classes a module defines, and the public methods of those classes."""
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__ or not callable(value):
            continue
        names.add(name)
        if inspect.isclass(value):
            names |= {f"{name}.{m}" for m, f in vars(value).items() if callable(f) and not m.startswith("_")}
            names |= {f"{name}.{m}" for m, f in vars(value).items() if isinstance(f, classmethod)}
    return names


# what the cases above reach through another name, or what takes no argument to get wrong
COVERED_ELSEWHERE = {
    "CharacterTokenizer.load", "WordTokenizer.load", "SimpleBPETokenizer.load", "CharacterTokenizer.save", "WordTokenizer.save",
    "SimpleBPETokenizer.save",  # test_files_and_scripts.py
    "loaded",  # the tokenizer files' damage, test_files_and_scripts.py
    "MiniLanguageModel.named_parameters", "MiniLanguageModel.parameters", "MiniLanguageModel.state_dict",  # no arguments
    "Optimizer.zero_grad",  # no arguments
    "SGDOptimizer.step", "AdamOptimizer.step",  # non-finite gradients: test_issue_cases.py
    "CrossEntropyLoss.backward",  # no arguments: before a forward it is a RuntimeError (tests/day5)
    "unknown_ids_named",  # what the decoders raise for an unknown id: their cases above, and tests/day5's refuses_id
}


def test_every_public_name_has_a_case():
    covered = {case[0] for case in CASES} | COVERED_ELSEWHERE
    missing = set().union(*(public_names(getattr(day5, m)) for m in MODULES)) - covered
    assert not missing, sorted(missing)
