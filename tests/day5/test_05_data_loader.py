"""Kata 5: DataLoader -- windows, shifted targets, batches and epochs.

Read: study_notes/02_training_loop.md#dataloader
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

IDS = [5, 8, 2, 9, 4, 7, 1, 3, 6]


def batches(loader):
    return [(inputs.tolist(), targets.tolist()) for inputs, targets in loader]


def window_starts(loader):
    """The start of every window of one epoch, in order (for ids = 0, 1, 2, ...)."""
    return [int(start) for inputs, _ in loader for start in inputs[:, 0]]


# --- simple cases -------------------------------------------------------------


def test_one_batch_of_two_windows(day5):
    loader = day5.DataLoader(IDS, batch_size=2, seq_len=4)
    windows = (
        "창은 seq_len + 1개의 id이고 창 w는 w * seq_len에서 시작합니다 (이웃한 창은 토큰 하나를 같이 씀);"
        " 창의 개수는 (len(ids) - 1) // seq_len, inputs = 창[:-1], targets = 창[1:]"
    )
    assert len(loader) == 1, windows
    assert batches(loader) == [([[5, 8, 2, 9], [4, 7, 1, 3]], [[8, 2, 9, 4], [7, 1, 3, 6]])], windows


def test_batches_are_int64_arrays_of_shape_batch_by_seq_len(day5):
    inputs, targets = next(iter(day5.DataLoader(list(range(100)), batch_size=4, seq_len=8)))
    for array in (inputs, targets):
        assert isinstance(array, np.ndarray) and array.dtype == np.int64 and array.shape == (4, 8)


def test_without_shuffle_the_windows_come_in_order(day5):
    loader = day5.DataLoader(np.arange(13), batch_size=3, seq_len=3)
    assert batches(loader) == [
        ([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
        ([[9, 10, 11]], [[10, 11, 12]]),
    ], "배치 b는 창 b * batch_size부터 batch_size개; drop_last가 아니면 작은 마지막 배치도 냅니다 (배치 수는 올림)"


def test_the_last_batch_is_smaller_unless_drop_last(day5):
    ids = list(range(23))  # (23 - 1) // 2 = 11 windows
    loader = day5.DataLoader(ids, batch_size=4, seq_len=2)
    assert len(loader) == 3 and [len(inputs) for inputs, _ in loader] == [4, 4, 3], "drop_last가 아니면 작은 마지막 배치도 냅니다"
    loader = day5.DataLoader(ids, batch_size=4, seq_len=2, drop_last=True)
    assert len(loader) == 2 and [len(inputs) for inputs, _ in loader] == [4, 4], "drop_last이면 모자란 마지막 배치는 없습니다: len도 그것을 셉니다"


def test_each_batch_is_its_own_array(day5):
    collected = list(day5.DataLoader(np.arange(13), batch_size=2, seq_len=3))  # kept, not read one at a time
    assert [(inputs.tolist(), targets.tolist()) for inputs, targets in collected] == [
        ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]]),
        ([[6, 7, 8], [9, 10, 11]], [[7, 8, 9], [10, 11, 12]]),
    ], "배치마다 새 배열을 내세요: 한 배열을 다시 채워 내면 앞서 받은 배치가 다음 배치로 바뀝니다"


def test_drop_last_with_exactly_one_full_batch(day5, accepts):
    one_batch = "창이 batch_size개뿐이어도 꽉 찬 배치 하나입니다: drop_last의 오류는 창이 batch_size보다 *적을* 때만"
    loader = accepts(lambda: day5.DataLoader(IDS, batch_size=2, seq_len=4, drop_last=True), one_batch)  # 2 windows
    assert len(loader) == 1 and batches(loader) == [([[5, 8, 2, 9], [4, 7, 1, 3]], [[8, 2, 9, 4], [7, 1, 3, 6]])], one_batch


def test_ids_after_the_last_whole_window_are_not_used(day5):
    loader = day5.DataLoader(list(range(12)), batch_size=8, seq_len=3)  # ids 10 and 11 make no window
    assert batches(loader) == [([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]])]


def test_a_seeded_shuffle_is_reproducible_and_changes_between_epochs(day5):
    first = day5.DataLoader(np.arange(201), batch_size=8, seq_len=4, shuffle=True, seed=7)
    second = day5.DataLoader(np.arange(201), batch_size=8, seq_len=4, shuffle=True, seed=7)
    epochs = [window_starts(first) for _ in range(3)]
    assert epochs == [window_starts(second) for _ in range(3)], "shuffle은 seed로 만든 Generator를 씁니다: 같은 seed면 같은 순서"
    assert epochs[0] != epochs[1] != epochs[2], "Generator는 __init__에서 한 번만 만드세요: 매번 새로 seed하면 epoch마다 순서가 같습니다"
    assert all(sorted(epoch) == list(range(0, 200, 4)) for epoch in epochs), "섞는 것은 창의 순서입니다 (토큰이 아니라): 창마다 한 번씩"
    assert epochs[0] != list(range(0, 200, 4)), "shuffle=True이면 epoch마다 창의 순서를 섞습니다"


def test_different_seeds_give_different_orders(day5):
    orders = {tuple(window_starts(day5.DataLoader(np.arange(201), 8, 4, shuffle=True, seed=seed))) for seed in range(3)}
    assert len(orders) == 3


def test_train_val_split_puts_the_validation_part_last(day5):
    train, val = day5.train_val_split(list(range(10)), val_fraction=0.2)
    assert train.tolist() == list(range(8)) and val.tolist() == [8, 9], "검증 부분은 맨 뒤의 id입니다 (섞지 않은 앞부분이 학습)"
    train, val = day5.train_val_split(list(range(10)), val_fraction=0.29)
    assert val.tolist() == [7, 8, 9], "검증 id의 수는 round(len * val_fraction)입니다 (내림이 아니라 반올림): round(2.9) = 3"
    train, val = day5.train_val_split(np.arange(100))
    assert len(train) == 90 and val.tolist() == list(range(90, 100))


# --- edge cases and errors ----------------------------------------------------


def test_exactly_one_window_of_data(day5):
    assert batches(day5.DataLoader([1, 2, 3, 4], batch_size=5, seq_len=3)) == [([[1, 2, 3]], [[2, 3, 4]])]


@pytest.mark.parametrize("batch_size, seq_len", [(0, 2), (2, 0), (-1, 2), (2, -3), (1.5, 2), (2, 2.0)])
def test_sizes_must_be_positive_integers(day5, batch_size, seq_len):
    with pytest.raises(ValueError, match="batch_size" if batch_size != 2 else "seq_len"):
        day5.DataLoader(list(range(50)), batch_size=batch_size, seq_len=seq_len)


@pytest.mark.parametrize("ids", [[], [1], [1, 2, 3]])
def test_too_few_ids_for_one_window_is_an_error(day5, ids):
    with pytest.raises(ValueError, match="too few"):
        day5.DataLoader(ids, batch_size=1, seq_len=3)


def test_drop_last_without_one_full_batch_is_an_error(day5):
    with pytest.raises(ValueError, match="drop_last"):
        day5.DataLoader(list(range(10)), batch_size=4, seq_len=3, drop_last=True)  # 3 windows


@pytest.mark.parametrize("ids", [[0.5, 1.5, 2.5, 3.5], [[1, 2, 3], [4, 5, 6]], ["a", "b", "c"]])
def test_token_ids_must_be_a_flat_list_of_integers(day5, ids):
    with pytest.raises(TypeError, match="token_ids"):
        day5.DataLoader(ids, batch_size=1, seq_len=2)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_val_fraction_must_lie_between_0_and_1(day5, fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        day5.train_val_split(list(range(100)), val_fraction=fraction)


def test_a_split_that_leaves_a_part_empty_is_an_error(day5):
    with pytest.raises(ValueError, match="empty"):
        day5.train_val_split([1, 2, 3], val_fraction=0.1)  # round(0.3) = 0 validation ids


# --- laws (hypothesis) --------------------------------------------------------


@given(
    n=st.integers(2, 100), batch_size=st.integers(1, 9), seq_len=st.integers(1, 12),
    shuffle=st.booleans(), drop_last=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_each_epoch_visits_every_window_once_with_targets_shifted_by_one(day5, n, batch_size, seq_len, shuffle, drop_last, seed):
    n_windows = (n - 1) // seq_len
    assume(n_windows >= (batch_size if drop_last else 1))
    loader = day5.DataLoader(np.arange(n), batch_size, seq_len, shuffle=shuffle, seed=seed, drop_last=drop_last)
    starts = []
    for inputs, targets in loader:
        assert inputs.shape == targets.shape and inputs.shape[1] == seq_len and 1 <= len(inputs) <= batch_size
        assert (inputs == inputs[:, :1] + np.arange(seq_len)).all()  # a window is a stretch of the source
        assert (targets == inputs + 1).all()  # the next token in the source, at every position
        starts += inputs[:, 0].tolist()
    every_window = list(range(0, n_windows * seq_len, seq_len))
    expected = n_windows - n_windows % batch_size if drop_last else n_windows
    assert len(starts) == expected == len(set(starts)) and set(starts) <= set(every_window)
    assert len(list(loader)) == len(loader) == -(-expected // batch_size)
    if not shuffle:
        assert starts == every_window[:expected]


@given(
    full=st.one_of(st.just(1), st.integers(2, 4)), rest=st.one_of(st.just(0), st.integers(1, 8)),  # often: exactly one batch
    batch_size=st.integers(1, 9), seq_len=st.integers(1, 6),
    shuffle=st.booleans(), drop_last=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_the_batches_kept_from_an_epoch_are_its_windows(day5, full, rest, batch_size, seq_len, shuffle, drop_last, seed):
    n_windows = full * batch_size + rest % batch_size  # at least one full batch, so drop_last always works
    ids = np.random.default_rng(seed).permutation(n_windows * seq_len + 1)  # distinct ids: every window differs
    collected = list(day5.DataLoader(ids, batch_size, seq_len, shuffle=shuffle, seed=seed, drop_last=drop_last))
    sizes = [batch_size] * full + ([] if drop_last or rest % batch_size == 0 else [rest % batch_size])
    assert [len(inputs) for inputs, _ in collected] == sizes, (
        "배치 수는 창 수 / batch_size의 올림 (drop_last이면 내림): 창이 꼭 batch_size개여도 꽉 찬 배치 하나"
    )
    windows = [inputs + targets[-1:] for a, b in collected for inputs, targets in zip(a.tolist(), b.tolist())]
    every_window = [ids[w * seq_len : (w + 1) * seq_len + 1].tolist() for w in range(n_windows)]
    assert all(window in every_window for window in windows) and len(set(map(tuple, windows))) == len(windows), (
        "모아 둔 배치는 다음 배치가 와도 그대로여야 합니다: 배치마다 새 배열을 내세요 (한 배열을 다시 채우지 말고)"
    )
    assert all((b[:, :-1] == a[:, 1:]).all() for a, b in collected), "targets는 inputs를 한 칸 민 것입니다"
    assert shuffle or windows == every_window[: len(windows)], "shuffle이 아니면 창은 순서대로 옵니다"


@given(ids=st.lists(st.integers(0, 10**6), min_size=2, max_size=200), fraction=st.floats(0.01, 0.99))
def test_a_split_loses_nothing_and_keeps_the_order(day5, ids, fraction):
    assume(0 < round(len(ids) * fraction) < len(ids))
    train, val = day5.train_val_split(ids, val_fraction=fraction)
    assert train.tolist() + val.tolist() == ids and len(val) == round(len(ids) * fraction)
