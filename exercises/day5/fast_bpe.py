"""Kata 4's BPE tokenizer, trained and encoded fast (given code, not a kata).

Kata 4 asks for BPE as the study note defines it: recount the pairs, merge the most
frequent one everywhere, repeat; encode a piece by merging its earliest-learned pair
until none is left. That is right, and on a real corpus it is slow: every step looks at
every piece. ``FastBPETokenizer`` learns the same merges and encodes to the same ids
(``tests/given/test_bpe_fast.py`` checks both on every input it draws), in time that
grows with what each merge changes instead. ``50_eval`` and ``benchmarks`` use it.
Nothing here is asked of you: read it after kata 4 as one answer to "how do real
tokenizers train on gigabytes?". Three ideas do the work:

1. A text repeats its pieces. Each distinct piece is worked on once, and its pairs
   count as often as the piece occurs (its *weight*).
2. The ids of all the pieces lie end to end in one list (``LinkedPieces``), each piece
   followed by ``END``, every position linked to its neighbours (``before``,
   ``after``). A merge writes the new id over the left id of an occurrence and unlinks
   the right one, so no position ever moves. ``where`` keeps, for each pair, the
   positions where it was made; a merge visits only those, and skips a position that
   no longer holds the pair.
3. A merge changes counts only around each occurrence: ``x a b y`` becomes ``x n y``,
   so ``(x, a)``, ``(a, b)`` and ``(b, y)`` lose the piece's weight and ``(x, n)`` and
   ``(n, y)`` gain it. A heap hands out the most frequent pair (the tie rule of kata 4
   after that); an entry whose count has fallen since it was pushed is pushed again at
   its true count when it comes up.

Occurrences are merged one after another, left to right, as ``merge_pair`` does, so a
run ``a a a`` of the pair ``(a, a)`` becomes ``n a`` here too. Encoding applies the
learned merges in rank order to all the distinct pieces at once: a merge never brings
back a pair learned before it, so this is the earliest-first rule of ``encode``.
A pair ``(a, b)`` is one integer key ``a << SHIFT | b``: cheaper to hash than a tuple.

One piece can also be long: with ``pattern=None`` the whole text between special tokens
is one. A merge there can change tens of thousands of places, so pieces longer than
``LONG_PIECE`` characters go to ``LongPieces``, the same ideas in a few NumPy operations
per merge.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import chain

import numpy as np

from .tokenizers import SimpleBPETokenizer

SHIFT = 32
MASK = (1 << SHIFT) - 1
END, GONE = -1, -2  # the id after each piece, and of a position a merge unlinked
LONG_PIECE = 256
"""Pieces longer than this (in characters) are merged in NumPy, by ``LongPieces``."""


class LinkedPieces:
    """The ids of many pieces end to end, linked, merged in place (see the module docstring)."""

    def __init__(self, pieces: Iterable[str], weights: Iterable[int] | None = None, counting: bool = False):
        """``pieces`` (distinct), each with its weight (1 without ``weights``).

        With ``counting``, ``counts`` holds the weighted count of every pair and each
        merge keeps it up to date; without, merges only rewrite the ids (encoding).
        """
        data = [piece.encode("utf-8") for piece in pieces]
        lengths = np.array([len(part) + 1 for part in data], np.int64)  # each piece and its END
        ends = np.cumsum(lengths)  # position 0 is an END too, so every piece has one before it
        ids = np.full(1 + int(lengths.sum()), END, np.int64)
        inside = np.ones(len(ids), bool)
        inside[0], inside[ends] = False, False
        ids[inside] = np.frombuffer(b"".join(data), np.uint8)
        per_piece = np.ones(len(data), np.int64) if weights is None else np.fromiter(weights, np.int64, len(data))
        weight = np.concatenate([[0], np.repeat(per_piece, lengths)])  # each position's piece's weight
        self.starts = (ends - lengths + 1).tolist()
        self.ids = ids.tolist()
        self.weight = weight.tolist()
        self.after = list(range(1, len(ids) + 1))
        self.before = list(range(-1, len(ids) - 1))
        # Every pair's positions, ascending, in a few NumPy operations.
        left = np.flatnonzero((ids[:-1] >= 0) & (ids[1:] >= 0))
        keys = ids[left] << SHIFT | ids[left + 1]
        order = np.argsort(keys, kind="stable")
        keys, left = keys[order], left[order]
        firsts = np.flatnonzero(np.diff(keys, prepend=-1))
        groups = np.split(left, firsts[1:]) if len(left) else []
        self.where: defaultdict[int, list[int]] = defaultdict(list, zip(keys[firsts].tolist(), (g.tolist() for g in groups)))
        self.counts: defaultdict[int, int] | None = None
        if counting:
            totals = np.add.reduceat(weight[left], firsts).tolist() if len(left) else []
            self.counts = defaultdict(int, zip(keys[firsts].tolist(), totals))

    def merge(self, key: int, new_id: int) -> set[int]:
        """Merge every occurrence of the pair ``key``, left to right; return the pairs whose count rose."""
        a, b = key >> SHIFT, key & MASK
        ids, after, before, where, counts, weight = self.ids, self.after, self.before, self.where, self.counts, self.weight
        rose = set()
        for i in sorted(where.pop(key, ())):
            j = after[i]
            if ids[i] != a or ids[j] != b:  # merged or unlinked since it was seen
                continue
            p, q = before[i], after[j]
            x, y = ids[p], ids[q]
            ids[i], ids[j] = new_id, GONE
            after[i], before[q] = q, i
            if x >= 0:
                where[x << SHIFT | new_id].append(p)
            if y >= 0:
                where[new_id << SHIFT | y].append(i)
            if counts is None:
                continue
            w = weight[i]
            if x >= 0:
                counts[x << SHIFT | a] -= w
                counts[x << SHIFT | new_id] += w
                rose.add(x << SHIFT | new_id)
            if y >= 0:
                counts[b << SHIFT | y] -= w
                counts[new_id << SHIFT | y] += w
                rose.add(new_id << SHIFT | y)
        if counts is not None:
            del counts[key]
        return rose

    def pieces(self) -> list[list[int]]:
        """Each piece's ids, in the order the pieces were given."""
        ids = self.ids
        bounds = [*self.starts, len(ids)]
        return [[i for i in ids[start:end - 1] if i >= 0] for start, end in zip(bounds, bounds[1:])]


