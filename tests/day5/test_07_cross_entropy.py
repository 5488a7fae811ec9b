"""Kata 7: cross-entropy, its gradient, and perplexity.

Read: study_notes/03_loss_and_optimization.md#cross-entropy
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st


@st.composite
def batches(draw, max_vocab=8):
    """``(logits, targets)``: logits of shape (..., V) in float64 and targets in [0, V)."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    vocab = draw(st.integers(1, max_vocab))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    return rng.normal(scale=scale, size=(*shape, vocab)), rng.integers(0, vocab, size=shape)


def expected_loss(logits, targets):
    """-log p(target), averaged, written out the long way (fine for moderate logits)."""
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    return -np.mean(np.log(np.take_along_axis(probs, targets[..., None], axis=-1)))


def onehot(targets, vocab):
    return np.eye(vocab)[targets]


# --- simple cases -------------------------------------------------------------


def test_a_hand_computed_value(day5):
    assert day5.cross_entropy(np.array([[2.0, 1.0, 0.1]]), np.array([0])) == pytest.approx(0.4170300162778333, rel=1e-12), (
        "손실은 -log p(정답)입니다 (0 이상)"
    )


def test_uniform_logits_give_log_v_and_perplexity_v(day5):
    loss = day5.cross_entropy(np.zeros((3, 50)), np.array([0, 7, 49]))
    assert loss == pytest.approx(math.log(50), rel=1e-12), "손실은 위치마다의 -log p(정답)의 *평균* 하나(float)입니다 (합이 아니라)"
    assert day5.perplexity(loss) == pytest.approx(50, rel=1e-12), "손실은 자연로그로 쟀으므로 perplexity = exp(loss)입니다"


def test_the_mean_is_over_every_position_of_every_sequence(day5):
    rng = np.random.default_rng(0)
    logits, targets = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    assert day5.cross_entropy(logits, targets) == pytest.approx(expected_loss(logits, targets), rel=1e-12)
    assert isinstance(day5.cross_entropy(logits, targets), float)


def test_perplexity_is_the_exponential_of_the_loss(day5):
    assert day5.perplexity(0.0) == 1.0
    assert day5.perplexity(math.log(7)) == pytest.approx(7, rel=1e-12)


def test_the_loss_layer_returns_the_loss_and_the_gradient(day5):
    loss_fn = day5.CrossEntropyLoss()
    assert loss_fn(np.zeros((1, 4)), np.array([2])) == pytest.approx(math.log(4), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), [[0.25, 0.25, -0.75, 0.25]], rtol=1e-12)
    assert loss_fn.forward(np.zeros((1, 4)), np.array([2])) == pytest.approx(math.log(4), rel=1e-12)


def test_the_gradient_is_softmax_minus_onehot_over_n(day5):
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    loss_fn = day5.CrossEntropyLoss()
    loss_fn(logits, targets)
    expected = (day5.softmax(logits) - onehot(targets, 5)) / 6
    assert loss_fn.backward() == pytest.approx(np.array(expected), rel=1e-10, abs=1e-15), (
        "기울기는 (softmax - onehot) / N: 1을 빼는 곳은 행마다 그 행의 정답 하나, N은 평균에 들어간 위치의 수"
    )


def test_ignore_index_leaves_positions_out_of_the_mean_and_the_gradient(day5):
    logits = np.array([[0.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0], [0.0, 1.0, 2.0, 3.0]])
    targets = np.array([1, -100, 3])
    counted = expected_loss(logits[[0, 2]], targets[[0, 2]])
    ignored = "ignore_index 위치는 평균에서 뺍니다: 분모는 센 위치의 수"
    assert day5.cross_entropy(logits, targets, ignore_index=-100) == pytest.approx(counted, rel=1e-12), ignored
    loss_fn = day5.CrossEntropyLoss(ignore_index=-100)
    assert loss_fn(logits, targets) == pytest.approx(counted, rel=1e-12), "층(CrossEntropyLoss)의 forward도 ignore_index를 넘깁니다"
    grad = loss_fn.backward()
    assert grad[1].tolist() == [0.0] * 4, "ignore_index 위치의 기울기는 0입니다 (backward에서도 counted로 가리세요)"
    assert grad[[0, 2]] == pytest.approx(np.array((day5.softmax(logits[[0, 2]]) - onehot(targets[[0, 2]], 4)) / 2), rel=1e-7), (
        "N은 평균에 들어간 위치의 수입니다: ignore_index 위치는 세지 않습니다"
    )


# --- edge cases and errors ----------------------------------------------------


def test_huge_logits_give_an_exact_finite_loss_and_gradient(day5):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert day5.cross_entropy(np.array([[1e4, 0.0]]), np.array([1])) == 1e4
        assert day5.cross_entropy(np.array([[1e4, 0.0]]), np.array([0])) == 0.0
        loss_fn = day5.CrossEntropyLoss()
        assert loss_fn(np.array([[-1e4, 1e4]]), np.array([0])) == 2e4
        assert loss_fn.backward().tolist() == [[-1.0, 1.0]]


def test_backward_answers_for_the_last_call(day5):
    loss_fn = day5.CrossEntropyLoss()
    loss_fn(np.zeros((2, 3)), np.array([0, 1]))
    loss_fn(np.zeros((1, 2)), np.array([1]))
    assert loss_fn.backward() == pytest.approx(np.array([[0.5, -0.5]]), rel=1e-7), (
        "backward는 마지막 호출의 기울기입니다: forward마다 저장을 새로 하세요"
    )


