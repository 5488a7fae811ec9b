"""Katas 12-14: choosing the next token, and generating text with a trained model.

A language model gives one score (logit) per vocabulary entry for the next token.
Generation picks one id, appends it, and asks again. How it picks is the strategy:

- greedy: always the highest score (deterministic, tends to repeat itself);
- temperature: divide the logits by T before sampling (T < 1 sharper, T > 1 flatter);
- top-k: sample only among the k highest scores;
- top-p (nucleus): sample only among the fewest tokens whose probability reaches p.

A filter never reorders or rescales the logits it keeps; it sets the others to
``-inf``, which softmax turns into probability 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .losses import check_logits, softmax
from .serialization import as_id_list, check_integer, check_number, check_type


def _check_logits(logits, name: str = "logits") -> np.ndarray:
    """The logits of one position as a 1-D float64 array, or a clear error (given code).

    What they may hold is what ``check_logits`` accepts: finite numbers or ``-inf``, at
    least one finite.
    """
    logits = check_logits(logits, name=name).astype(np.float64, copy=False)
    if logits.ndim != 1:
        raise ValueError(f"expected the logits of one position, a non-empty 1-D array; got shape {logits.shape}")
    return logits


def check_strategy(strategy: str, temperature: float, top_k: int | None, top_p: float | None) -> None:
    """A clear error for any bad option of ``TextGenerator.generate``, whatever the strategy (given code).

    ``strategy`` is ``"greedy"`` or ``"sample"``; ``temperature >= 0``; ``top_k`` None or a
    positive integer; ``top_p`` None or in ``(0, 1]``. Greedy ignores the other three.
    """
    if strategy not in ("greedy", "sample"):
        raise ValueError(f"strategy must be 'greedy' or 'sample', got {strategy!r}")
    check_number("temperature", temperature, "[0, inf)")
    check_integer("top_k", top_k, optional=True)
    check_number("top_p", top_p, "(0, 1]", optional=True)


def greedy(logits) -> int:
    """Kata 12: the id with the highest logit; a tie goes to the lowest id.

    >>> greedy([1.0, 3.0, 3.0, 0.5])
    1
    """
    ### BEGIN SOLUTION
    return int(np.argmax(_check_logits(logits)))
    ### END SOLUTION


def apply_temperature(logits, temperature: float) -> np.ndarray:
    """Kata 12: ``logits / temperature``; temperature 0 keeps only the greedy choice.

    Temperature 0 means greedy: the result is 0 at ``greedy(logits)`` and ``-inf``
    everywhere else, so sampling from it always picks the greedy id. Any positive
    temperature divides, however small (``1e-6`` is not greedy: tied maxima stay tied).
    A negative, NaN or
    infinite temperature is a ``ValueError``, and so is one so small that the division
    overflows to ``inf``.

    >>> apply_temperature([1.0, 2.0, 4.0], 2.0)
    array([0.5, 1. , 2. ])
    >>> apply_temperature([1.0, 2.0, 4.0], 0)
    array([-inf, -inf,   0.])
    """
    ### BEGIN SOLUTION
    logits = _check_logits(logits)
    check_number("temperature", temperature, "[0, inf)")
    if temperature == 0:
        kept = np.full_like(logits, -np.inf)
        kept[greedy(logits)] = 0.0
        return kept
    with np.errstate(over="ignore"):  # an overflow to inf is reported just below, as a ValueError
        scaled = logits / temperature
    return _check_logits(scaled, f"logits / temperature={temperature}")
    ### END SOLUTION


def sample(logits, rng: np.random.Generator) -> int:
    """Kata 12: draw one id with probability ``softmax(logits)``, using ``rng``.

    Inverse-CDF sampling, one ``u = rng.random()`` per call (uniform in [0, 1)): the
    running totals of the probabilities, ``np.cumsum(probs)``, cut [0, 1) into one
    interval per id, as long as its probability; return the id whose interval holds
    ``u``, the first id whose running total exceeds ``u``
    (``np.searchsorted(totals, u, side="right")``). ``rng.choice(len(probs), p=probs)``
    makes this very draw after checking ``probs``; the tests accept any sampler that
    follows ``softmax(logits)``. An id whose logit is ``-inf`` would add nothing to the
    totals, so it is never drawn: after a filter most ids are such, and leaving them
    out of the sum draws the very same id, sooner.

    >>> sample([0.0, -np.inf, 0.0], np.random.default_rng(0)) in (0, 2)
    True
    """
    ### BEGIN SOLUTION
    logits, rng = _check_logits(logits), check_type("rng", rng, np.random.Generator)
    ids = np.isfinite(logits).nonzero()[0]  # the ids that can be drawn (not -inf)
    cumulative = np.cumsum(np.exp(logits[ids] - logits.max()))  # softmax times a constant
    cumulative /= cumulative[-1]  # the constant cancels, and the total is exactly 1
    return int(ids[np.searchsorted(cumulative, rng.random(), side="right")])  # the first total above u
    ### END SOLUTION


def top_k_filter(logits, k: int) -> np.ndarray:
    """Kata 13: keep the ``k`` highest logits, set the rest to ``-inf``.

    Exactly ``k`` are kept: among equal logits at the border, the lower ids win.
    ``k >= V`` keeps everything; ``k <= 0`` is an error.

    >>> top_k_filter([1.0, 3.0, 2.0, 3.0], 2)
    array([-inf,   3., -inf,   3.])
    >>> top_k_filter([5.0, 1.0, 1.0, 1.0], 2)
    array([  5.,   1., -inf, -inf])
    """
    ### BEGIN SOLUTION
    logits = _check_logits(logits)
    check_integer("k", k)
    order = np.argsort(-logits, kind="stable")  # highest first; equal logits keep id order
    filtered = np.full_like(logits, -np.inf)
    filtered[order[:k]] = logits[order[:k]]
    return filtered
    ### END SOLUTION


def top_p_filter(logits, p: float) -> np.ndarray:
    """Kata 13: keep the fewest highest-probability tokens whose probabilities sum to ``p`` or more.

    Tokens are taken from the most probable down (equal probabilities in id order)
    until their total reaches ``p``; the token that crosses the threshold is kept,
    so at least one token always is. ``p`` must lie in ``(0, 1]``.

    >>> probs = np.array([0.5, 0.3, 0.15, 0.05])
    >>> top_p_filter(np.log(probs), 0.6).round(2)  # 0.5 < 0.6, so 0.3 joins: 0.8 >= 0.6
    array([-0.69, -1.2 ,  -inf,  -inf])
    >>> top_p_filter(np.log(probs), 0.9).round(2)
    array([-0.69, -1.2 , -1.9 ,  -inf])
    """
    ### BEGIN SOLUTION
    logits = _check_logits(logits)
    check_number("p", p, "(0, 1]")
    probs = softmax(logits)
    # The nucleus lies among the tokens at or above any bound whose tokens hold p together. Rank
    # the above-average ones first (they mostly do), then those at or above (1 - p) / V (the others
    # hold less than 1 - p), then every token (if rounding leaves those short).
    for bound in (1 / len(probs), (1 - p) / len(probs), 0.0):
        candidates = (probs >= bound).nonzero()[0]
        order = candidates[np.argsort(-logits[candidates], kind="stable")]  # highest first, ties by id
        total = np.cumsum(probs[order])
        if total.size and total[-1] >= p:
            break
    n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))  # the first total >= p, included
    filtered = np.full_like(logits, -np.inf)
    filtered[order[:n_kept]] = logits[order[:n_kept]]
    return filtered
    ### END SOLUTION


class TextGenerator:
    """Kata 14: generate text with a trained model, one token at a time.

    ``seed`` seeds the generator's own ``numpy.random.Generator``: the same seed, model
    and arguments give the same text.
    """

    def __init__(self, model, tokenizer, seed: int | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.rng = np.random.default_rng(check_integer("seed", seed, 0, optional=True))

    def next_id(self, ids: list[int], strategy: str = "sample", temperature: float = 1.0,
                top_k: int | None = None, top_p: float | None = None) -> int:
        """The id that follows ``ids``: ``greedy``, or ``sample`` after temperature, then top-k, then top-p.

        Only the last ``model.context_size`` ids reach the model: the model reads no
        further back, so a longer prompt costs nothing more. Fewer ids reach it as they
        are, unpadded (the model pads them with its own padding token). Top-p measures
        the probabilities that temperature and top-k left. Every option is checked with
        ``check_strategy``, whatever the strategy.
        """
        ### BEGIN SOLUTION
        check_strategy(strategy, temperature, top_k, top_p)
        context = np.array([ids[-self.model.context_size :]])
        logits = self.model(context)[0, -1]
        if strategy == "greedy":
            return greedy(logits)
        logits = apply_temperature(logits, temperature)
        if top_k is not None:
            logits = top_k_filter(logits, top_k)
        if top_p is not None:
            logits = top_p_filter(logits, top_p)
        return sample(logits, self.rng)
        ### END SOLUTION

    def generate(self, prompt: str, max_new_tokens: int, strategy: str = "sample", temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None, stop_ids: Iterable[int] = ()) -> str:
        """The prompt's ids and up to ``max_new_tokens`` generated ids, decoded to text.

        With a lossless tokenizer (character, BPE) the text starts with the prompt itself.
        Generation stops early after an id of ``stop_ids`` (which is kept in the text).
        The prompt must encode to at least one id: the model needs something to continue.
        Every argument is checked before the first token, even with ``max_new_tokens=0``.
        """
        ### BEGIN SOLUTION
        check_integer("max_new_tokens", max_new_tokens, 0)
        check_strategy(strategy, temperature, top_k, top_p)
        ids = list(self.tokenizer.encode(check_type("prompt", prompt, str)))
        if not ids:
            raise ValueError("the prompt encodes to no token: give the model at least one token to continue")
        stop_ids = set(as_id_list(stop_ids, "stop_ids"))
        for _ in range(max_new_tokens):
            ids.append(self.next_id(ids, strategy, temperature, top_k, top_p))
            if ids[-1] in stop_ids:
                break
        return self.tokenizer.decode(ids)
        ### END SOLUTION


def generate(model, tokenizer, prompt: str, max_length: int = 50, seed: int | None = None, **strategy) -> str:
    """The course's one-liner: the prompt continued to ``max_length`` tokens in all (prompt included).

    ``strategy`` takes the keywords of :meth:`TextGenerator.generate`; the default samples
    at temperature 1. ``max_length`` is a positive integer.
    """
    ### BEGIN SOLUTION
    check_integer("max_length", max_length)
    new_tokens = max(0, max_length - len(tokenizer.encode(prompt)))
    return TextGenerator(model, tokenizer, seed).generate(prompt, new_tokens, **strategy)
    ### END SOLUTION