class LongPieces:
    """Long pieces, merged in NumPy at the cost of their pair's occurrences.

    With ``pattern=None`` the text between special tokens is one piece, often the whole
    text, and a merge can change tens of thousands of places in it: one at a time in
    Python (``LinkedPieces``) that costs seconds. ``FastBPETokenizer`` hands every piece
    longer than ``LONG_PIECE`` characters to this class instead.

    The pieces' bytes lie end to end in one NumPy array ``ids``. A merge writes the new id
    at the pair's left position and removes the right one from a doubly linked list
    (``prev``/``next``; -1 ends a piece), so positions never move. ``where`` keeps, for
    each pair, the left positions where it was seen; an entry that no longer holds the
    pair is skipped when the pair is merged. Then a merge touches only the occurrences of
    its pair and their neighbours, in a few NumPy operations. The result is exactly that
    of ``merge_pair`` on every piece (left to right: in a run ``a a a`` of a pair ``(a, a)``
    only every other occurrence is merged).
    """

    def __init__(self, pieces: dict[str, int]):
        """``pieces``: each long piece and how often it occurs (its pairs count that often)."""
        self.pieces = list(pieces)
        arrays = [np.frombuffer(piece.encode("utf-8"), np.uint8) for piece in self.pieces]
        lengths = np.array([len(array) for array in arrays], np.int64)
        self.ends = np.cumsum(lengths)
        starts = self.ends - lengths
        self.ids = np.concatenate([np.zeros(0, np.uint8), *arrays]).astype(np.int64)
        size = len(self.ids)
        self.next, self.prev = np.arange(1, size + 1), np.arange(-1, size - 1)
        self.next[self.ends - 1] = -1
        self.prev[starts] = -1
        self.weight = np.repeat(np.array(list(pieces.values()), np.int64), lengths)
        self.where: dict[int, list[np.ndarray]] = {}  # pair a << 32 | b -> arrays of left positions
        self.counts = self._add(np.flatnonzero(self.next >= 0))

    def _totals(self, left: np.ndarray):
        """The pairs starting at (distinct) positions ``left``, grouped: ``(keys, totals, left, firsts)``.

        ``keys`` are the distinct pairs, ``totals`` their weighted counts; the positions of
        ``keys[k]`` are ``left[firsts[k]:firsts[k + 1]]``.
        """
        keys = self.ids[left] << 32 | self.ids[self.next[left]]
        order = np.argsort(keys)
        keys, left = keys[order], left[order]
        firsts = np.flatnonzero(np.diff(keys, prepend=-1))  # where each distinct key starts
        return keys[firsts].tolist(), np.add.reduceat(self.weight[left], firsts).tolist(), left, firsts

    def _add(self, left: np.ndarray) -> dict[tuple[int, int], int]:
        """Index the pairs starting at (distinct) positions ``left``; return their counts."""
        if not len(left):
            return {}
        keys, totals, left, firsts = self._totals(left)
        bounds = [*firsts.tolist(), len(left)]
        for key, start, stop in zip(keys, bounds, bounds[1:]):
            self.where.setdefault(key, []).append(left[start:stop])
        return {(key >> 32, key & 0xFFFFFFFF): total for key, total in zip(keys, totals)}

    def merge(self, pair: tuple[int, int], new_id: int) -> dict[tuple[int, int], int]:
        """Merge every occurrence of ``pair`` into ``new_id``; return how each pair's count changed."""
        a, b = pair
        seen = self.where.pop(a << 32 | b, None)
        if seen is None:
            return {}
        left = np.sort(np.concatenate(seen))  # a position is never listed twice for one pair
        right = self.next[left]
        holds = (self.ids[left] == a) & (right >= 0)
        left, right = left[holds], right[holds]
        holds = self.ids[right] == b
        left, right = left[holds], right[holds]
        if a == b and len(left) > 1:  # a run a a a ...: merge the 1st, 3rd, ... occurrence, as merge_pair does
            starts_run = np.concatenate([[True], left[1:] != right[:-1]])
            first = np.flatnonzero(starts_run)[np.cumsum(starts_run) - 1]  # each occurrence's run start
            keep = (np.arange(len(left)) - first) % 2 == 0
            left, right = left[keep], right[keep]
        if not len(left):
            return {}
        # The pairs that go: (x, a) before each occurrence, (a, b) itself and (b, y) after it;
        # where two occurrences touch, the (b, a) between them is the same pair, counted once.
        before, after = self.prev[left], self.next[right]
        shared = np.concatenate([[False], before[1:] == right[:-1]])
        old = np.concatenate([before[(before >= 0) & ~shared], left, right[after >= 0]])
        keys, totals, _, _ = self._totals(old)
        changes = {(key >> 32, key & 0xFFFFFFFF): -total for key, total in zip(keys, totals)}
        self.ids[left], self.ids[right] = new_id, -1
        self.next[left] = after
        self.prev[after[after >= 0]] = left[after >= 0]
        # The pairs that come: (x, new) and (new, y); (new, new) where two occurrences touched.
        before = self.prev[left]
        shared = np.concatenate([[False], before[1:] == left[:-1]])
        for new_pair, total in self._add(np.concatenate([before[(before >= 0) & ~shared], left[after >= 0]])).items():
            changes[new_pair] = changes.get(new_pair, 0) + total
        return changes

    def encode(self, merges: dict[tuple[int, int], int]) -> dict[str, list[int]]:
        """Each piece's ids after ``merges``, applied in rank order as ``encode`` does."""
        if not self.pieces:
            return {}
        for pair, new_id in merges.items():  # one merge cannot bring back an earlier pair
            if pair[0] << 32 | pair[1] in self.where:
                self.merge(pair, new_id)
        ids = np.split(self.ids, self.ends[:-1])
        return {piece: part[part >= 0].tolist() for piece, part in zip(self.pieces, ids)}


