"""Kata 12: greedy choice, temperature, and sampling one id with a numpy Generator.

Read: study_notes/04_text_generation.md#greedy-temperature-sampling
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

logit_vectors = hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-50, 50))

CHI2_4_DOF_1E6 = 33.38  # chi-square with 4 degrees of freedom exceeds this with probability 1e-6
DRAWS = 2000  # the least likely id of the logits below still expects 56 draws: enough for the chi-square approximation


def chi_square(draws, probs):
    counts = np.bincount(draws, minlength=len(probs))
    expected = len(draws) * probs
    return float(np.sum((counts - expected) ** 2 / expected))


# --- simple cases -------------------------------------------------------------


def test_greedy_takes_the_highest_logit(day5):
    choice = day5.greedy(np.array([0.1, 2.5, -1.0, 2.4]))
    assert choice == 1, "greedy는 가장 큰 logit의 *id*(위치)를 돌려줍니다"
    assert type(choice) is int, f"greedy는 파이썬 int를 돌려줍니다, got {type(choice).__name__} (int(np.argmax(...)))"


def test_greedy_breaks_ties_towards_the_lowest_id(day5):
    assert day5.greedy([1.0, 3.0, 3.0, 0.5]) == 1, "동점이면 가장 작은 id입니다 (np.argmax가 그렇게 합니다)"
    assert day5.greedy([7.0, 7.0, 7.0]) == 0, "동점이면 가장 작은 id입니다 (np.argmax가 그렇게 합니다)"


def test_temperature_divides_the_logits(day5):
    divides = "temperature는 logits를 *나눕니다*: T < 1이면 더 뾰족하게"
    assert day5.apply_temperature([1.0, 2.0, 4.0], 2.0) == pytest.approx(np.array([0.5, 1.0, 2.0]), rel=1e-7), (
        divides
    )
    assert day5.apply_temperature([1.0, -2.0], 0.5) == pytest.approx(np.array([2.0, -4.0]), rel=1e-7), (
        divides
    )


def test_temperature_leaves_the_callers_array_alone(day5):
    logits = np.array([1.0, 2.0, 4.0])
    day5.apply_temperature(logits, 2.0)
    assert logits.tolist() == [1.0, 2.0, 4.0], "입력 배열을 제자리에서 바꾸지 마세요: logits / temperature로 새 배열을"


def test_temperature_zero_keeps_only_the_greedy_choice(day5):
    assert day5.apply_temperature([1.0, 2.0, 4.0, 4.0], 0).tolist() == [-np.inf, -np.inf, 0.0, -np.inf], (
        "temperature 0은 0으로 나누지 말고 greedy(가장 작은 id의 최댓값) *하나만* 0, 나머지는 -inf"
    )


def test_a_tiny_positive_temperature_divides_too(day5):
    for temperature in (1e-6, 1e-9):
        assert day5.apply_temperature([1.0, 2.0, 4.0, 4.0], temperature) == pytest.approx(
            np.array([1.0, 2.0, 4.0, 4.0]) / temperature, rel=1e-12
        ), (
            f"temperature={temperature}도 logits를 나눕니다: greedy(0)로 바꾸는 것은 temperature 0일 때뿐"
            " (동점인 최댓값 둘이 그대로 남아야 합니다)"
        )


def test_sample_returns_an_int_id_and_follows_the_generator(day5):
    first = [day5.sample([0.0, 1.0, 2.0], np.random.default_rng(5)) for _ in range(3)]
    assert all(type(i) is int and 0 <= i < 3 for i in first), f"sample은 파이썬 int id를 돌려줍니다, got {first!r}"
    rng, again = np.random.default_rng(42), np.random.default_rng(42)
    assert [day5.sample([0.0, 1.0, 2.0], rng) for _ in range(20)] == [day5.sample([0.0, 1.0, 2.0], again) for _ in range(20)], (
        "sample은 넘겨받은 rng로 뽑습니다: 같은 seed면 같은 id"
    )


def test_adding_a_constant_to_the_logits_changes_no_draw(day5):
    logits = np.array([1.0, 0.0, 2.0, -1.0])
    for shift in (800.0, -800.0):
        draws = [day5.sample(logits, np.random.default_rng(seed)) for seed in range(20)]
        shifted = [day5.sample(logits + shift, np.random.default_rng(seed)) for seed in range(20)]
        assert shifted == draws, "exp(800)은 inf, exp(-800)은 0입니다: 최댓값을 빼고 exp하세요 (상수를 더해도 같은 id)"


def test_a_certain_token_is_always_drawn(day5):
    rng = np.random.default_rng(0)
    assert {day5.sample([-np.inf, 0.0, -np.inf], rng) for _ in range(50)} == {1}, "logit이 -inf인 id는 확률 0: 절대 뽑히지 않습니다"
    assert {day5.sample([0.0, 1e4, 0.0], rng) for _ in range(50)} == {1}, "확률이 1인 id만 뽑힙니다 (최댓값을 빼고 exp)"


def test_sample_frequencies_follow_softmax(day5):
    logits = np.array([1.0, 0.0, 2.0, -1.0, 0.5])
    rng = np.random.default_rng(2024)
    draws = np.array([day5.sample(logits, rng) for _ in range(DRAWS)])
    probs = np.exp(logits) / np.exp(logits).sum()
    assert chi_square(draws, probs) < CHI2_4_DOF_1E6, "id마다 확률은 softmax(logits)입니다: 가장 큰 것만이나 균등하게가 아니라 그 확률대로 뽑으세요"


def test_sampling_at_a_temperature_follows_softmax_of_logits_over_t(day5):
    logits, temperature = np.array([0.5, 0.0, 1.0, -0.5, 0.25]), 0.5  # divided: the logits of the test above
    rng = np.random.default_rng(7)
    scaled = day5.apply_temperature(logits, temperature)
    draws = np.array([day5.sample(scaled, rng) for _ in range(DRAWS)])
    probs = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
    assert chi_square(draws, probs) < CHI2_4_DOF_1E6


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [-0.5, -1e-9, float("nan")])
def test_a_negative_temperature_is_an_error(day5, temperature):
    with pytest.raises(ValueError, match="temperature"):
        day5.apply_temperature([1.0, 2.0], temperature)


@pytest.mark.parametrize("logits", [[], [[1.0, 2.0]]])
def test_logits_must_be_one_non_empty_row(day5, logits):
    for choose in (day5.greedy, lambda z: day5.sample(z, np.random.default_rng(0))):
        with pytest.raises(ValueError, match="shape"):
            choose(np.array(logits))


# --- laws (hypothesis) --------------------------------------------------------


@given(logit_vectors)
def test_greedy_is_the_first_maximum(day5, logits):
    choice = day5.greedy(logits)
    assert logits[choice] == logits.max() and (logits[:choice] < logits.max()).all()


@given(logit_vectors, st.floats(0.05, 20))
def test_temperature_keeps_the_order_of_the_logits(day5, logits, temperature):
    scaled = day5.apply_temperature(logits, temperature)
    np.testing.assert_allclose(scaled * temperature, logits, rtol=1e-12, atol=1e-12)
    ranked = scaled[np.argsort(logits, kind="stable")]  # dividing by T > 0 never swaps two logits, though
    assert (ranked[:-1] <= ranked[1:]).all()  # rounding may make two equal: 5e-324 / 2 is 0


@given(logit_vectors, st.one_of(st.floats(1e-12, 1e-3), st.integers(3, 300).map(lambda e: 10.0**-e)))
def test_any_positive_temperature_divides_however_small(day5, logits, temperature):  # |logits| <= 50: 50 / 1e-300 is finite
    scaled = day5.apply_temperature(logits, temperature)
    assert np.allclose(scaled * temperature, logits, rtol=1e-12, atol=1e-12), (
        f"temperature={temperature}도 logits를 나눕니다: greedy는 temperature 0일 때뿐입니다"
    )


@given(logit_vectors, st.integers(0, 2**32 - 1))
def test_a_sampled_id_is_never_one_with_logit_minus_infinity(day5, logits, seed):
    masked = np.where(np.arange(len(logits)) % 2 == 1, -np.inf, logits)
    assert day5.sample(masked, np.random.default_rng(seed)) % 2 == 0


@given(logit_vectors, st.integers(0, 2**32 - 1))
def test_as_temperature_falls_to_zero_sampling_becomes_greedy(day5, logits, seed):
    best = day5.greedy(logits)
    rng = np.random.default_rng(seed)
    assert day5.sample(day5.apply_temperature(logits, 0), rng) == best
    gap = logits.max() - np.max(logits[logits < logits.max()], initial=-np.inf)
    if np.isfinite(gap) and gap > 1e-3 and (logits == logits.max()).sum() == 1:
        assert day5.sample(day5.apply_temperature(logits, gap / 800), rng) == best  # others below e^-800
