"""Kata 11: the training loop, evaluate, and the course's one-liner ``train``.

Read: study_notes/02_training_loop.md#training-loop
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

TEXT = "the cat sat on the mat. " * 10


class Recorder:
    """An optimizer that notes every call, and what it sees at each step, then does the real work."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.calls = []
        self.seen = []  # at each step: (parameters, gradients)

    def step(self):
        self.calls.append("step")
        params = self.optimizer.params
        self.seen.append(([p.data.copy() for p in params], [p.grad.copy() for p in params]))
        self.optimizer.step()

    def zero_grad(self):
        self.calls.append("zero_grad")
        self.optimizer.zero_grad()


@pytest.fixture(scope="module")
def setup(reference):
    """``setup(**loader_options)`` -> (model, loader, optimizer): a small float64 model on TEXT."""
    tokenizer = reference("tokenizers").CharacterTokenizer()
    tokenizer.fit(TEXT)
    ids = tokenizer.encode(TEXT)

    def make(batch_size=4, seq_len=12, shuffle=False, lr=0.1, seed=0):
        model = reference("model").MiniLanguageModel(
            tokenizer.vocab_size, context_size=3, embedding_dim=4, hidden_size=16, seed=seed, dtype=np.float64
        )
        loader = reference("data").DataLoader(ids, batch_size, seq_len, shuffle=shuffle, seed=seed)
        return model, loader, reference("optim").SGDOptimizer(model.parameters(), lr=lr)

    return make


def loss_and_gradients(reference, model, params, inputs, targets):
    """The loss of one batch and its gradients, on a copy of ``model`` holding ``params``."""
    copy = reference("model").MiniLanguageModel(**model.config, dtype=model.dtype)
    copy.load_state_dict(dict(zip(copy.named_parameters(), params)))
    loss_fn = reference("losses").CrossEntropyLoss()
    loss = loss_fn(copy(inputs), targets)
    copy.backward(loss_fn.backward())
    return loss, [p.grad for p in copy.parameters()]


def global_norm(grads):
    return math.sqrt(sum(float(np.sum(g**2)) for g in grads))


# --- train_epoch --------------------------------------------------------------


def test_one_step_and_one_loss_per_batch(day5, setup):
    model, loader, optimizer = setup()
    recorder = Recorder(optimizer)
    losses = day5.train_epoch(model, loader, recorder)
    assert len(losses) == len(loader) == 5 and all(isinstance(loss, float) for loss in losses), (
        "train_epoch는 step마다의 손실(float) 목록을 돌려줍니다"
    )
    assert recorder.calls == ["step", "zero_grad"] * 5, (
        "배치마다 backward -> (clip) -> step -> zero_grad: model.backward는 grad에 *더하므로* step 뒤에 zero_grad"
    )


def test_each_step_uses_the_loss_and_gradient_of_its_own_batch(day5, reference, setup):
    model, loader, optimizer = setup()
    recorder = Recorder(optimizer)
    losses = day5.train_epoch(model, loader, recorder)
    for loss, (inputs, targets), (params, grads) in zip(losses, loader, recorder.seen, strict=True):
        expected_loss, expected_grads = loss_and_gradients(reference, model, params, inputs, targets)
        assert loss == pytest.approx(expected_loss, rel=1e-12)
        for grad, expected in zip(grads, expected_grads, strict=True):
            np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-14)


def test_gradients_are_zero_when_the_epoch_ends(day5, setup):
    model, loader, optimizer = setup()
    day5.train_epoch(model, loader, optimizer)
    assert all((p.grad == 0).all() for p in model.parameters())


def test_max_grad_norm_clips_every_step(day5, reference, setup):
    model, loader, optimizer = setup()
    recorder = Recorder(optimizer)
    day5.train_epoch(model, loader, recorder, max_grad_norm=0.05)
    for (inputs, targets), (params, grads) in zip(loader, recorder.seen, strict=True):
        _, unclipped = loss_and_gradients(reference, model, params, inputs, targets)
        scale = 0.05 / (global_norm(unclipped) + 1e-6)
        assert scale < 1 and global_norm(grads) == pytest.approx(0.05, rel=1e-5), (
            "max_grad_norm이 주어지면 backward와 step *사이*에 clip_grad_norm(model.parameters(), max_grad_norm)"
        )
        for grad, full in zip(grads, unclipped):
            np.testing.assert_allclose(grad, full * scale, rtol=1e-10, atol=1e-14)


def test_the_model_ends_where_the_course_loop_leaves_it(day5, reference, setup):
    model, loader, optimizer = setup(shuffle=True, seed=3)
    day5.train_epoch(model, loader, optimizer, max_grad_norm=1.0)
    model_by_hand, loader_by_hand, optimizer_by_hand = setup(shuffle=True, seed=3)
    loss_fn = reference("losses").CrossEntropyLoss()
    for inputs, targets in loader_by_hand:
        loss_fn(model_by_hand(inputs), targets)
        model_by_hand.backward(loss_fn.backward())
        reference("losses").clip_grad_norm(model_by_hand.parameters(), 1.0)
        optimizer_by_hand.step()
        optimizer_by_hand.zero_grad()
    for p, q in zip(model.parameters(), model_by_hand.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-10, atol=1e-14)


def test_the_loop_learns_a_repetitive_text(day5, reference, setup):
    model, loader, _ = setup(shuffle=True, seed=0)
    optimizer = reference("optim").AdamOptimizer(model.parameters(), lr=0.03)
    epochs = [np.mean(day5.train_epoch(model, loader, optimizer, max_grad_norm=1.0)) for _ in range(30)]
    assert epochs[0] > 2.0 and epochs[-1] < 0.2  # from guessing among 11 characters to knowing the text


