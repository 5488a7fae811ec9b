"""Given code on the BPE tokenizer (not a kata, not graded): ``encode_iterable``.

These tests run on the reference; ``test_bpe_fast.py`` holds ``FastBPETokenizer`` to kata 4.
"""

import tracemalloc
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

EOT = "<|endoftext|>"
TRAINING = ("the cat's ate 'll 12 345 -- it'll've   \n\n  spaces\t" + EOT + " héllo wörld 한국어 🙂 ") * 4


@pytest.fixture(scope="module")
def tok(reference):
    return reference("tokenizers")


def trained(tok, pattern, specials, vocab_size=300):
    tokenizer = tok.SimpleBPETokenizer(tok.GPT2_PATTERN if pattern else None, specials)
    tokenizer.train(TRAINING, vocab_size + len(specials))
    tokenizer.STREAM_BATCH = 1  # split after every chunk, so that every cut is exercised
    return tokenizer


@pytest.fixture(scope="module")
def tokenizers(tok):
    return {(pattern, bool(specials)): trained(tok, pattern, specials)
            for pattern in (True, False) for specials in ([], [EOT, "<|end|>", "'l"])}


# Texts made of the pieces that straddle badly: contractions, runs of white space, special tokens, emoji.
parts = st.sampled_from(["'", "l", "ll", "'ll", "s", " ", "  ", "\n", "\t", "<|end", "oftext|>", "<|end|>", "|>",
                         "cat", " the", "12", "한", "🙂", "é", "-", EOT])
texts = st.one_of(st.lists(parts, max_size=25).map("".join), st.text(max_size=60))


@st.composite
def cut(draw, text_strategy=texts):
    """A text and a way of cutting it into chunks (empty chunks included)."""
    text = draw(text_strategy)
    ends = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    bounds = [0, *ends, len(text)]
    return text, [text[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=200)
@given(cut(), st.booleans(), st.booleans())
def test_encode_iterable_equals_encode_of_the_joined_text(tokenizers, example, pattern, specials):
    text, chunks = example
    tokenizer = tokenizers[pattern, specials]
    assert list(tokenizer.encode_iterable(chunks)) == tokenizer.encode(text)


@given(cut(), st.booleans())
def test_encode_iterable_with_the_default_batch(tok, tokenizers, example, pattern):
    text, chunks = example
    tokenizer = tokenizers[pattern, True]
    fresh = tok.SimpleBPETokenizer.from_merges(tokenizer.merges, tokenizer.pattern, list(tokenizer.special_tokens))
    assert list(fresh.encode_iterable(chunks * 3)) == fresh.encode(text * 3)


def test_encode_iterable_is_lazy(tokenizers):
    tokenizer = tokenizers[True, True]

    def lines():
        yield from ["the cat sat\n"] * 2000
        raise AssertionError("read past what was asked")

    first = list(islice(tokenizer.encode_iterable(lines()), 5))
    assert first == tokenizer.encode("the cat sat\n" * 2)[:5]


def test_encode_iterable_memory_is_bounded_by_the_piece_not_the_text(tok, tokenizers):
    """Four times the text, consumed as it comes, takes no more memory at its peak (tracemalloc)."""
    tokenizer = tok.SimpleBPETokenizer.from_merges(tokenizers[True, True].merges, tok.GPT2_PATTERN, [EOT])
    line = "the cat's 'll 12 héllo 🙂 — <|endoftext|> a longer line of ordinary words\n"
    per_line = tokenizer.encode(line)

    def peak(lines):
        tracemalloc.start()
        try:
            n = sum(1 for _ in tokenizer.encode_iterable(line for _ in range(lines)))
            return n, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    (n_small, small), (n_large, large) = peak(400), peak(1600)
    assert (n_small, n_large) == (400 * len(per_line), 1600 * len(per_line))
    size = 1600 * len(line.encode("utf-8"))
    assert large < small + 50_000 and large < 1_000_000, f"peak {large:,} bytes for {size:,} bytes ({small:,} for a quarter)"
