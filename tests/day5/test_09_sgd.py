"""Kata 9: SGDOptimizer -- plain, momentum, Nesterov and weight decay, as torch.optim.SGD.

Read: study_notes/03_loss_and_optimization.md#sgd
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st


def descend(optimizer, p, curvature, steps):
    """Run ``steps`` steps on f(x) = curvature * x**2 / 2, whose gradient is curvature * x."""
    for _ in range(steps):
        p.grad[...] = curvature * p.data
        optimizer.step()
    return p.data


# --- simple cases -------------------------------------------------------------


def test_one_plain_step(day5, parameter):
    p = parameter([1.0, 2.0], grad=[0.5, -1.0])
    day5.SGDOptimizer([p], lr=0.1).step()
    assert p.data == pytest.approx(np.array([0.95, 2.1]), rel=1e-15), "한 걸음은 p -= lr * g입니다 (기울기의 반대 방향)"


def test_two_steps_with_momentum(day5, parameter):
    p = parameter([1.0])
    optimizer = day5.SGDOptimizer([p], lr=0.1, momentum=0.9)
    momentum = "속도 v = momentum * v + g를 step 사이에 저장하고 (v[...] = ...), 그 v로 걷습니다 ((1 - momentum)을 곱하지 않습니다)"
    assert descend(optimizer, p, 1.0, 1) == pytest.approx(np.array([0.9]), rel=1e-7), momentum  # v1 = 1
    assert descend(optimizer, p, 1.0, 1) == pytest.approx(np.array([0.72]), rel=1e-7), momentum  # v2 = 0.9 * 1 + 0.9 = 1.8


def test_two_steps_with_nesterov(day5, parameter):
    p = parameter([1.0])
    # v1 = 1, x1 = 1 - 0.1 * (1 + 0.9 * 1) = 0.81; v2 = 0.9 + 0.81 = 1.71, x2 = 0.81 - 0.1 * (0.81 + 0.9 * 1.71)
    assert descend(day5.SGDOptimizer([p], lr=0.1, momentum=0.9, nesterov=True), p, 1.0, 2) == pytest.approx(np.array([0.5751]), rel=1e-7), (
        "nesterov이면 v를 먼저 갱신하고 g + momentum * v만큼 걷습니다"
    )


def test_weight_decay_adds_to_the_gradient(day5, parameter):
    p = parameter([2.0], grad=[0.0])
    day5.SGDOptimizer([p], lr=0.5, weight_decay=0.1).step()
    assert p.data == pytest.approx(np.array([1.9]), rel=1e-15), "weight decay는 기울기에 weight_decay * p를 *더합니다*"


def test_weight_decay_goes_into_the_velocity(day5, parameter):
    p = parameter([1.0])
    # g1 = 1.1, v1 = 1.1, x1 = 0.89; g2 = 0.979, v2 = 0.9 * 1.1 + 0.979 = 1.969, x2 = 0.89 - 0.1969
    x = descend(day5.SGDOptimizer([p], lr=0.1, momentum=0.9, weight_decay=0.1), p, 1.0, 2)
    assert x == pytest.approx(np.array([0.6931]), rel=1e-12), "weight decay는 momentum보다 먼저 기울기에 더합니다: g = g + weight_decay * p"


def test_each_parameter_keeps_its_own_velocity(day5, parameter):
    a, b = parameter([1.0]), parameter([-3.0, 2.0])
    together = day5.SGDOptimizer([a, b], lr=0.1, momentum=0.5)
    alone = [parameter([1.0]), parameter([-3.0, 2.0])]
    optimizers = [day5.SGDOptimizer([p], lr=0.1, momentum=0.5) for p in alone]
    for step in range(3):
        for p, q, g in zip((a, b), alone, ([step + 1.0], [0.5, -step])):
            p.grad[...] = q.grad[...] = g
        together.step()
        for optimizer in optimizers:
            optimizer.step()
    assert a.data.tolist() == alone[0].data.tolist() and b.data.tolist() == alone[1].data.tolist()


def test_step_leaves_the_gradient_alone(day5, parameter):
    p = parameter([1.0, 2.0], grad=[0.5, -1.0])
    optimizer = day5.SGDOptimizer([p], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    optimizer.step()
    optimizer.step()
    assert p.grad.tolist() == [0.5, -1.0], "step은 p.grad를 바꾸지 않습니다: g = p.grad + ...로 새 배열을 만드세요 (+=는 p.grad를 바꿉니다)"


def test_a_momentum_of_one_or_more_is_allowed(day5, parameter, accepts):
    for momentum in (1.0, 1.5):
        p = parameter([1.0])
        why = f"momentum={momentum}도 받습니다 (torch처럼 momentum >= 0이면 됩니다; 1 미만으로 막지 마세요)"
        optimizer = accepts(lambda: day5.SGDOptimizer([p], lr=0.1, momentum=momentum), why)
        descend(optimizer, p, 0.0, 1)  # g = 0: v stays 0
        p.grad[...] = 1.0
        optimizer.step()
        optimizer.step()
        assert p.data == pytest.approx(np.array([1.0 - 0.1 * (1 + (momentum + 1))]), rel=1e-12), why


def test_lr_zero_moves_nothing_but_the_velocity_still_builds(day5, reference, parameter):
    ours, theirs = parameter([1.0, -2.0]), parameter([1.0, -2.0])
    optimizers = [cls([p], lr=0.0, momentum=0.9) for cls, p in ((day5.SGDOptimizer, ours), (reference("optim").SGDOptimizer, theirs))]
    for lr in (0.0, 0.0, 0.1):  # a warm-up schedule starts at lr = 0
        for optimizer, p in zip(optimizers, (ours, theirs)):
            optimizer.lr = lr
            p.grad[...] = [0.5, 0.25]
            optimizer.step()
    assert ours.data.tolist() == theirs.data.tolist() and theirs.data.tolist() != [1.0, -2.0], (
        "lr = 0도 받습니다 (warm-up은 0에서 시작): 걸음은 0이지만 속도 v는 그대로 쌓입니다"
    )


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, problem",
    [({"momentum": -0.1}, "momentum"), ({"weight_decay": -1.0}, "weight_decay"), ({"nesterov": True}, "nesterov")],
)
def test_bad_hyper_parameters_are_clear_errors(day5, parameter, options, problem):
    with pytest.raises(ValueError, match=problem):
        day5.SGDOptimizer([parameter([1.0])], lr=0.1, **options)


# --- laws (hypothesis) --------------------------------------------------------

curvatures = st.floats(0.01, 10.0)
learning_rates = st.floats(1e-3, 0.1)
starts = st.lists(st.floats(-100, 100, allow_subnormal=False), min_size=1, max_size=4)  # a subnormal has no digits to spare


@given(curvatures, learning_rates, st.floats(0, 1.0), starts, st.integers(1, 20))
def test_on_a_quadratic_plain_sgd_shrinks_x_geometrically(day5, parameter, a, lr, weight_decay, x0, steps):
    p = parameter(x0)
    x = descend(day5.SGDOptimizer([p], lr=lr, weight_decay=weight_decay), p, a, steps)
    rounding = 1e-12 * np.max(np.abs(x0))  # each step rounds; it matters where the factor is near 0
    np.testing.assert_allclose(x, (1 - lr * (a + weight_decay)) ** steps * np.array(x0), rtol=1e-9, atol=rounding)


def momentum_recurrence(x0, a, lr, momentum, nesterov, steps):
    """Where SGD with momentum leaves x after ``steps`` on f(x) = a x² / 2 (gradient a x), step by step."""
    expected, v = np.array(x0), 0.0
    for _ in range(steps):
        g = a * expected
        v = momentum * v + g
        expected = expected - lr * (g + momentum * v if nesterov else v)
    return expected


@given(curvatures, learning_rates, st.floats(0.01, 0.99), st.booleans(), starts, st.integers(1, 20))
def test_on_a_quadratic_momentum_follows_its_recurrence(day5, parameter, a, lr, momentum, nesterov, x0, steps):
    p = parameter(x0)
    x = descend(day5.SGDOptimizer([p], lr=lr, momentum=momentum, nesterov=nesterov), p, a, steps)
    np.testing.assert_allclose(x, momentum_recurrence(x0, a, lr, momentum, nesterov, steps), rtol=1e-9, atol=1e-9)


@given(curvatures, learning_rates, st.floats(1.0, 3.0), st.booleans(), starts, st.integers(1, 8))
def test_a_momentum_of_one_or_more_follows_the_same_recurrence(day5, parameter, a, lr, momentum, nesterov, x0, steps):
    p = parameter(x0)
    x = descend(day5.SGDOptimizer([p], lr=lr, momentum=momentum, nesterov=nesterov), p, a, steps)
    expected = momentum_recurrence(x0, a, lr, momentum, nesterov, steps)
    assert np.allclose(x, expected, rtol=1e-9, atol=1e-9), f"momentum={momentum}도 v = momentum * v + g입니다 (1 이상도 받으세요)"


@given(
    learning_rates, st.floats(0, 0.99), st.floats(0, 0.1), st.booleans(), st.integers(0, 2**32 - 1),
)
def test_step_for_step_the_same_as_the_reference(day5, reference, step_alongside, lr, momentum, weight_decay, nesterov, seed):
    options = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov and momentum > 0)
    step_alongside(day5.SGDOptimizer, reference("optim").SGDOptimizer, options, seed, rtol=1e-12, atol=1e-14)