class FastBPETokenizer(SimpleBPETokenizer):
    """``SimpleBPETokenizer`` whose ``train`` and ``encode`` are fast; same merges, same ids."""

    def train(self, text: str, vocab_size: int) -> None:
        """As ``SimpleBPETokenizer.train``."""
        n_merges = self._merge_count(vocab_size)
        pieces = Counter(self.split(text))
        for token in self.special_tokens:
            del pieces[token]
        long = LongPieces({piece: pieces.pop(piece) for piece in [p for p in pieces if len(p) > LONG_PIECE]})
        ids = LinkedPieces(pieces, pieces.values(), counting=True)
        counts = ids.counts
        for (a, b), n in long.counts.items():
            counts[a << SHIFT | b] += n
        # Each id's bytes as a key that sorts the greatest byte string first: the bytes
        # counted down, and 256 to end it (so a token comes after every longer one it starts).
        descending = {i: (255 - i, 256) for i in range(256)}

        def entry(key: int):  # the heap pops the most frequent, then the greatest bytes, then the smallest ids
            return -counts[key], descending[key >> SHIFT], descending[key & MASK], key

        heap = [entry(key) for key in counts]
        heapq.heapify(heap)
        merges = []
        while heap and len(merges) < n_merges:
            negative, _, _, key = heapq.heappop(heap)
            count = counts.get(key, 0)
            if -negative != count:  # stale: the count fell after this entry was pushed
                if 0 < count < -negative:  # it fell: queue it again at its true count
                    heapq.heappush(heap, entry(key))
                continue
            pair = (key >> SHIFT, key & MASK)
            new_id = 256 + len(merges)
            merges.append(pair)
            descending[new_id] = descending[pair[0]][:-1] + descending[pair[1]]  # both halves' bytes
            risen = set()
            for (a, b), change in long.merge(pair, new_id).items():  # first: ids.merge drops the pair's count
                counts[a << SHIFT | b] += change
                if new_id in (a, b):
                    risen.add(a << SHIFT | b)
            for rose in risen.union(ids.merge(key, new_id)):
                if counts[rose] > 0:
                    heapq.heappush(heap, entry(rose))
        self._set_merges(merges)

    def encode(self, text: str) -> list[int]:
        """As ``SimpleBPETokenizer.encode``."""
        ids_of = {token: [i] for token, i in self.special_tokens.items()}
        pieces = self.split(text)
        distinct = set(pieces).difference(ids_of)
        long = [piece for piece in distinct if len(piece) > LONG_PIECE]
        ids_of.update(LongPieces(dict.fromkeys(long, 1)).encode(self.merges))
        short = list(distinct.difference(long))
        ids = LinkedPieces(short)
        for (a, b), new_id in self.merges.items():
            if a << SHIFT | b in ids.where:
                ids.merge(a << SHIFT | b, new_id)
        ids_of.update(zip(short, ids.pieces()))
        return list(chain.from_iterable(map(ids_of.__getitem__, pieces)))
