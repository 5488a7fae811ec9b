"""Kata 13: top-k and top-p (nucleus) filtering.

Read: study_notes/04_text_generation.md#top-k-top-p
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

logit_vectors = hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-30, 30))
PROBS = np.array([0.5, 0.3, 0.15, 0.05])


def kept(filtered):
    return np.flatnonzero(np.isfinite(filtered)).tolist()


# --- simple cases -------------------------------------------------------------


def test_top_k_keeps_the_k_highest(day5):
    assert day5.top_k_filter([1.0, 4.0, 2.0, 3.0], 2).tolist() == [-np.inf, 4.0, -np.inf, 3.0], (
        "top-k는 *가장 높은* k개를 그대로 두고 나머지를 -inf로"
    )


def test_top_k_ties_at_the_border_go_to_the_lower_ids(day5):
    border = "정확히 k개를 남깁니다: 경계의 동점은 작은 id가 이깁니다 (np.argsort(-logits, kind='stable'))"
    assert day5.top_k_filter([5.0, 1.0, 1.0, 1.0], 2).tolist() == [5.0, 1.0, -np.inf, -np.inf], border
    assert day5.top_k_filter([1.0, 3.0, 2.0, 3.0], 2).tolist() == [-np.inf, 3.0, -np.inf, 3.0], border
    many = np.tile([3.0, 1.0, 2.0, 1.0], 10)  # beyond 16 entries numpy's default sort is not stable
    assert kept(day5.top_k_filter(many, 15)) == sorted([*range(0, 40, 4), 2, 6, 10, 14, 18]), border


def test_top_k_of_v_or_more_keeps_everything(day5):
    assert day5.top_k_filter([1.0, 2.0, 3.0], 3).tolist() == [1.0, 2.0, 3.0]
    assert day5.top_k_filter([1.0, 2.0, 3.0], 10).tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("p, ids", [(0.3, [0]), (0.5, [0]), (0.6, [0, 1]), (0.9, [0, 1, 2]), (0.97, [0, 1, 2, 3]), (1.0, [0, 1, 2, 3])])
def test_top_p_keeps_the_fewest_tokens_that_reach_p(day5, p, ids):
    assert kept(day5.top_p_filter(np.log(PROBS), p)) == ids, (
        "top-p는 확률을 큰 순서로 *누적*해서 처음으로 p *이상*이 되는 토큰까지 포함합니다 (그 토큰은 남기고, 하나 더는 아님)"
    )


def test_top_p_of_one_keeps_every_token_even_when_rounding_leaves_the_total_short(day5):
    # softmax([3, 1]) = [0.8808, 0.1192], whose float sum is 0.9999999999999999: no running total reaches 1
    assert kept(day5.top_p_filter([3.0, 1.0], 1.0)) == [0, 1], (
        "누적 확률이 반올림 때문에 p에 못 미치면 모든 토큰을 남깁니다: p = 1은 아무것도 거르지 않습니다"
        " (np.argmax(total >= p)는 그런 토큰이 없을 때 0을 돌려줍니다)"
    )


def test_top_p_keeps_the_token_that_crosses_the_threshold(day5):
    assert kept(day5.top_p_filter(np.log([0.1, 0.6, 0.3]), 0.65)) == [1, 2], "p를 넘는 토큰도 남깁니다: 0.6 < 0.65 <= 0.9"


def test_top_p_sorts_by_probability_not_by_id(day5):
    assert kept(day5.top_p_filter(np.log([0.05, 0.15, 0.3, 0.5]), 0.7)) == [2, 3], "확률이 큰 순서로 누적합니다 (id 순서가 아니라)"


def test_top_p_ties_go_to_the_lower_ids(day5):
    many = np.tile([3.0, 1.0, 2.0, 1.0], 10)
    probs = np.exp(many) / np.exp(many).sum()
    p = probs[0] * 10 + probs[2] * 2.5  # every 3.0, then three of the 2.0s
    assert kept(day5.top_p_filter(many, p)) == sorted([*range(0, 40, 4), 2, 6, 10]), (
        "확률이 같으면 작은 id가 먼저입니다: np.argsort(-logits, kind='stable')"
    )


def test_a_tiny_p_still_keeps_one_token(day5):
    assert kept(day5.top_p_filter([0.0, 0.0, 0.0], 1e-9)) == [0]


def test_filters_leave_kept_logits_untouched_and_the_input_alone(day5):
    logits = np.array([0.3, -1.2, 2.5, 0.7])
    untouched = "거르기는 남긴 logit을 바꾸지 않습니다 (확률이나 log 확률로 바꾸지 말고, 나머지만 -inf로)"
    assert day5.top_k_filter(logits, 2).tolist() == [-np.inf, -np.inf, 2.5, 0.7], untouched
    assert day5.top_p_filter(logits, 0.99)[[0, 2, 3]].tolist() == [0.3, 2.5, 0.7], untouched
    assert logits.tolist() == [0.3, -1.2, 2.5, 0.7], "입력 배열은 바꾸지 않습니다: 새 배열에 거른 결과를"


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, -1, 1.5])
def test_k_must_be_a_positive_integer(day5, k):
    with pytest.raises(ValueError, match="k"):
        day5.top_k_filter([1.0, 2.0], k)


@pytest.mark.parametrize("p", [0.0, -0.1, 1.01, float("nan")])
def test_p_must_lie_in_zero_one(day5, p):
    with pytest.raises(ValueError, match=r"\bp\b"):
        day5.top_p_filter([1.0, 2.0], p)


# --- laws (hypothesis) --------------------------------------------------------


@given(logit_vectors, st.integers(1, 15))
def test_top_k_keeps_exactly_min_k_v_of_the_highest(day5, logits, k):
    filtered = day5.top_k_filter(logits, k)
    ids = kept(filtered)
    assert len(ids) == min(k, len(logits))
    assert (filtered[ids] == logits[ids]).all()  # kept logits are untouched, so their order is too
    dropped = np.setdiff1d(np.arange(len(logits)), ids)
    assert all(logits[d] <= logits[ids].min() for d in dropped)


@given(logit_vectors, st.floats(1e-6, 1.0))
def test_top_p_keeps_the_smallest_set_that_reaches_p(day5, logits, p):
    filtered = day5.top_p_filter(logits, p)
    ids = kept(filtered)
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert ids and (filtered[ids] == logits[ids]).all()
    dropped = np.setdiff1d(np.arange(len(logits)), ids)
    assert all(probs[d] <= probs[ids].min() for d in dropped)  # the most probable tokens are kept
    assert probs[ids].sum() >= p - 1e-9 or len(ids) == len(logits)  # they reach p ...
    smallest = probs[ids].min()
    assert probs[ids].sum() - smallest < p + 1e-9  # ... and one fewer would not


@given(logit_vectors)
def test_top_p_of_one_drops_no_token_of_real_probability(day5, logits):
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    ids = kept(day5.top_p_filter(logits, 1.0))
    assert set(np.flatnonzero(probs > 1e-9)) <= set(ids), (
        "p = 1은 확률이 있는 토큰을 하나도 거르지 않습니다: 누적이 반올림으로 1에 못 미치면 모두 남기세요"
    )


@given(logit_vectors)
def test_top_k_of_one_and_a_tiny_top_p_are_greedy(day5, logits):
    best = int(np.argmax(logits))
    assert kept(day5.top_k_filter(logits, 1)) == [best]
    assert kept(day5.top_p_filter(logits, 1e-12)) == [best]


@given(logit_vectors, st.integers(1, 15))
def test_top_k_twice_is_top_k_once(day5, logits, k):
    once = day5.top_k_filter(logits, k)
    assert day5.top_k_filter(once, k).tolist() == once.tolist()
