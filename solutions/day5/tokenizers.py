"""Katas 1-4: character, word and byte-level BPE tokenizers.

A tokenizer turns text into a list of integer ids and back. Fill in every
``# YOUR CODE HERE``; the tests in ``tests/day5/test_01`` to ``test_04`` say what
each method must do, in the order of the katas.

Each kata stands on its own: the character and word tokenizers share no code they
ask of you, so a bug in one never fails the other's tests.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import regex

from .serialization import as_id_list, check_integer, check_type, load_json, save_json, unknown_ids_named


def check_tokens(name: str, tokens) -> list[str]:
    """``tokens`` as a list of distinct, non-empty strings (given code); a single string is an error."""
    check_type(name, tokens, list, tuple)
    for token in tokens:
        if not isinstance(token, str) or not token:
            raise TypeError(f"{name} must be non-empty strings, got {token!r} in {tokens!r:.80}")
    if len(set(tokens)) < len(tokens):
        raise ValueError(f"{name} must be distinct, got {list(tokens)}")
    return list(tokens)


def loaded(path, kind: str, make):
    """``make()``, with any ``TypeError``/``ValueError`` reported as a damaged ``kind`` file at ``path``."""
    try:
        return make()
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path} is a damaged {kind} file: {error}") from None


class _TableTokenizer:
    """What the character and word tokenizers share (given code, not a kata).

    A tokenizer of this kind is a table: ``token_to_id`` maps each token to its id
    and ``id_to_token`` maps back. The table starts with the special tokens,
    ``unk_token`` first (if any) and then ``special_tokens``, in the order given:
    together they are the ``reserved_tokens``.
    """

    kind = ""  # names the tokenizer in its saved file

    def __init__(self, unk_token: str | None = None, special_tokens: Sequence[str] = ()):
        reserved = ([] if unk_token is None else [unk_token]) + check_tokens("special_tokens", special_tokens)
        reserved = check_tokens("unk_token and special_tokens", reserved)
        self.unk_token = unk_token
        self.special_tokens = tuple(special_tokens)
        self.reserved_tokens = tuple(reserved)
        self.token_to_id: dict[str, int] = {token: i for i, token in enumerate(reserved)}
        self.id_to_token: dict[int, str] = dict(enumerate(reserved))

    @property
    def vocab_size(self) -> int:
        return len(self.token_to_id)

    def _config(self) -> dict:
        """The constructor arguments that :meth:`load` passes back."""
        return {"unk_token": self.unk_token, "special_tokens": list(self.special_tokens)}

    def save(self, path) -> None:
        """Write the tokenizer to ``path`` as versioned JSON (atomically)."""
        save_json(path, self.kind, {"config": self._config(), "tokens": list(self.token_to_id)})

    @classmethod
    def load(cls, path):
        """Read a tokenizer written by :meth:`save`."""
        state = load_json(path, cls.kind, ("config", "tokens"))
        tokens = loaded(path, cls.kind, lambda: check_tokens("tokens", state["tokens"]))
        tokenizer = loaded(path, cls.kind, lambda: cls(**check_type("config", state["config"], dict)))
        tokenizer.token_to_id = {token: i for i, token in enumerate(tokens)}
        tokenizer.id_to_token = dict(enumerate(tokens))
        return tokenizer


class CharacterTokenizer(_TableTokenizer):
    """Kata 1: one token per character (Unicode code point).

    >>> tokenizer = CharacterTokenizer()
    >>> tokenizer.fit("hello")
    >>> tokenizer.token_to_id
    {'e': 0, 'h': 1, 'l': 2, 'o': 3}
    >>> tokenizer.encode("hole")
    [1, 3, 2, 0]
    """

    kind = "character_tokenizer"

    def fit(self, text: str) -> None:
        """Build the vocabulary from ``text``, replacing any earlier one.

        The ``reserved_tokens`` keep their ids (0, 1, ...); after them come the
        distinct characters of ``text`` in sorted order, so the same text always gives
        the same ids. A character that is already reserved is not added twice.
        Fill both ``token_to_id`` and ``id_to_token``.
        """
        ### BEGIN SOLUTION
        check_type("text", text, str)
        self.token_to_id = {}
        for token in [*self.reserved_tokens, *sorted(set(text))]:
            self.token_to_id.setdefault(token, len(self.token_to_id))
        self.id_to_token = {i: token for token, i in self.token_to_id.items()}
        ### END SOLUTION

    def encode(self, text: str) -> list[int]:
        """Return the id of each character of ``text``.

        A character outside the vocabulary becomes the id of ``unk_token`` when one
        is set; otherwise it is an error (``ValueError`` or ``KeyError``) whose
        message shows the character.
        """
        ### BEGIN SOLUTION
        unknown = self.token_to_id.get(self.unk_token)
        ids = []
        for position, char in enumerate(check_type("text", text, str)):
            token_id = self.token_to_id.get(char, unknown)
            if token_id is None:
                raise ValueError(
                    f"character {char!r} at position {position} is not in the vocabulary"
                    " (fit on text that contains it, or set unk_token)"
                )
            ids.append(token_id)
        return ids
        ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """Join the tokens of ``ids`` into a string; an unknown id is an error naming it.

        A special token decodes to its own text, e.g. ``"<unk>"``.
        """
        with unknown_ids_named(self.vocab_size):
            ### BEGIN SOLUTION
            return "".join(self.id_to_token[i] for i in as_id_list(ids))
            ### END SOLUTION


WORD_PATTERN = re.compile(r"\w+|[^\w\s]")
"""A word is a run of letters, digits or underscores; every other non-space
character is a token of its own (``PUNCTUATION``); white space only separates tokens."""
PUNCTUATION = re.compile(r"[^\w\s]")


class WordTokenizer(_TableTokenizer):
    """Kata 2: one token per word or punctuation mark (see ``WORD_PATTERN``).

    The vocabulary is the ``reserved_tokens``, then the words of the training text that
    occur at least ``min_freq`` times, most frequent first (ties in sorted order),
    cut so that the whole vocabulary holds at most ``max_vocab`` tokens. A word
    outside it encodes as ``unk_token``.

    >>> tokenizer = WordTokenizer()
    >>> tokenizer.fit("the cat saw the dog.")
    >>> tokenizer.encode("the dog saw a cat!")
    [1, 4, 5, 0, 3, 0]
    >>> tokenizer.decode(tokenizer.encode("the  dog.\\n"))
    'the dog.'
    """

    kind = "word_tokenizer"

    def __init__(
        self,
        min_freq: int = 1,
        max_vocab: int | None = None,
        unk_token: str | None = "<unk>",
        special_tokens: Sequence[str] = (),
    ):
        super().__init__(unk_token, special_tokens)
        self.min_freq = check_integer("min_freq", min_freq)
        self.max_vocab = check_integer("max_vocab", max_vocab, optional=True)
        if max_vocab is not None and max_vocab < self.vocab_size:
            raise ValueError(
                f"max_vocab={max_vocab} leaves no room for the {self.vocab_size} special tokens"
            )

    def _config(self) -> dict:
        return {**super()._config(), "min_freq": self.min_freq, "max_vocab": self.max_vocab}

    def tokenize(self, text: str) -> list[str]:
        """Split ``text`` into words and punctuation marks with ``WORD_PATTERN``."""
        ### BEGIN SOLUTION
        return WORD_PATTERN.findall(check_type("text", text, str))
        ### END SOLUTION

    def fit(self, text: str) -> None:
        """Build the vocabulary from the words of ``text`` (see the class docstring)."""
        ### BEGIN SOLUTION
        counts = Counter(self.tokenize(text))
        words = sorted((w for w, n in counts.items() if n >= self.min_freq), key=lambda w: (-counts[w], w))
        self.token_to_id = {}
        for token in [*self.reserved_tokens, *words]:
            if len(self.token_to_id) == self.max_vocab:
                break
            self.token_to_id.setdefault(token, len(self.token_to_id))
        self.id_to_token = {i: token for token, i in self.token_to_id.items()}
        ### END SOLUTION

    def encode(self, text: str) -> list[int]:
        """Return the id of each token of ``text``.

        A word outside the vocabulary becomes the id of ``unk_token``; with no
        ``unk_token`` it is an error (``ValueError`` or ``KeyError``) naming the word.
        """
        ### BEGIN SOLUTION
        unknown = self.token_to_id.get(self.unk_token)
        ids = []
        for word in self.tokenize(text):
            token_id = self.token_to_id.get(word, unknown)
            if token_id is None:
                raise ValueError(f"word {word!r} is not in the vocabulary (set unk_token to allow it)")
            ids.append(token_id)
        return ids
        ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """Join the tokens of ``ids`` with one space, but no space before a punctuation mark.

        Decoding loses what tokenizing dropped: the exact white space, and every
        word that became ``unk_token``. What survives is the token sequence:
        ``tokenize(decode(encode(text))) == tokenize(text)`` when no word is unknown.
        An unknown id is an error naming it.
        """
        with unknown_ids_named(self.vocab_size):
            ### BEGIN SOLUTION
            parts = []
            for i in as_id_list(ids):
                token = self.id_to_token[i]
                if parts and not PUNCTUATION.fullmatch(token):
                    parts.append(" ")
                parts.append(token)
            return "".join(parts)
            ### END SOLUTION


def check_merge(ids, pair, new_id) -> tuple[int, int]:
    """``pair`` if ``merge_pair`` can take these arguments, else a clear error (given code).

    ``ids`` must be a list, tuple or 1-D integer array, ``pair`` two ids and ``new_id`` an
    id (ids are ints ``>= 0``). The elements of ``ids`` are not checked one by one:
    ``merge_pair`` is the BPE trainer's inner loop, and ``get_pair_counts`` checks them.
    """
    if not (type(ids) in (list, tuple) or isinstance(ids, np.ndarray) and ids.ndim == 1 and ids.dtype.kind in "iu"):
        raise TypeError(f"ids must be a list, tuple or 1-D integer array, got {type(ids).__name__}: {ids!r:.80}")
    if not (type(pair) is tuple and len(pair) == 2 and type(pair[0]) is type(pair[1]) is int and min(pair) >= 0):
        pair = tuple(as_id_list(pair, "pair", size=2))
    check_integer("new_id", new_id, 0)
    return pair


def get_pair_counts(ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Kata 3: count each pair of neighbouring ids.

    Pairs overlap: ``get_pair_counts([1, 1, 1]) == {(1, 1): 2}``.
    """
    ### BEGIN SOLUTION
    ids = as_id_list(ids)
    return Counter(zip(ids, ids[1:]))
    ### END SOLUTION