# --- evaluate -----------------------------------------------------------------


def test_evaluate_averages_over_tokens_not_batches(day5, reference, setup):
    model, loader, _ = setup(batch_size=2, seq_len=40)  # 5 windows: batches of 2, 2 and 1
    batch_losses = [reference("losses").cross_entropy(model(inputs), targets) for inputs, targets in loader]
    expected = (2 * batch_losses[0] + 2 * batch_losses[1] + batch_losses[2]) / 5
    loss, perplexity = day5.evaluate(model, loader)
    assert loss == pytest.approx(expected, rel=1e-12), "evaluate의 평균은 배치가 아니라 토큰 수로 가중합니다 (작은 마지막 배치)"
    assert perplexity == pytest.approx(math.exp(expected), rel=1e-12), "perplexity는 전체 평균 손실의 exp입니다"


def test_evaluate_changes_no_parameter_and_no_gradient(day5, setup):
    model, loader, _ = setup()
    before = model.state_dict()
    day5.evaluate(model, loader)
    assert all((before[name] == p.data).all() for name, p in model.named_parameters().items()), "evaluate는 매개변수를 바꾸지 않습니다"
    assert all((p.grad == 0).all() for p in model.parameters()), "evaluate는 backward를 부르지 않습니다 (grad가 쌓입니다)"


def test_evaluate_of_a_loader_with_no_batch_is_an_error(day5, setup):
    why = "배치가 하나도 없으면 평균낼 손실이 없습니다: 0 / 0이 아니라 'loader'를 말하는 ValueError로"
    try:
        result = day5.evaluate(setup()[0], [])
    except ValueError as error:
        assert "loader" in str(error), f"{error}: {why}"
    except ArithmeticError as error:
        pytest.fail(f"{type(error).__name__}: {error}: {why}")
    else:
        pytest.fail(f"evaluate(model, []) returned {result!r}: {why}")


@given(st.integers(1, 6), st.integers(1, 30))
def test_evaluate_is_the_cross_entropy_of_all_targets_at_once(day5, reference, setup, batch_size, seq_len):
    model, loader, _ = setup(batch_size=batch_size, seq_len=seq_len)
    inputs, targets = (np.concatenate(arrays) for arrays in zip(*loader))
    expected = reference("losses").cross_entropy(model(inputs), targets)
    loss, perplexity = day5.evaluate(model, loader)
    assert loss == pytest.approx(expected, rel=1e-10) and perplexity == pytest.approx(math.exp(expected), rel=1e-10)


# --- train: the course's one-liner ---------------------------------------------


def test_the_course_one_liner_runs_as_written(day5, reference):
    CharacterTokenizer, MiniLanguageModel = reference("tokenizers").CharacterTokenizer, reference("model").MiniLanguageModel
    train = day5.train
    text = "hello world! " * 8

    tokenizer = CharacterTokenizer()
    tokenizer.fit(text)
    model = MiniLanguageModel(vocab_size=tokenizer.vocab_size)
    history = train(model, text, tokenizer, epochs=100)

    assert len(history) == 100 and all(isinstance(loss, float) for loss in history)
    assert history[0] > 2.0 and history[-1] < 0.01


def test_train_is_the_loop_with_adam_a_shuffled_loader_and_clipping(day5, reference, setup):
    tokenizer = reference("tokenizers").CharacterTokenizer()
    tokenizer.fit(TEXT)
    options = dict(epochs=3, batch_size=2, seq_len=10, lr=0.02, max_grad_norm=0.5, seed=4)
    ours, theirs = setup()[0], setup()[0]
    history = day5.train(ours, TEXT, tokenizer, **options)
    expected = reference("training").train(theirs, TEXT, tokenizer, **options)
    assert history == pytest.approx(np.array(expected), rel=1e-10), (
        "train: encode -> DataLoader(shuffle=True, seed=seed)와 AdamOptimizer(lr=lr)를 *한 번씩* 만들고,"
        " epoch마다 train_epoch(..., max_grad_norm) 손실의 *평균*을 모읍니다"
    )
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-10, atol=1e-14)


def test_train_uses_the_tokenizer_as_it_is_fitted(day5, reference, setup):
    wider = TEXT + "xyz!"  # the tokenizer knows more characters than the text holds
    ours, theirs = (reference("tokenizers").CharacterTokenizer() for _ in range(2))
    ours.fit(wider)
    theirs.fit(wider)
    model, expected_model = (reference("model").MiniLanguageModel(ours.vocab_size, context_size=3, embedding_dim=4, hidden_size=16, seed=0,
                                                                   dtype=np.float64) for _ in range(2))
    history = day5.train(model, TEXT, ours, epochs=2, batch_size=4, seq_len=12)
    expected = reference("training").train(expected_model, TEXT, theirs, epochs=2, batch_size=4, seq_len=12)
    refit = "train은 이미 fit한 tokenizer를 다시 fit하지 않습니다: 어휘(그리고 id)가 바뀌면 모델의 vocab_size와 맞지 않습니다"
    assert ours.token_to_id == theirs.token_to_id, refit
    assert history == pytest.approx(np.array(expected), rel=1e-10), refit


def test_train_gives_a_text_shorter_than_seq_len_one_short_window(day5, reference, setup):
    tokenizer = reference("tokenizers").CharacterTokenizer()
    tokenizer.fit(TEXT)
    history = day5.train(setup()[0], "the cat", tokenizer, epochs=2, seq_len=32)
    assert len(history) == 2 and history[1] < history[0]
