"""Kata 3: the two steps of BPE -- count neighbouring pairs, merge one pair.

Read: study_notes/01_tokenization_basics.md#bpe-pair-counts-and-merge
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

small_ids = st.lists(st.integers(0, 3), max_size=30)


# --- simple cases -------------------------------------------------------------


def test_pair_counts_of_a_short_list(day5):
    assert day5.get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}, (
        "이웃한 쌍을 모두(겹쳐서, 마지막 쌍까지) 세어 {(a, b): 횟수} dict로: zip(ids, ids[1:])"
    )


def test_pair_counts_overlap(day5):
    assert day5.get_pair_counts([1, 1, 1]) == {(1, 1): 2}


def test_merge_replaces_every_occurrence(day5):
    assert day5.merge_pair([1, 2, 3, 1, 2], (1, 2), 4) == [4, 3, 4], (
        "병합한 쌍은 new_id 하나가 되고 두 칸을 건너뜁니다 (쌍의 두 번째 id를 남기지 마세요)"
    )


def test_merge_scans_left_to_right_without_overlap(day5):
    left_to_right = "왼쪽부터 한 번 훑고 병합한 쌍은 두 칸을 건너뜁니다; 마지막 id도 남깁니다: [1, 1, 1] -> [9, 1]"
    assert day5.merge_pair([1, 1, 1], (1, 1), 9) == [9, 1], left_to_right
    assert day5.merge_pair([1, 1, 1, 1], (1, 1), 9) == [9, 9], left_to_right


def test_the_classic_example_aaabdaaabac(day5):
    ids = list(b"aaabdaaabac")
    counts = day5.get_pair_counts(ids)
    assert counts[(97, 97)] == 4 and max(counts.values()) == 4
    assert day5.merge_pair(ids, (97, 97), 256) == [256, 97, 98, 100, 256, 97, 98, 97, 99], (
        "쌍의 두 id가 모두, 그 순서로 맞아야 병합합니다"
    )


def test_a_pair_has_an_order(day5):
    assert day5.merge_pair([2, 1, 1, 2], (1, 2), 9) == [2, 1, 9], "쌍 (a, b)는 a 다음에 b일 때만 병합합니다 (순서가 있습니다)"


# --- edge cases ---------------------------------------------------------------


def test_no_pairs_in_empty_or_single_lists(day5):
    assert day5.get_pair_counts([]) == {}
    assert day5.get_pair_counts([7]) == {}


def test_merge_without_an_occurrence_changes_nothing(day5):
    assert day5.merge_pair([1, 2, 3], (3, 1), 9) == [1, 2, 3]
    assert day5.merge_pair([], (1, 2), 9) == []
    assert day5.merge_pair([1], (1, 1), 9) == [1]


def test_a_pair_given_as_a_list_or_an_array_merges_too(day5):
    for pair in ([1, 2], np.array([1, 2])):
        assert day5.merge_pair([1, 2, 3, 1, 2], pair, 4) == [4, 3, 4], (
            f"pair가 {type(pair).__name__}이어도 병합합니다 (JSON에서 읽은 병합은 list입니다): (a, b) == [a, b]는 False이니"
            " 두 id를 꺼내 비교하세요: first, second = pair"
        )


def test_merge_returns_a_new_list_and_leaves_the_input_alone(day5):
    ids = [1, 2, 1, 2]
    merged = day5.merge_pair(ids, (1, 2), 5)
    assert merged == [5, 5] and ids == [1, 2, 1, 2], "merge_pair는 새 목록을 돌려주고 입력 ids는 바꾸지 않습니다"


# --- laws (hypothesis) --------------------------------------------------------


@given(small_ids)
def test_pair_counts_add_up_to_the_number_of_neighbours(day5, ids):
    counts = day5.get_pair_counts(ids)
    assert sum(counts.values()) == max(len(ids) - 1, 0)
    assert all(n > 0 for n in counts.values())


def unmerge(ids, new_id, pair):
    return [i for token in ids for i in (pair if token == new_id else (token,))]


@given(small_ids, st.tuples(st.integers(0, 3), st.integers(0, 3)), st.sampled_from([tuple, list, np.array]))
def test_a_pair_merges_the_same_whatever_sequence_holds_it(day5, reference, ids, pair, kind):
    assert day5.merge_pair(ids, kind(pair), 99) == reference("tokenizers").merge_pair(ids, pair, 99), (
        f"pair가 {kind.__name__}이어도 튜플일 때와 같이 병합합니다: first, second = pair로 꺼내 비교하세요"
    )


@given(small_ids, st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_merge_is_undone_by_expanding_the_new_id(day5, ids, pair):
    merged = day5.merge_pair(ids, pair, 99)
    assert unmerge(merged, 99, pair) == ids, "쌍 (a, b)는 a 다음에 b일 때만 new_id로: new_id를 (a, b)로 되돌리면 원래 ids"
    assert len(merged) == len(ids) - merged.count(99)


@given(small_ids, st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_after_a_merge_the_pair_is_left_only_where_occurrences_overlapped(day5, ids, pair):
    merged = day5.merge_pair(ids, pair, 99)
    if pair[0] != pair[1]:
        assert pair not in day5.get_pair_counts(merged)
    assert merged.count(99) >= (day5.get_pair_counts(ids).get(pair, 0) + 1) // 2