def test_backward_twice_gives_the_same_gradient(day5):
    loss_fn = day5.CrossEntropyLoss()
    loss_fn(np.array([[0.0, 1.0, 2.0]]), np.array([2]))
    first = loss_fn.backward().copy()
    assert np.array_equal(loss_fn.backward(), first), "backward는 저장한 softmax를 바꾸면 안 됩니다: 두 번 불러도 같은 기울기 (copy하세요)"


def test_backward_before_any_loss_is_an_error(day5):
    with pytest.raises(RuntimeError, match="before backward"):
        day5.CrossEntropyLoss().backward()


def test_the_inputs_are_left_unchanged(day5):
    logits, targets = np.array([[1.0, 2.0, 3.0]]), np.array([2])
    loss_fn = day5.CrossEntropyLoss()
    loss_fn(logits, targets)
    loss_fn.backward()
    day5.cross_entropy(logits, targets)
    assert logits.tolist() == [[1.0, 2.0, 3.0]] and targets.tolist() == [2]


@pytest.mark.parametrize("call", ["function", "layer"])
@pytest.mark.parametrize(
    "targets, error, problem",
    [
        (np.array([0, 1, 2]), ValueError, "shape"),  # 3 targets for 2 positions
        (np.array([[0, 1]]), ValueError, "shape"),
        (np.array([0, 4]), ValueError, "target 4"),  # the vocabulary is [0, 4)
        (np.array([-1, 0]), ValueError, "target -1"),
        (np.array([0.0, 1.0]), TypeError, "integer"),
    ],
)
def test_bad_targets_are_clear_errors(day5, call, targets, error, problem):
    compute = day5.cross_entropy if call == "function" else day5.CrossEntropyLoss()
    with pytest.raises(error, match=problem):
        compute(np.zeros((2, 4)), targets)


def test_ignoring_every_target_is_an_error(day5):
    with pytest.raises(ValueError, match="ignore_index"):
        day5.cross_entropy(np.zeros((2, 4)), np.array([-1, -1]), ignore_index=-1)


def test_the_perplexity_of_a_huge_loss_is_inf(day5, accepts):
    for loss in (710.0, 1e4, math.inf):
        why = f"perplexity({loss})는 inf입니다 (torch.exp처럼): math.exp는 709.78을 넘으면 OverflowError이니 LARGEST_EXPONENT와 비교하세요"
        assert accepts(lambda: day5.perplexity(loss), why) == math.inf, why


def test_a_negative_loss_has_no_perplexity(day5):
    with pytest.raises(ValueError, match="loss"):
        day5.perplexity(-0.5)


# --- laws (hypothesis) --------------------------------------------------------


@given(batches())
def test_cross_entropy_is_the_mean_negative_log_probability_of_the_targets(day5, batch):
    logits, targets = batch
    assert day5.cross_entropy(logits, targets) == pytest.approx(expected_loss(logits, targets), rel=1e-9, abs=1e-12)
    assert day5.cross_entropy(logits, targets) >= 0


@given(batches(max_vocab=5))
def test_the_gradient_matches_central_finite_differences(day5, batch):
    """The layer's gradient is the derivative of the loss as defined (``expected_loss``; the law above
    holds your ``cross_entropy`` to it), taken by central finite differences."""
    logits, targets = batch
    loss_fn = day5.CrossEntropyLoss()
    loss_fn(logits, targets)
    grad = loss_fn.backward()
    h = 1e-6
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        step = np.zeros_like(logits)
        step[index] = h
        numeric[index] = (expected_loss(logits + step, targets) - expected_loss(logits - step, targets)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


@given(batches())
def test_the_gradient_is_softmax_minus_onehot_and_each_row_sums_to_zero(day5, batch):
    logits, targets = batch
    loss_fn = day5.CrossEntropyLoss()
    assert loss_fn(logits, targets) == pytest.approx(day5.cross_entropy(logits, targets), rel=1e-12)
    grad = loss_fn.backward()
    expected = (day5.softmax(logits) - onehot(targets, logits.shape[-1])) / targets.size
    np.testing.assert_allclose(grad, expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(grad.sum(axis=-1), 0, atol=1e-12)


@given(st.integers(1, 2000), st.integers(1, 20))
def test_uniform_logits_have_perplexity_v(day5, vocab, positions):
    targets = np.arange(positions) % vocab
    loss = day5.cross_entropy(np.full((positions, vocab), 3.5), targets)
    assert day5.perplexity(loss) == pytest.approx(vocab, rel=1e-9)


def exp_or_inf(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_perplexity_is_exp_of_the_loss_or_inf_where_exp_overflows(day5, loss, other):
    assert day5.perplexity(loss) == pytest.approx(exp_or_inf(loss), rel=1e-12), (
        f"perplexity({loss})는 exp(loss)이고, exp가 넘치면(약 709.78 초과) OverflowError가 아니라 inf입니다"
    )
    assert day5.perplexity(min(loss, other)) <= day5.perplexity(max(loss, other)), "손실이 크면 perplexity도 작아지지 않습니다"


@given(batches(), st.data())
def test_ignored_positions_count_for_nothing(day5, batch, data):
    logits, targets = batch
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=targets.size, max_size=targets.size)))
    keep = keep.reshape(targets.shape)
    if not keep.any():
        keep.flat[0] = True
    marked = np.where(keep, targets, -7)
    assert day5.cross_entropy(logits, marked, ignore_index=-7) == pytest.approx(
        day5.cross_entropy(logits[keep], targets[keep]), rel=1e-12
    )
    loss_fn = day5.CrossEntropyLoss(ignore_index=-7)
    loss_fn(logits, marked)
    grad = loss_fn.backward()
    assert (grad[~keep] == 0).all()
    full = day5.CrossEntropyLoss()
    full(logits[keep], targets[keep])
    np.testing.assert_allclose(grad[keep], full.backward(), rtol=1e-12, atol=1e-15)
