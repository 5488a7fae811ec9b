"""Given code on the BPE tokenizer (not a kata, not graded): ``encode_iterable``, and the
long-piece paths of the reference (``pattern=None``) against the definitions.

These tests run on the reference.
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


@given(st.text(alphabet="ab c\n'", max_size=80), st.integers(256, 300))
def test_the_long_path_trains_and_encodes_gpt2_pieces_alike(tok, text, vocab_size):
    short, long = tok.SimpleBPETokenizer(tok.GPT2_PATTERN), tok.SimpleBPETokenizer(tok.GPT2_PATTERN)
    long.LONG_PIECE = 0  # every piece, many of them repeated (weights)
    short.train(text, vocab_size)
    long.train(text, vocab_size)
    assert long.merges == short.merges
    assert long.encode(text[::-1] + text) == short.encode(text[::-1] + text)


# --- the long-piece paths (pattern=None) against the definitions -------------------------


def definition_merges(tok, text, n_merges, specials):
    """BPE training by its definition: recount every pair before every merge."""
    pieces = [p for p in tok.SimpleBPETokenizer(None, specials).split(text) if p not in specials]
    words = [list(p.encode("utf-8")) for p in pieces]
    vocab = {i: bytes([i]) for i in range(256)}
    merges = []
    for new_id in range(256, 256 + n_merges):
        counts = {}
        for word in words:
            for pair, k in tok.get_pair_counts(word).items():
                counts[pair] = counts.get(pair, 0) + k
        if not counts:
            break
        pair = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]], -p[0], -p[1]))
        merges.append(pair)
        vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
        words = [tok.merge_pair(word, pair, new_id) for word in words]
    return merges


def definition_encode(tok, merges, text, specials):
    """Encoding by its definition: in each piece, merge the earliest-learned pair until none is left."""
    ids_of = {token: [256 + len(merges) + i] for i, token in enumerate(specials)}
    out = []
    for piece in tok.SimpleBPETokenizer(None, specials).split(text):
        if piece in ids_of:
            out += ids_of[piece]
            continue
        ids = list(piece.encode("utf-8"))
        while (pairs := [p for p in zip(ids, ids[1:]) if p in merges]):
            pair = min(pairs, key=merges.get)
            ids = tok.merge_pair(ids, pair, merges[pair])
        out += ids
    return out


long_texts = st.one_of(
    st.lists(st.sampled_from(["a", "b", "aa", "ab", " ", "ba", "abab", "aaa", "\n", "c"]), max_size=120).map("".join),
    st.text(alphabet="ab \n", max_size=300),
    st.text(max_size=80),
)


# which pieces take the long path: all of them, those over 8 characters, none
long_piece = st.sampled_from([0, 8, 10**9])


@given(long_texts, st.integers(0, 40), st.booleans(), long_piece)
def test_one_long_piece_trains_by_the_definition(tok, text, n_merges, special, long):
    specials = ["aab"] if special else []
    tokenizer = tok.SimpleBPETokenizer(None, specials)
    tokenizer.LONG_PIECE = long
    tokenizer.train(text, 256 + n_merges + len(specials))
    assert list(tokenizer.merges) == definition_merges(tok, text, n_merges, specials)


@given(long_texts, long_texts, st.integers(0, 40), st.booleans(), long_piece)
def test_one_long_piece_encodes_by_the_definition(tok, training_text, text, n_merges, special, long):
    specials = ["aab"] if special else []
    tokenizer = tok.SimpleBPETokenizer(None, specials)
    tokenizer.LONG_PIECE = long
    tokenizer.train(training_text + training_text[::-1], 256 + n_merges + len(specials))
    assert tokenizer.encode(text) == definition_encode(tok, tokenizer.merges, text, specials)


def test_long_runs_of_one_byte(tok):
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 100):
        text = "a" * n + "b" + "a" * (n + 1)
        tokenizer = tok.SimpleBPETokenizer()
        tokenizer.LONG_PIECE = 0
        tokenizer.train(text, 266)
        assert list(tokenizer.merges) == definition_merges(tok, text, 10, [])
        assert tokenizer.encode(text * 2) == definition_encode(tok, tokenizer.merges, text * 2, [])