def merge_pair(ids: Sequence[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Kata 3: return a new list where each occurrence of ``pair`` is replaced by ``new_id``.

    Scan from left to right; an occurrence that overlaps one already merged is
    skipped: ``merge_pair([1, 1, 1], (1, 1), 9) == [9, 1]``. ``ids`` is not changed.
    """
    ### BEGIN SOLUTION
    first, second = check_merge(ids, pair, new_id)
    merged = []
    i = 0
    while i < len(ids):
        if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:
            merged.append(new_id)
            i += 2
        else:
            merged.append(ids[i])
            i += 1
    return merged
    ### END SOLUTION


def compile_pattern(pattern: str) -> regex.Pattern:
    """``pattern`` compiled with ``regex`` (given code); a bad one is an error naming it.

    A pattern must not hold capturing groups: ``findall`` would return the groups,
    not the pieces.
    """
    try:
        compiled = regex.compile(check_type("pattern", pattern, str))
    except regex.error as error:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {error}") from None
    if compiled.groups:
        raise ValueError(f"pattern {pattern!r} has capturing groups; use (?:...) instead")
    return compiled


def check_lossless(pieces: list[str], text: str, pattern: str | None) -> list[str]:
    """``pieces`` if they join to ``text``, else a ``ValueError`` naming ``pattern`` (given code).

    A pattern that does not match every character would drop text without a word.
    """
    if "".join(pieces) != text:
        position = 0
        for piece in pieces:
            if not text.startswith(piece, position):
                break
            position += len(piece)
        raise ValueError(
            f"pattern {pattern!r} does not cover the text: {text[position:position + 20]!r}"
            f" at position {position} would be lost"
        )
    return pieces


GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
"""GPT-2's pre-tokenizer: contractions, words, numbers and punctuation, each with
at most one leading space, and runs of white space."""


class SimpleBPETokenizer:
    """Kata 4: byte-level byte-pair encoding (BPE).

    Ids 0-255 are the 256 byte values; merge k creates id 256 + k from a pair of
    older ids; the special tokens take the ids after the merges. So every string
    can be encoded, whatever its alphabet, and decoding gives it back.

    Attributes (kept up to date by the given method ``_set_merges``):
        merges: ``{(id, id): new_id}`` in the order learned; earlier merges apply first.
        vocab: ``{id: bytes}`` for every id, special tokens included.
        special_tokens: ``{token: id}``.

    ``pattern`` is a regular expression (``regex`` syntax, e.g. ``GPT2_PATTERN``)
    that cuts text into pieces before BPE; no merge crosses a piece boundary. With
    ``pattern=None`` the text between special tokens is one piece.

    ``train`` and ``encode`` here are BPE as defined, for short texts. The given
    ``fast_bpe.FastBPETokenizer`` learns the same merges and ids in seconds on megabytes.
    """

    kind = "bpe_tokenizer"

    def __init__(self, pattern: str | None = None, special_tokens: Sequence[str] = ()):
        self._specials = check_tokens("special_tokens", special_tokens)
        self.pattern = pattern
        self.compiled_pattern = None if pattern is None else compile_pattern(pattern)
        self._set_merges([])

    @classmethod
    def from_merges(cls, merges: Iterable[tuple[int, int]], pattern=None, special_tokens=()):
        """Build a tokenizer from ranked merges, e.g. another tokenizer's ``merges``."""
        tokenizer = cls(pattern, special_tokens)
        tokenizer._set_merges(merges)
        return tokenizer

    def _set_merges(self, merges: Iterable[tuple[int, int]]) -> None:
        """Set ``merges`` (pairs in rank order) and derive ``vocab`` and ``special_tokens``.

        Bad merges are a ``ValueError`` that leaves the tokenizer as it was.
        """
        ranked: dict[tuple[int, int], int] = {}
        vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for pair in check_type("merges", merges, Iterable):
            new_id = len(vocab)
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(type(i) is int and 0 <= i < new_id for i in pair):
                raise ValueError(f"merge {new_id - 256} is {pair!r}: not a pair of existing ids")
            ranked[tuple(pair)] = new_id
            vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
        self.merges, self.vocab = ranked, vocab
        self.special_tokens: dict[str, int] = {}
        for token in self._specials:
            self.special_tokens[token] = len(self.vocab)
            self.vocab[len(self.vocab)] = token.encode("utf-8")

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _merge_count(self, vocab_size: int) -> int:
        """How many merges make a vocabulary of ``vocab_size`` ids (given code); too few ids is a ``ValueError``."""
        n_merges = check_integer("vocab_size", vocab_size) - 256 - len(self._specials)
        if n_merges < 0:
            raise ValueError(
                f"vocab_size={vocab_size} is too small: it must count the 256 bytes"
                f" and the {len(self._specials)} special tokens"
            )
        return n_merges

    def save(self, path) -> None:
        """Write the tokenizer to ``path`` as versioned JSON (atomically)."""
        state = {"pattern": self.pattern, "special_tokens": self._specials, "merges": list(self.merges)}
        save_json(path, self.kind, state)

    @classmethod
    def load(cls, path):
        """Read a tokenizer written by :meth:`save`."""
        state = load_json(path, cls.kind, ("pattern", "special_tokens", "merges"))
        return loaded(path, cls.kind, lambda: cls.from_merges(state["merges"], state["pattern"], state["special_tokens"]))

    def split(self, text: str) -> list[str]:
        """Cut ``text`` into the pieces that BPE works on.

        Each special token found in the text is a piece of its own (the longest
        wins where two could start at the same place). The text between them is cut
        by ``compiled_pattern`` (``findall``), or kept whole when it is None. Nothing
        is lost and there are no empty pieces: ``"".join(split(text)) == text``.
        """
        ### BEGIN SOLUTION
        parts = [check_type("text", text, str)]
        if self.special_tokens:
            alternatives = sorted(self.special_tokens, key=len, reverse=True)
            parts = regex.split("(" + "|".join(map(regex.escape, alternatives)) + ")", text)
        pieces = []
        for part in parts:
            if part in self.special_tokens or self.compiled_pattern is None:
                pieces.append(part)
            else:
                pieces.extend(self.compiled_pattern.findall(part))
        return check_lossless(list(filter(None, pieces)), text, self.pattern)  # drop the empty strings
        ### END SOLUTION

    def train(self, text: str, vocab_size: int) -> None:
        """Learn merges from ``text`` until the vocabulary holds ``vocab_size`` ids.

        The vocabulary counts the 256 bytes, the merges and the special tokens, so a
        ``vocab_size`` below ``256 + len(special_tokens)`` is a ``ValueError``. Each
        step merges the most frequent pair of neighbouring ids within a piece (see
        ``split``; special tokens are never part of a pair). A tie goes to the pair
        whose byte strings are lexicographically greatest, ``(vocab[a], vocab[b])``,
        and then to the smallest ids. Training stops early, without error, when no
        pair is left. Replaces any earlier merges. The given ``self._merge_count(vocab_size)``
        checks ``vocab_size`` and returns the number of merges to learn.
        """
        ### BEGIN SOLUTION
        n_merges = self._merge_count(vocab_size)
        # A text repeats its pieces: keep each distinct piece once, as a list of ids,
        # with how often it occurs. Special tokens are never part of a pair.
        pieces = Counter(self.split(text))
        for token in self.special_tokens:
            del pieces[token]  # (a Counter ignores a key it does not hold)
        words = [list(piece.encode("utf-8")) for piece in pieces]
        freqs = list(pieces.values())
        # counts: how often each pair occurs in the text; where: the words that hold it.
        counts, where = Counter(), defaultdict(set)
        for w, word in enumerate(words):
            for pair, n in get_pair_counts(word).items():
                counts[pair] += n * freqs[w]
                where[pair].add(w)
        vocab = {i: bytes([i]) for i in range(256)}
        merges = []
        while counts and len(merges) < n_merges:
            # The most frequent pair; a tie goes to the greatest bytes, then to the smallest ids.
            top = max(counts.values())
            tied = [p for p, n in counts.items() if n == top]
            pair = max(tied, key=lambda p: (vocab[p[0]], vocab[p[1]], -p[0], -p[1]))
            new_id = 256 + len(merges)
            merges.append(pair)
            vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
            # A merge changes only the words that hold the pair: recount those.
            for w in where.pop(pair):
                old = words[w]
                words[w] = merge_pair(old, pair, new_id)
                for p, n in get_pair_counts(old).items():
                    counts[p] -= n * freqs[w]
                    if counts[p] == 0:
                        del counts[p]  # gone from the text (it may come back just below)
                for p, n in get_pair_counts(words[w]).items():
                    counts[p] += n * freqs[w]
                    where[p].add(w)
        self._set_merges(merges)
        ### END SOLUTION

    def encode(self, text: str) -> list[int]:
        """Return the ids of ``text``: each piece's UTF-8 bytes, merged by rank.

        Within a piece, repeatedly merge the neighbouring pair that was learned
        first (lowest new id), until no learned pair is left. A special token
        encodes to its own id.
        """
        ### BEGIN SOLUTION
        ids = []
        for piece in self.split(text):
            if piece in self.special_tokens:
                ids.append(self.special_tokens[piece])
                continue
            piece_ids = list(piece.encode("utf-8"))
            while len(piece_ids) > 1:
                pair = min(zip(piece_ids, piece_ids[1:]), key=lambda p: self.merges.get(p, math.inf))
                if pair not in self.merges:
                    break  # no learned pair is left
                piece_ids = merge_pair(piece_ids, pair, self.merges[pair])
            ids.extend(piece_ids)
        return ids
        ### END SOLUTION

    STREAM_LOOKAHEAD = 3
    """How far past a piece's start the pattern may look (GPT-2's ``'ll``, ``'re`` and ``'ve``)."""
    STREAM_BATCH = 1 << 13
    """``encode_iterable`` splits after at least this many new characters."""

    def encode_iterable(self, chunks: Iterable[str]) -> Iterator[int]:
        """Yield the ids of the text that ``chunks`` join into, lazily (given code, not a kata).

        ``list(encode_iterable(chunks)) == encode("".join(chunks))`` however the text is
        cut, e.g. a file read line by line: a piece or a special token may straddle two
        chunks. Memory stays bounded by the longest piece, not the text.

        Only pieces that more text cannot change are encoded: those ending at least
        ``hold`` characters before the end of what has arrived, where ``hold`` covers the
        longest special token and the pattern's look-ahead (a piece is decided by at most
        ``STREAM_LOOKAHEAD`` characters after its start and one after its end, as with
        ``GPT2_PATTERN``). The rest waits for the next chunk. With ``pattern=None`` a
        piece ends only at a special token, so the text between two of them is held whole.
        """
        if not isinstance(chunks, Iterable):
            raise TypeError(f"chunks must be an iterable of str, got {type(chunks).__name__}: {chunks!r:.80}")
        hold = max([self.STREAM_LOOKAHEAD, *map(len, self.special_tokens)])
        pending: list[str] = []  # the chunks not encoded yet
        size = wait = 0  # their length; split again only once it has doubled (linear time overall)
        for chunk in chunks:
            pending.append(check_type("chunks", chunk, str))
            size += len(chunk)
            if size < wait:
                continue
            text = "".join(pending)
            cut = end = 0
            for piece in self.split(text):
                end += len(piece)
                if end > len(text) - hold:
                    break
                cut = end  # this piece and all before it are final
            yield from self.encode(text[:cut])
            pending, size = [text[cut:]], len(text) - cut
            wait = max(2 * size, self.STREAM_BATCH)
        yield from self.encode("".join(pending))

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """Concatenate the bytes of ``ids``; an unknown id is an error naming it."""
        with unknown_ids_named(self.vocab_size):
            ### BEGIN SOLUTION
            return b"".join(self.vocab[i] for i in as_id_list(ids))
            ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """Decode ``ids`` to text; bytes that are not valid UTF-8 become U+FFFD."""
        ### BEGIN SOLUTION
        return self.decode_bytes(ids).decode("utf-8", errors="replace")
        ### END SOLUTION
