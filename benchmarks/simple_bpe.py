"""The learner's obvious BPE trainer, and an estimate of its time from sampled merges.

The simple trainer cuts the text into pieces with the pattern and, for every merge,
recounts all pairs over all pieces with the reference's ``get_pair_counts``, then
applies the winner everywhere with ``merge_pair``. Ties go as in the reference: the
most frequent pair, then the lexicographically greatest ``(vocab[a], vocab[b])``,
then the smallest ids.

A complete run on corpus A with 1,792 merges takes over ten minutes, so its time is
*estimated*: one merge step is timed on the true training state after ``k`` merges,
for ``k`` every ``stride`` merges and the last one, and the cost of the steps in
between is interpolated linearly. The state after ``k`` merges is each piece encoded
with the first ``k`` reference merges; ``calibrate`` checks, on a complete run, that
this is the state the simple trainer reaches and how close the estimate comes.
Each sampled step keeps its fastest of ``TRIES`` timings: on a busy machine the
estimate leans low, so the speedup over the simple trainer leans conservative.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import regex

from .timing import timed

TRIES = 3


def step(tok, pieces: list[list[int]], vocab: dict[int, bytes], new_id: int):
    """One merge: recount every pair, merge the best one everywhere; ``(pieces, pair)``."""
    counts = Counter()
    for ids in pieces:
        counts.update(tok.get_pair_counts(ids))
    if not counts:
        return pieces, None
    pair = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]], -p[0], -p[1]))
    return [tok.merge_pair(ids, pair, new_id) for ids in pieces], pair


def train(tok, text: str, vocab_size: int, pattern: str):
    """The simple trainer: ``(merges, final pieces)`` for ``vocab_size - 256`` merges."""
    pieces = [list(piece.encode("utf-8")) for piece in regex.findall(pattern, text)]
    vocab = {i: bytes([i]) for i in range(256)}
    merges = []
    for new_id in range(256, vocab_size):
        pieces, pair = step(tok, pieces, vocab, new_id)
        if pair is None:
            break
        merges.append(pair)
        vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
    return merges, pieces


def encoded(tok, merges, pieces: list[str]):
    """Each distinct piece encoded with ranked ``merges`` by the reference, and their vocabulary."""
    bpe = tok.SimpleBPETokenizer.from_merges(merges)
    return {piece: tuple(bpe.encode(piece)) for piece in set(pieces)}, bpe.vocab


class Estimate:
    """Estimates the simple trainer's seconds for ``merges`` (the reference's, on ``text``)."""

    def __init__(self, tok, text: str, pattern: str, merges: list[tuple[int, int]], stride: int):
        self.tok, self.merges = tok, merges
        self.pieces = regex.findall(pattern, text)
        self.points = sorted({*range(0, len(merges), stride), len(merges) - 1})
        self.encoded = {k: encoded(tok, merges[:k], self.pieces) for k in self.points}
        self.picked_reference_merges = True  # does every sampled step choose the reference's merge?

    def state(self, k: int) -> list[list[int]]:
        """The simple trainer's pieces after ``k`` merges (a fresh list per piece)."""
        table, _ = self.encoded[k]
        return [list(table[piece]) for piece in self.pieces]

    def step_seconds(self, k: int) -> float:
        """The fastest of ``TRIES`` timings of merge step ``k``, each on a fresh state."""
        fastest = float("inf")
        for _ in range(TRIES):
            seconds, (_, pair) = timed(step, self.tok, self.state(k), self.encoded[k][1], 256 + k)
            fastest = min(fastest, seconds)
            self.picked_reference_merges &= pair == self.merges[k]
        return fastest

    def __call__(self) -> float:
        costs = [self.step_seconds(k) for k in self.points]
        return float(np.interp(np.arange(len(self.merges)), self.points, costs).sum())


def calibrate(tok, text: str, pattern: str, merges: list[tuple[int, int]], stride: int) -> dict:
    """A complete simple run against the estimate and the reference merges, on the same ``text``."""
    estimate = Estimate(tok, text, pattern, merges, stride)
    seconds, (found, pieces) = timed(train, tok, text, 256 + len(merges), pattern)
    predicted = estimate()
    table, _ = encoded(tok, merges, estimate.pieces)
    return {
        "merges": len(merges),
        "complete_run_s": seconds,
        "estimate_s": predicted,
        "estimate_error": predicted / seconds - 1,
        "same_merges_as_reference": found == merges,
        "encoded_state_is_training_state": pieces == [list(table[piece]) for piece in estimate.pieces],
        "sampled_steps_picked_reference_merges": estimate.picked_reference_merges,
    }
