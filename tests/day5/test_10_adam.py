"""Kata 10: AdamOptimizer -- Adam with bias correction, L2 or decoupled (AdamW) weight decay.

Read: study_notes/03_loss_and_optimization.md#adam
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def steps(optimizer, p, grads):
    """Step once per gradient in ``grads``; return the position after each step."""
    path = []
    for g in grads:
        p.grad[...] = g
        optimizer.step()
        path.append(p.data.copy())
    return path


# --- simple cases -------------------------------------------------------------


def test_the_first_step_moves_by_lr(day5, parameter):
    p = parameter([1.0, 1.0], grad=[0.5, -2.0])
    day5.AdamOptimizer([p], lr=0.1).step()
    assert p.data == pytest.approx(np.array([1 - 0.1 * 0.5 / (0.5 + 1e-8), 1 + 0.1 * 2 / (2 + 1e-8)]), rel=1e-12), (
        "첫 걸음은 -lr * g / (|g| + eps)입니다: m과 v를 모두 1 - beta**t로 보정하고, eps는 보정한 sqrt(v_hat) 밖에서 더하고,"
        " v는 g *제곱*의 평균, m과 v는 따로 저장합니다"
    )


def test_two_steps_by_hand(day5, parameter):
    p = parameter([1.0])
    # m1 = 0.05, v1 = 0.00025 -> x1 = 1 - 0.1 * 0.5 / (0.5 + eps)
    # m2 = 0.02, v2 = 0.00031225 -> x2 = x1 - 0.1 * (0.02 / 0.19) / (sqrt(0.00031225 / 0.001999) + eps)
    path = steps(day5.AdamOptimizer([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8), p, [[0.5], [-0.25]])
    assert path == pytest.approx(np.array([[0.900000002], [0.8733662987078463]]), rel=1e-12), (
        "m과 v는 step 사이에 남아야 합니다 (m[...] = ...로 저장); beta1은 m, beta2는 v"
    )


def test_the_step_count_is_per_step_not_per_parameter(day5, parameter):
    params = [parameter([0.0]), parameter([0.0]), parameter([0.0])]
    optimizer = day5.AdamOptimizer(params, lr=0.1)
    for p in params:
        p.grad[...] = 1.0
    optimizer.step()
    assert [p.data[0] for p in params] == pytest.approx(np.array([-0.1] * 3), rel=1e-7), "t는 step마다 한 번 늘립니다 (매개변수마다가 아니라)"


def test_l2_weight_decay_is_added_to_the_gradient(day5, parameter):
    p = parameter([2.0], grad=[0.0])  # the gradient becomes 0.1 * 2 = 0.2, and Adam's first step is lr
    day5.AdamOptimizer([p], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.1 * 0.2 / (0.2 + 1e-8)], rtol=1e-12)


def test_decoupled_weight_decay_shrinks_the_weights_directly(day5, parameter):
    p = parameter([2.0])
    path = steps(day5.AdamOptimizer([p], lr=0.1, weight_decay=0.1, decoupled=True), p, [[0.0]] * 3)
    assert path == pytest.approx(np.array([[2.0 * 0.99], [2.0 * 0.99**2], [2.0 * 0.99**3]]), rel=1e-14), (
        "decoupled=True(AdamW)이면 기울기에 더하지 말고 p *= 1 - lr * weight_decay"
    )


def test_adamw_decays_before_the_adam_step(day5, parameter):
    p = parameter([2.0], grad=[0.5])
    day5.AdamOptimizer([p], lr=0.1, weight_decay=0.5, decoupled=True).step()
    assert p.data == pytest.approx(np.array([2.0 * (1 - 0.05) - 0.1 * 0.5 / (0.5 + 1e-8)]), rel=1e-12), (
        "decoupled이면 Adam 걸음 *전에* p *= 1 - lr * weight_decay"
    )


def test_step_leaves_the_gradient_alone(day5, parameter):
    p = parameter([1.0, 2.0], grad=[0.5, -1.0])
    optimizer = day5.AdamOptimizer([p], lr=0.1, weight_decay=0.1)
    optimizer.step()
    optimizer.step()
    assert p.grad.tolist() == [0.5, -1.0], "step은 p.grad를 바꾸지 않습니다: g = g + weight_decay * p로 새 배열을 (+=는 p.grad를 바꿉니다)"


def test_eps_zero_is_allowed_as_in_torch(day5, parameter, accepts):
    p = parameter([1.0, 1.0], grad=[0.5, -20.0])
    why = "eps = 0도 받습니다 (torch처럼 eps >= 0): 첫 걸음은 정확히 -lr * g / |g|"
    accepts(lambda: day5.AdamOptimizer([p], lr=0.1, eps=0.0), why).step()
    assert p.data.tolist() == pytest.approx([0.9, 1.1], rel=1e-12), why


def test_lr_zero_moves_nothing_but_the_moments_still_build(day5, reference, parameter):
    ours, theirs = parameter([1.0, -2.0]), parameter([1.0, -2.0])
    optimizers = [cls([p], lr=0.0) for cls, p in ((day5.AdamOptimizer, ours), (reference("optim").AdamOptimizer, theirs))]
    for lr in (0.0, 0.0, 0.1):  # a warm-up schedule starts at lr = 0
        for optimizer, p in zip(optimizers, (ours, theirs)):
            optimizer.lr = lr
            p.grad[...] = [0.5, -0.25] if lr else [2.0, 1.0]
            optimizer.step()
    assert ours.data.tolist() == pytest.approx(theirs.data.tolist(), rel=1e-12) and theirs.data.tolist() != [0.9, -1.9], (
        "lr = 0도 받습니다 (warm-up은 0에서 시작): 걸음은 0이지만 m, v, t는 그대로 쌓입니다"
    )


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, problem",
    [
        ({"betas": (1.0, 0.999)}, "beta1"),
        ({"betas": (-0.1, 0.999)}, "beta1"),
        ({"betas": (0.9, 1.0)}, "beta2"),
        ({"betas": (0.9, 1.5)}, "beta2"),
        ({"eps": -1e-8}, "eps"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_bad_hyper_parameters_are_clear_errors(day5, parameter, options, problem):
    with pytest.raises(ValueError, match=problem):
        day5.AdamOptimizer([parameter([1.0])], lr=0.1, **options)


# --- laws (hypothesis) --------------------------------------------------------

gradients = hnp.arrays(
    np.float64, hnp.array_shapes(max_dims=2, max_side=4),
    elements=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3),
)
betas = st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999))


@given(gradients, st.floats(1e-4, 1.0), betas, st.floats(1e-10, 1e-3))
def test_the_first_step_is_lr_g_over_abs_g_plus_eps(day5, parameter, g, lr, betas, eps):
    p = parameter(np.ones_like(g), grad=g)
    day5.AdamOptimizer([p], lr=lr, betas=betas, eps=eps).step()
    np.testing.assert_allclose(p.data - 1, -lr * g / (np.abs(g) + eps), rtol=1e-9)


@given(gradients, st.floats(1e-4, 1.0), betas, st.integers(2, 12))
def test_under_a_constant_gradient_every_step_is_the_same_move(day5, parameter, g, lr, betas, n):
    p = parameter(np.zeros_like(g))
    path = steps(day5.AdamOptimizer([p], lr=lr, betas=betas), p, [g] * n)
    move = -lr * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(np.diff([np.zeros_like(g), *path], axis=0), [move] * n, rtol=1e-6)


@given(st.floats(-100, 100), st.floats(1e-4, 1.0), st.floats(0, 1.0), st.integers(1, 20))
def test_adamw_with_a_zero_gradient_decays_geometrically(day5, parameter, x0, lr, weight_decay, n):
    p = parameter([x0])
    path = steps(day5.AdamOptimizer([p], lr=lr, weight_decay=weight_decay, decoupled=True), p, [[0.0]] * n)
    np.testing.assert_allclose(path[-1], [x0 * (1 - lr * weight_decay) ** n], rtol=1e-12, atol=1e-300)


@given(st.floats(1e-4, 0.1), betas, st.floats(1e-10, 1e-3), st.floats(0, 0.1), st.booleans(), st.integers(0, 2**32 - 1))
def test_step_for_step_the_same_as_the_reference(day5, reference, step_alongside, lr, betas, eps, weight_decay, decoupled, seed):
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, decoupled=decoupled)
    step_alongside(day5.AdamOptimizer, reference("optim").AdamOptimizer, options, seed, rtol=1e-10, atol=1e-12)
