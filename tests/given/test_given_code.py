"""The code given to learners (not a kata, not graded): saving, loading, validation.

These tests run on the reference; the stubs hold the very same lines (the drift
check sees to that).
"""

import json

import pytest


@pytest.fixture(scope="module")
def tokenizers(reference):
    return reference("tokenizers")


@pytest.fixture(scope="module")
def saved(tokenizers, tmp_path_factory):
    """A trained BPE tokenizer and the path of its saved file."""
    tokenizer = tokenizers.SimpleBPETokenizer(tokenizers.GPT2_PATTERN, ["<|endoftext|>"])
    tokenizer.train("low lower lowest", 270)
    path = tmp_path_factory.mktemp("given") / "bpe.json"
    tokenizer.save(path)
    return tokenizer, path


def test_saved_file_is_versioned_json(saved):
    _, path = saved
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["kind"] == "bpe_tokenizer" and document["version"] == 1


def test_save_leaves_no_temporary_files(saved):
    _, path = saved
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{not json", "not a valid bpe_tokenizer file"),
        ('{"kind": "word_tokenizer", "version": 1}', "not a 'bpe_tokenizer'"),
        ('[1, 2]', "not a 'bpe_tokenizer'"),
        ('{"kind": "bpe_tokenizer", "version": 99}', "format version 99"),
        ('{"kind": "bpe_tokenizer", "version": 1, "pattern": null}', "missing special_tokens, merges"),
        ('{"kind": "bpe_tokenizer", "version": 1, "pattern": null, "special_tokens": [], "merges": [[1, 300]]}',
         r"merge 0 is \[1, 300\]"),
    ],
)
def test_a_damaged_file_is_reported_by_name(tokenizers, tmp_path, content, problem):
    path = tmp_path / "damaged.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        tokenizers.SimpleBPETokenizer.load(path)


def test_a_file_that_is_not_utf8_is_reported(tokenizers, tmp_path):
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="binary.json"):
        tokenizers.CharacterTokenizer.load(path)


def test_repeated_tokens_in_a_table_file_are_reported(tokenizers, tmp_path):
    path = tmp_path / "chars.json"
    path.write_text('{"kind": "character_tokenizer", "version": 1, "config": {}, "tokens": ["a", "a"]}')
    with pytest.raises(ValueError, match="repeat"):
        tokenizers.CharacterTokenizer.load(path)


def test_a_failed_save_keeps_the_old_file(saved, tokenizers):
    tokenizer, path = saved
    before = path.read_bytes()
    broken = tokenizers.SimpleBPETokenizer()
    broken._specials = [object()]  # not JSON-serializable: the write fails midway
    with pytest.raises(TypeError):
        broken.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("merges", [[(1, 256)], [(1,)], [(1.0, 2)], [(-1, 2)]])
def test_from_merges_rejects_ids_that_do_not_exist_yet(tokenizers, merges):
    with pytest.raises(ValueError, match="merge 0"):
        tokenizers.SimpleBPETokenizer.from_merges(merges)


def test_special_tokens_must_be_distinct(tokenizers):
    with pytest.raises(ValueError):
        tokenizers.SimpleBPETokenizer(special_tokens=["<a>", "<a>"])
    with pytest.raises(ValueError):
        tokenizers.CharacterTokenizer(unk_token="<unk>", special_tokens=["<unk>"])


@pytest.mark.parametrize("options", [{"min_freq": 0}, {"max_vocab": 1, "special_tokens": ["<pad>"]}])
def test_word_tokenizer_rejects_impossible_limits(tokenizers, options):
    with pytest.raises(ValueError):
        tokenizers.WordTokenizer(**options)


@pytest.fixture
def epoch(reference):
    """``(model, loader, optimizer)``: the smallest training setup, a float64 model on 24 ids."""
    model = reference("model").MiniLanguageModel(8, context_size=2, embedding_dim=2, hidden_size=3, dtype="float64")
    loader = reference("data").DataLoader(list(range(8)) * 3, batch_size=2, seq_len=4)
    return model, loader, reference("optim").SGDOptimizer(model.parameters(), lr=0.1)


@pytest.mark.parametrize("argument, value, error", [
    ("optimizer", None, TypeError), ("optimizer", object(), TypeError), ("model", None, TypeError), ("loader", None, TypeError),
    ("max_grad_norm", -1.0, ValueError), ("max_grad_norm", 0.0, ValueError), ("max_grad_norm", float("nan"), ValueError),
])
def test_train_epoch_checks_its_arguments_before_the_first_batch(reference, epoch, argument, value, error):
    model, loader, optimizer = epoch
    before = model.state_dict()
    arguments = {"model": model, "loader": loader, "optimizer": optimizer, argument: value}
    with pytest.raises(error, match=argument):
        reference("training").train_epoch(**arguments)
    assert all((before[name] == p.data).all() and (p.grad == 0).all() for name, p in model.named_parameters().items()), (
        "nothing ran: no parameter moved and no gradient was left behind"
    )


@pytest.mark.parametrize("argument, value", [("model", None), ("model", object()), ("loader", None), ("loader", 3)])
def test_evaluate_checks_its_arguments_before_the_first_batch(reference, epoch, argument, value):
    model, loader, _ = epoch
    with pytest.raises(TypeError, match=argument):
        reference("training").evaluate(**{"model": model, "loader": loader, argument: value})


def test_check_methods_names_the_argument_and_what_it_lacks(reference):
    check_methods = reference("serialization").check_methods
    with pytest.raises(TypeError, match="optimizer must have the methods step, zero_grad; got NoneType"):
        check_methods("optimizer", None, "step", "zero_grad")
    with pytest.raises(TypeError, match="optimizer"):
        check_methods("optimizer", type("Half", (), {"step": lambda self: None})(), "step", "zero_grad")
    optimizer = type("Whole", (), {"step": lambda self: None, "zero_grad": lambda self: None})()
    assert check_methods("optimizer", optimizer, "step", "zero_grad") is optimizer
