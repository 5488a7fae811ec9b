"""Given code (not a kata, not graded): ``fast_bpe.FastBPETokenizer`` learns kata 4's merges
and encodes to kata 4's ids, on every input.

Kata 4's reference is the definition here: its own tests (``test_04_bpe_tokenizer.py``)
hold it to recounting every pair before every merge. These tests run on the reference.
"""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

EOT = "<|endoftext|>"


@pytest.fixture(scope="module")
def tok(reference):
    return reference("tokenizers")


@pytest.fixture(scope="module")
def fast(reference):
    return reference("fast_bpe")


def both(tok, fast, pattern, specials):
    """The kata's tokenizer and the fast one, alike."""
    options = {"pattern": tok.GPT2_PATTERN if pattern else None, "special_tokens": specials}
    return tok.SimpleBPETokenizer(**options), fast.FastBPETokenizer(**options)


# Texts where merges overlap and tie: runs of one byte (a a a ...), repeated pieces,
# special tokens inside the text, any Unicode.
texts = st.one_of(
    st.lists(st.sampled_from(["a", "b", "aa", "ab", " ", "ba", "abab", "aaa", "\n", "c", " ab", "aab"]), max_size=120).map("".join),
    st.text(alphabet="ab \n'", max_size=300),
    st.lists(st.sampled_from(["the", " cat", "'ll", " 12", "🙂", "é", "한국", EOT, "  ", "\t"]), max_size=40).map("".join),
    st.text(max_size=80),
)
specials = st.sampled_from([[], [EOT], ["aab", "<|end|>"]])
long_piece = st.sampled_from([0, 8, 10**9])  # which pieces go to LongPieces (NumPy): all, those over 8 characters, none


@pytest.fixture(scope="module")
def with_long(fast):
    """``with_long(n)``: a context in which ``fast.LONG_PIECE`` is ``n``."""

    @contextlib.contextmanager
    def setting(n):
        old, fast.LONG_PIECE = fast.LONG_PIECE, n
        try:
            yield
        finally:
            fast.LONG_PIECE = old

    return setting


@given(texts, st.integers(0, 60), st.booleans(), specials, long_piece)
def test_fast_training_learns_the_kata_merges(tok, fast, with_long, text, n_merges, pattern, special, n):
    kata, quick = both(tok, fast, pattern, special)
    kata.train(text, 256 + n_merges + len(special))
    with with_long(n):
        quick.train(text, 256 + n_merges + len(special))
    assert list(quick.merges) == list(kata.merges)
    assert quick.vocab == kata.vocab and quick.special_tokens == kata.special_tokens


@given(texts, texts, st.integers(0, 60), st.booleans(), specials, long_piece)
def test_fast_encoding_gives_the_kata_ids(tok, fast, with_long, training_text, text, n_merges, pattern, special, n):
    kata, quick = both(tok, fast, pattern, special)
    quick.train(training_text + training_text[::-1], 256 + n_merges + len(special))
    kata = kata.from_merges(quick.merges, kata.pattern, special)
    with with_long(n):
        assert quick.encode(text) == kata.encode(text)
        assert quick.encode(training_text) == kata.encode(training_text)


@pytest.mark.parametrize("long", [1, 10**9])
def test_long_runs_of_one_byte(tok, fast, with_long, long):
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 100):
        text = "a" * n + "b" + "a" * (n + 1)
        kata, quick = both(tok, fast, False, [])
        kata.train(text, 266)
        with with_long(long):
            quick.train(text, 266)
            assert quick.merges == kata.merges
            assert quick.encode(text * 2) == kata.encode(text * 2)


def test_training_again_replaces_the_merges(fast):
    tokenizer = fast.FastBPETokenizer()
    tokenizer.train("aaabdaaabac", 259)
    tokenizer.train("xyxyxy", 257)
    assert tokenizer.merges == {(120, 121): 256}


def test_bad_input_is_refused_as_by_the_kata(fast):
    tokenizer = fast.FastBPETokenizer(special_tokens=[EOT])
    tokenizer.train("abab", 258)
    for text, vocab_size, error in (("abab", 256, ValueError), ("abab", 300.5, ValueError), (b"abab", 300, TypeError)):
        with pytest.raises(error, match="vocab_size|text"):
            tokenizer.train(text, vocab_size)
        assert tokenizer.merges == {(97, 98): 256}, "a failed call leaves the tokenizer as it was"
    with pytest.raises(TypeError, match="text"):
        tokenizer.encode(None)


def test_encode_iterable_uses_the_fast_encode(fast):
    tokenizer = fast.FastBPETokenizer(special_tokens=[EOT])
    tokenizer.train("the cat sat on the mat " * 20, 300)
    text = "the cat sat" + EOT + " on the mat\n"
    assert list(tokenizer.encode_iterable(text.splitlines(keepends=True) * 3)) == tokenizer.encode(text * 3)
