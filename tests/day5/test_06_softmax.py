"""Kata 6: softmax and log-softmax, stable for any logits.

Read: study_notes/03_loss_and_optimization.md#softmax
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp



def no_overflow():
    """Turn an overflow, a 0/0 or a log(0) inside NumPy into an error."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


def logits(min_value=-1e3, max_value=1e3):
    shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)
    return hnp.arrays(np.float64, shapes, elements=st.floats(min_value, max_value))


# --- simple cases -------------------------------------------------------------


def test_softmax_of_a_small_vector(day5):
    np.testing.assert_allclose(day5.softmax(np.array([1.0, 2.0, 3.0])), [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)


def test_softmax_works_in_float64(day5):
    assert day5.softmax(np.array([1.0, 2.0])).dtype == np.float64, "float64로 계산하세요: float32는 유효숫자가 7자리뿐입니다"


def test_equal_logits_give_equal_probabilities(day5):
    assert day5.softmax(np.zeros(4)).tolist() == [0.25] * 4


def test_each_row_of_a_batch_is_its_own_distribution(day5):
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    assert day5.softmax(z) == pytest.approx(np.array([[0.09003057, 0.24472847, 0.66524096], [1 / 3] * 3]), rel=1e-7), (
        "각 행이 자기 확률분포입니다: 합은 axis를 따라 keepdims=True로 (전체 합이 아니라)"
    )
    far_apart = np.array([[0.0, 0.0], [-1e4, -1e4]])
    assert day5.softmax(far_apart) == pytest.approx(np.array([[0.5, 0.5], [0.5, 0.5]]), rel=1e-7), (
        "먼저 최댓값을 행마다(axis를 따라) 빼세요: 빼지 않거나 전체 최댓값을 빼면 낮은 행의 exp가 모두 0이 되어 0/0입니다"
    )


def test_logits_of_shape_batch_time_vocab(day5):
    z = np.random.default_rng(0).normal(size=(2, 3, 5))
    probs = day5.softmax(z)
    assert probs.shape == (2, 3, 5)
    np.testing.assert_allclose(probs.sum(axis=-1), np.ones((2, 3)))
    np.testing.assert_allclose(probs[1, 2], np.exp(z[1, 2]) / np.exp(z[1, 2]).sum())


def test_log_softmax_of_a_small_vector(day5):
    assert day5.log_softmax(np.array([1.0, 2.0, 3.0])) == pytest.approx(np.array([-2.40760596, -1.40760596, -0.40760596]), rel=1e-7), (
        "log_softmax = (z - max) - log(sum(exp(z - max))): 빼낸 최댓값을 결과에도 반영하세요"
    )


def test_the_axis_argument(day5):
    z = np.array([[1.0, 5.0], [3.0, 5.0]])
    axis = "axis 인자를 따르세요 (기본은 마지막 축): max와 sum 모두 axis=axis, keepdims=True"
    assert day5.softmax(z, axis=0) == pytest.approx(np.array([[0.11920292, 0.5], [0.88079708, 0.5]]), rel=1e-7), axis
    assert day5.log_softmax(z, axis=0) == pytest.approx(np.array(np.log([[0.11920292, 0.5], [0.88079708, 0.5]])), rel=1e-7), axis


# --- edge cases ---------------------------------------------------------------


def test_huge_logits_do_not_overflow(day5):
    with no_overflow():
        assert day5.softmax(np.array([1e4, 0.0])).tolist() == [1.0, 0.0]
        assert day5.softmax(np.array([1e308, 1e308])).tolist() == [0.5, 0.5]
        assert day5.log_softmax(np.array([1e4, 0.0])).tolist() == [0.0, -1e4]


def test_very_negative_logits_do_not_vanish(day5):
    with no_overflow():
        np.testing.assert_allclose(day5.softmax(np.array([-1e4, -1e4 - 1])), day5.softmax(np.array([0.0, -1.0])))
        assert day5.log_softmax(np.array([-1e4, -1e4])).tolist() == [-np.log(2)] * 2


def test_log_softmax_is_exact_where_softmax_underflows_to_zero(day5):
    with no_overflow():
        assert day5.log_softmax(np.array([0.0, -800.0]))[1] == -800.0


def test_the_input_is_left_unchanged(day5):
    z = np.array([[3.0, 1.0, 2.0]])
    day5.softmax(z)
    day5.log_softmax(z)
    assert z.tolist() == [[3.0, 1.0, 2.0]], "입력 배열을 제자리에서 바꾸지 마세요 (z -= ...는 호출한 쪽의 logits를 바꿉니다)"


# --- laws (hypothesis) --------------------------------------------------------


@given(logits(-1e6, 1e6))
def test_softmax_is_a_distribution_over_the_last_axis(day5, z):
    with no_overflow():
        probs = day5.softmax(z)
    assert probs.shape == z.shape and (probs >= 0).all() and (probs <= 1).all()
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)


@given(logits(), st.floats(-1e4, 1e4))
def test_adding_a_constant_to_every_logit_changes_nothing(day5, z, c):
    np.testing.assert_allclose(day5.softmax(z + c), day5.softmax(z), atol=1e-9)
    np.testing.assert_allclose(day5.log_softmax(z + c), day5.log_softmax(z), atol=1e-8)


@given(logits(-1e6, 1e6))
def test_log_softmax_is_the_log_of_softmax(day5, z):
    with no_overflow():
        log_probs = day5.log_softmax(z)
    assert log_probs.shape == z.shape and (log_probs <= 0).all()
    np.testing.assert_allclose(np.exp(log_probs), day5.softmax(z), atol=1e-12)
    np.testing.assert_allclose(np.log(np.exp(log_probs).sum(axis=-1)), 0.0, atol=1e-12)


@given(logits())
def test_a_larger_logit_never_gets_a_smaller_probability(day5, z):
    row, probs = z.reshape(-1, z.shape[-1])[0], day5.softmax(z).reshape(-1, z.shape[-1])[0]
    order = np.argsort(row, kind="stable")
    assert (np.diff(probs[order]) >= 0).all()
