"""Top-p sampling one token at a time: the reference's three functions against PyTorch.

Each token takes one precomputed logit vector (vocabulary 2048, float32), divides it
by the temperature, keeps the nucleus (top-p) and draws one id.
"""

from __future__ import annotations

import numpy as np

from .timing import Comparison, Target, interleave, timed

TARGET = Target(">=", 3.0, ">= 3x")
VOCAB, TEMPERATURE, TOP_P = 2048, 0.8, 0.9
WARMUP = 20  # untimed tokens on each side first


def ours_next(generation, logits, rng) -> int:
    return generation.sample(generation.top_p_filter(generation.apply_temperature(logits, TEMPERATURE), TOP_P), rng)


def torch_filter(torch, logits):
    """The nucleus in torch: sorted logits with the tail set to -inf, and the sort order."""
    ranked, order = torch.sort(logits / TEMPERATURE, descending=True)
    probs = torch.softmax(ranked, dim=-1)
    ranked[probs.cumsum(-1) - probs >= TOP_P] = -torch.inf  # drop a token once those above it reach p
    return ranked, order


def torch_next(torch, logits, generator) -> int:
    ranked, order = torch_filter(torch, logits)
    return int(order[torch.multinomial(torch.softmax(ranked, dim=-1), 1, generator=generator)])


def same_nucleus(generation, torch, logits) -> bool:
    """Do the reference and torch keep as many tokens of ``logits``?"""
    ours = np.isfinite(generation.top_p_filter(generation.apply_temperature(logits, TEMPERATURE), TOP_P)).sum()
    return int(ours) == int(torch.isfinite(torch_filter(torch, torch.from_numpy(logits))[0]).sum())


def sampling(generation, torch, tokens: int, repeat: int) -> Comparison:
    """Seconds per token over ``tokens`` logit vectors, ours against torch (when installed)."""
    logits = (np.random.default_rng(0).standard_normal((tokens, VOCAB)) * 3).astype(np.float32)
    rng = np.random.default_rng(0)
    result = Comparison(f"top-p sampling ({tokens} tokens)", [], unit="/token")
    runs = {"ours": lambda: timed(lambda: [ours_next(generation, row, rng) for row in logits])[0] / tokens}
    for row in logits[:WARMUP]:
        ours_next(generation, row, rng)
    if torch:
        rows, generator = torch.from_numpy(logits), torch.Generator().manual_seed(0)
        for row in rows[:WARMUP]:
            torch_next(torch, row, generator)
        runs["torch"] = lambda: timed(lambda: [torch_next(torch, row, generator) for row in rows])[0] / tokens
        result.targets["torch"] = TARGET
        checked = logits[:100]
        same = sum(same_nucleus(generation, torch, row) for row in checked)
        result.checks["same_nucleus_size"] = f"{same}/{len(checked)}"
        result.notes.append(f"the nucleus has the same size in torch for {same} of the first {len(checked)} vectors")
    samples = interleave(runs, repeat)
    result.ours = samples.pop("ours")
    result.baselines = samples
    return result
