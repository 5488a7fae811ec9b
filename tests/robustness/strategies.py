"""Hypothesis strategies for values that break a documented contract (see CONTRIBUTING.md's "Bad input").

Each strategy draws only values that the contract rejects, so a call with one of them
must raise, and the test needs no oracle.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])

# values that are no number at all, of many types (a bool is tested on its own)
not_numbers = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.binary(max_size=4),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
    st.just(np.array([1.0, 2.0])),
    st.complex_numbers(max_magnitude=10),
)


def bad_integer(low: int | None = 1, optional: bool = False):
    """Anything but an integer >= ``low`` (None too, unless ``optional``)."""
    below = st.nothing() if low is None else st.integers(max_value=low - 1)
    wrong = st.one_of(not_numbers, st.booleans(), st.floats(), below, st.just(np.float64(3.0)))
    return wrong.filter(lambda v: v is not None) if optional else wrong


def bad_number(interval: str, optional: bool = False):
    """Anything but a real number in ``interval`` (written like ``"(0, 1]"``), NaN and inf included."""
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    outside = st.one_of(
        st.floats(max_value=low, exclude_max=interval[0] == "[") if low > -math.inf else st.nothing(),
        st.floats(min_value=high, exclude_min=interval[-1] == "]") if high < math.inf else st.nothing(),
        st.just(math.nan),
        st.just(math.inf) if interval[-1] == ")" else st.nothing(),
    )
    wrong = st.one_of(not_numbers, st.booleans(), outside)
    return wrong.filter(lambda v: v is not None) if optional else wrong


bad_text = st.one_of(
    st.none(), st.integers(), st.floats(), st.binary(max_size=4), st.lists(st.text(max_size=3), min_size=1, max_size=3),
    st.just(["ab", "cd"]), st.just(b"hello"), st.just(np.array(["a", "b"])),
)

# sequences that are not token ids: wrong element types, negative or too large, not flat, not a sequence
bad_ids = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(min_size=1, max_size=4),
    st.binary(min_size=1, max_size=4),
    st.lists(st.floats(), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.lists(st.integers(max_value=-1), min_size=1, max_size=4),
    st.lists(st.text(min_size=1, max_size=2), min_size=1, max_size=3),
    st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=2), min_size=1, max_size=2),
    st.sampled_from([
        np.array([2**63], dtype=np.uint64),
        np.array([2**64 - 1], dtype=np.uint64),
        np.array([1.0, 2.0]),
        np.array([True, False]),
        np.array([[1, 2], [3, 4]]),
        np.array(3),
        np.array([1 + 2j]),
        np.array([-5, 3]),
        [1, 2.5],
        [1, None],
        [1, "2"],
    ]),
)


@st.composite
def bad_logits(draw, one_row: bool = False):
    """Logits that break ``check_logits``: NaN, +inf, a row of -inf only, no entries, the wrong dtype,
    and with ``one_row`` the wrong number of dimensions."""
    shape = (draw(st.integers(1, 5)),) if one_row else draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    logits = draw(st.lists(st.floats(-50, 50), min_size=math.prod(shape), max_size=math.prod(shape))).copy()
    logits = np.array(logits, dtype=np.float64).reshape(shape)
    flat = logits.reshape(-1)
    kind = draw(st.sampled_from(["nan", "inf", "all -inf", "empty", "dtype", "not an array"] + ["ndim"] * one_row))
    if kind in ("nan", "inf"):
        flat[draw(st.integers(0, flat.size - 1))] = math.nan if kind == "nan" else math.inf
        return logits
    if kind == "all -inf":
        logits[..., :] = -math.inf
        return logits
    if kind == "empty":
        return np.zeros(shape[:-1] + (0,))
    if kind == "dtype":
        return draw(st.sampled_from([logits > 0, logits.astype(complex), logits.astype(str), logits.astype(object)]))
    if kind == "ndim":
        return draw(st.sampled_from([logits[None], np.float64(1.0), np.zeros((2, 2))]))
    return draw(st.one_of(st.none(), st.text(max_size=3), st.just([1.0, "a"]), st.just(object())))
