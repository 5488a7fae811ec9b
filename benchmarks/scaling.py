"""How the cost of BPE grows: with the corpus size and with the vocabulary, ours beside HF's.

Each point runs our trainer (or encoder) and HF ``tokenizers``' on the same text in one
round (``interleave``); a point's time is the median over rounds. The growth is summed
up by the *fitted exponent*: the slope of log(time) against log(size) by least squares,
so time ~ size**exponent (1 is linear). The target is that ours grows no faster than
HF's: our exponent at most HF's (``EXPONENT_SLACK`` allows for the noise of a shared
machine, and is printed with the target).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from . import bpe
from .timing import interleave, keeping

EXPONENT_SLACK = 0.05


def exponent(sizes: list[float], seconds: list[float]) -> float:
    """The least-squares slope of log(seconds) against log(sizes)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


@dataclass
class Scaling:
    """Medians of ours and of each baseline at several sizes, and their fitted exponents."""

    name: str
    unit: str  # what the size counts, e.g. "MB" or "vocabulary"
    sizes: list[float]
    ours: list[list[float]] = field(default_factory=list)  # samples per size
    baselines: dict[str, list[list[float]]] = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def medians(self, samples: list[list[float]]) -> list[float]:
        return [statistics.median(s) for s in samples]

    def exponents(self) -> dict[str, float]:
        series = {"ours": self.ours, **self.baselines}
        return {name: exponent(self.sizes, self.medians(samples)) for name, samples in series.items()}

    def met(self, baseline: str) -> bool:
        found = self.exponents()
        return found["ours"] <= found[baseline] + EXPONENT_SLACK

    def to_json(self) -> dict:
        found = self.exponents()
        return {"name": self.name, "kind": "scaling", "unit": self.unit, "sizes": self.sizes,
                "ours": {"median_s": self.medians(self.ours), "samples_s": self.ours, "exponent": found["ours"]},
                "baselines": {name: {"median_s": self.medians(samples), "samples_s": samples, "exponent": found[name],
                                     "target": {"op": "<=", "bound": found[name] + EXPONENT_SLACK,
                                                "text": f"exponent <= HF's (+{EXPONENT_SLACK})"},
                                     "met": self.met(name)}
                              for name, samples in self.baselines.items()},
                "checks": self.checks, "notes": self.notes}

    def rows(self) -> list[tuple]:
        from .timing import verdict

        found = self.exponents()
        return [(self.name, f"exponent {found['ours']:.2f}", name, f"exponent {found[name]:.2f}",
                 f"{found['ours'] - found[name]:+.2f}", f"<= HF's (+{EXPONENT_SLACK})", verdict(self.met(name)))
                for name in self.baselines]

    def points_table(self) -> str:
        """One line per size: ours, each baseline, and the ratio."""
        lines = []
        for i, size in enumerate(self.sizes):
            ours = statistics.median(self.ours[i])
            parts = [f"{size:g} {self.unit}: ours {ours:.3f} s"]
            for name, samples in self.baselines.items():
                theirs = statistics.median(samples[i])
                parts.append(f"{name} {theirs:.3f} s ({theirs / ours:.2f}x)")
            lines.append(", ".join(parts))
        return "; ".join(lines)


def with_corpus_size(tok, fast, hf, texts: dict[float, str], vocab_size: int, repeat: int) -> tuple[Scaling, Scaling]:
    """Training to ``vocab_size`` and encoding, at each corpus size (MB -> text)."""
    train = Scaling(f"scaling: bpe-train with corpus size (vocab {vocab_size})", "MB", list(texts))
    encode = Scaling(f"scaling: bpe-encode with corpus size (vocab {vocab_size})", "MB", list(texts))
    if hf:
        train.baselines["HF tokenizers"], encode.baselines["HF tokenizers"] = [], []
    for megabytes, text in texts.items():
        trained = {}
        runs = {"ours": keeping(trained, "ours", bpe.train_ours, tok, fast, text, vocab_size)}
        if hf:
            runs["HF tokenizers"] = keeping(trained, "hf", bpe.train_hf, hf, text, vocab_size)
        samples = interleave(runs, repeat)
        train.ours.append(samples.pop("ours"))
        for name, seconds in samples.items():
            train.baselines[name].append(seconds)
        out = {}
        ours = trained["ours"]
        runs = {"ours": keeping(out, "ours", ours.encode, text)}
        if hf:
            hf_tokenizer = bpe.hf_from(hf, ours)
            runs["HF tokenizers"] = keeping(out, "hf", lambda t: hf_tokenizer.encode(t).ids, text)
        samples = interleave(runs, repeat)
        encode.ours.append(samples.pop("ours"))
        for name, seconds in samples.items():
            encode.baselines[name].append(seconds)
        if "hf" in out:
            encode.checks.setdefault("hf_ids_identical", {})[str(megabytes)] = out["hf"] == out["ours"]
    for result in (train, encode):
        result.notes.append(result.points_table())
    if "hf_ids_identical" in encode.checks:
        encode.notes.append(f"HF's ids equal ours at every size: {all(encode.checks['hf_ids_identical'].values())}")
    return train, encode


def with_vocabulary(tok, fast, hf, name: str, text: str, vocab_sizes: list[int], repeat: int) -> Scaling:
    """Training on ``text`` to each vocabulary size."""
    result = Scaling(f"scaling: bpe-train {name} with vocabulary", "vocabulary", vocab_sizes)
    if hf:
        result.baselines["HF tokenizers"] = []
    for vocab_size in vocab_sizes:
        runs = {"ours": keeping({}, "ours", bpe.train_ours, tok, fast, text, vocab_size)}
        if hf:
            runs["HF tokenizers"] = keeping({}, "hf", bpe.train_hf, hf, text, vocab_size)
        samples = interleave(runs, repeat)
        result.ours.append(samples.pop("ours"))
        for baseline, seconds in samples.items():
            result.baselines[baseline].append(seconds)
    result.notes.append(result.points_table())
    return result
