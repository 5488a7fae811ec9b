"""Kata 8: clip_grad_norm -- one global norm over every gradient, as in PyTorch.

Read: study_notes/03_loss_and_optimization.md#gradient-clipping
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@pytest.fixture(scope="module")
def with_grads(parameter):
    """``with_grads([3.0, 0.0], ...)``: parameters holding the given gradients."""
    return lambda *grads: [parameter(np.zeros(np.shape(g)), g) for g in grads]


def global_norm(params):
    return np.sqrt(sum(np.sum(p.grad**2) for p in params))


# --- simple cases -------------------------------------------------------------


def test_a_long_gradient_is_scaled_to_max_norm(day5, with_grads):
    params = with_grads([3.0, 0.0], [0.0, 4.0])
    assert day5.clip_grad_norm(params, max_norm=1.0) == pytest.approx(5.0, rel=1e-12), (
        "돌려주는 값은 자르기 *전*의 global L2 노름, sqrt(모든 기울기 제곱의 합)입니다 (노름들의 합이나 최댓값이 아니라)"
    )
    assert [p.grad for p in params] == pytest.approx(np.array([[0.6, 0.0], [0.0, 0.8]]), rel=1e-5), (
        "모든 기울기를 같은 비율로 줄입니다: global norm 하나로 (매개변수마다 따로가 아니라)"
    )
    assert params[0].grad == pytest.approx(np.array([3 / (5 + 1e-6), 0.0]), rel=1e-12), (
        "비율은 max_norm / (norm + 1e-6)입니다: 1e-6은 분모의 노름에 더합니다"
    )


def test_a_short_gradient_is_left_alone(day5, with_grads):
    params = with_grads([0.3, 0.0], [0.0, -0.4])
    assert day5.clip_grad_norm(params, max_norm=1.0) == pytest.approx(0.5, rel=1e-12)
    assert [p.grad.tolist() for p in params] == [[0.3, 0.0], [0.0, -0.4]], "노름이 max_norm 이하이면 기울기를 그대로 둡니다 (늘리지 않습니다)"


def test_the_norm_is_taken_over_all_parameters_together(day5, with_grads):
    params = with_grads([3.0], [4.0])  # each alone is below 4.5; together their norm is 5
    assert day5.clip_grad_norm(params, max_norm=4.5) == pytest.approx(5.0, rel=1e-12)
    np.testing.assert_allclose([params[0].grad[0], params[1].grad[0]], [2.7, 3.6], rtol=1e-6)


def test_gradients_are_scaled_in_place(day5, with_grads):
    params = with_grads(np.full((2, 3), 10.0))
    before = params[0].grad
    day5.clip_grad_norm(params, max_norm=1.0)
    assert params[0].grad is before, "p.grad *= scale로 제자리에서 바꾸세요: 모델이 같은 배열을 쥐고 있습니다"
    assert global_norm(params) == pytest.approx(1.0, rel=1e-5)


def test_a_generator_of_parameters_is_fine(day5, with_grads):
    params = with_grads([6.0, 8.0])
    assert day5.clip_grad_norm((p for p in params), max_norm=5.0) == pytest.approx(10.0, rel=1e-12), (
        "params는 generator일 수 있습니다: 한 번만 읽어 목록으로 (check_grads가 돌려주는 목록을 쓰세요)"
    )
    np.testing.assert_allclose(params[0].grad, [3.0, 4.0], rtol=1e-6)


# --- edge cases and errors ----------------------------------------------------


def test_zero_gradients_stay_zero(day5, with_grads):
    params = with_grads(np.zeros(3))
    with np.errstate(invalid="raise", divide="raise"):
        assert day5.clip_grad_norm(params, max_norm=1.0) == 0.0
    assert params[0].grad.tolist() == [0.0, 0.0, 0.0]


def test_no_parameters_have_norm_zero(day5):
    assert day5.clip_grad_norm([], max_norm=1.0) == 0.0


def test_max_norm_zero_zeroes_every_gradient_as_torch_does(day5, with_grads, accepts):
    params = with_grads([3.0, 0.0], [0.0, -4.0])
    why = "max_norm = 0은 오류가 아니라 torch처럼 모든 기울기를 0으로: 비율 0 / (norm + 1e-6) = 0 (max_norm >= 0이면 됩니다)"
    assert accepts(lambda: day5.clip_grad_norm(params, max_norm=0.0), why) == pytest.approx(5.0, rel=1e-12)
    assert [p.grad.tolist() for p in params] == [[0.0, 0.0], [0.0, -0.0]], why


@pytest.mark.parametrize("max_norm", [-1.0, -1e-9])
def test_a_negative_max_norm_is_an_error(day5, with_grads, max_norm):
    with pytest.raises(ValueError, match="max_norm"):
        day5.clip_grad_norm(with_grads([1.0]), max_norm=max_norm)


# --- laws (hypothesis) --------------------------------------------------------

gradients = st.lists(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.floats(-1e3, 1e3)),
    min_size=1, max_size=4,
)


@given(gradients, st.floats(1e-3, 1e3))
def test_clipping_returns_the_norm_before_and_keeps_the_direction(day5, with_grads, grads, max_norm):
    params = with_grads(*grads)
    norm = global_norm(params)
    assert day5.clip_grad_norm(params, max_norm) == pytest.approx(norm, rel=1e-12, abs=1e-300)
    scale = min(1.0, max_norm / (norm + 1e-6))  # one scale for every gradient: the direction is kept
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad, g * scale, rtol=1e-12, atol=1e-300)
    assert global_norm(params) <= max_norm * (1 + 1e-12)
