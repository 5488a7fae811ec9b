"""Which measurements run, on what sizes, with which optional baselines."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from workbook import implementation

from . import bpe, corpora, reference_tests, sampling, scaling, training_step

MEASUREMENTS = ("bpe-train", "bpe-encode", "bpe-memory", "bpe-nopattern", "scaling", "train-step", "sampling", "pytest")
NEEDS = {"bpe-train": ("tokenizers",), "bpe-encode": ("tokenizers", "tiktoken"), "scaling": ("tokenizers",),
         "train-step": ("torch",), "sampling": ("torch",)}


@dataclass(frozen=True)
class Sizes:
    chars: int | None  # the first characters of each corpus (None: all of it)
    vocabs: tuple[int, ...]  # BPE vocabularies to train; the last one also encodes and is measured for memory
    batch_size: int
    steps: int  # training steps per sample
    tokens: int  # sampled tokens per sample
    scale_chars: tuple[int, ...]  # corpus sizes for the scaling section (characters of corpus_large)
    scale_vocabs: tuple[int, ...]  # vocabularies for the scaling section (on corpus B)
    scale_repeat: int  # rounds per scaling point (at most the run's rounds)


MB = 1_000_000
FULL = Sizes(chars=None, vocabs=(512, 2048), batch_size=64, steps=50, tokens=1000,
             scale_chars=(MB // 4, MB // 2, MB, 2 * MB, 4 * MB), scale_vocabs=(512, 1024, 2048, 4096, 8192),
             scale_repeat=3)
QUICK = Sizes(chars=20_000, vocabs=(280, 300), batch_size=64, steps=3, tokens=100,
              scale_chars=(5_000, 10_000, 20_000), scale_vocabs=(280, 300, 320), scale_repeat=1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def optional(name: str):
    """The comparison library ``name``, or None after saying it is skipped."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped: {name} is not installed (pip install -e '.[bench]')")
        return None


def run(names: tuple[str, ...], sizes: Sizes, repeat: int) -> tuple[list, dict]:
    """Run the measurements ``names``; return their results and the corpora they used."""
    libraries = {name: optional(name) for name in sorted({lib for n in names for lib in NEEDS.get(n, ())})}
    hf, tiktoken, torch = (libraries.get(name) for name in ("tokenizers", "tiktoken", "torch"))
    day5 = {name: implementation.load("solutions", name)
            for name in ("tokenizers", "fast_bpe", "data", "losses", "optim", "model", "generation")}
    tok, fast = day5["tokenizers"], day5["fast_bpe"]
    texts = {"A": corpora.corpus_a()[: sizes.chars]}
    if {"bpe-train", "bpe-encode", "bpe-memory", "scaling"} & set(names):
        log("building corpus B from the standard library's docstrings ...")
        texts["B"] = corpora.corpus_b(sizes.chars or corpora.B_CHARS)
    big = sizes.vocabs[-1]
    results = []
    if "bpe-train" in names:
        for name, text in texts.items():
            for vocab_size in sizes.vocabs:
                log(f"bpe-train {name}/{vocab_size} ...")
                results.append(bpe.training(tok, fast, hf, name, text, vocab_size, repeat, simple=name == "A"))
    if "bpe-encode" in names:
        log(f"bpe-encode B (vocab {big}) ...")
        results.append(bpe.encoding(tok, fast, hf, tiktoken, "B", texts["B"], big, repeat))
    if "bpe-memory" in names:
        log(f"bpe-memory B/{big} ...")
        results.append(bpe.peak_memory(tok, fast, "B", texts["B"], big))
    if "bpe-nopattern" in names:
        log(f"bpe-nopattern A/{sizes.vocabs[0]} ...")
        results.extend(bpe.no_pattern(tok, fast, "A", texts["A"], sizes.vocabs[0], repeat, whole=sizes.chars is None))
    if "scaling" in names:
        rounds = min(repeat, sizes.scale_repeat)
        log(f"scaling with corpus size {[size / MB for size in sizes.scale_chars]} MB ...")
        texts_by_size = {size / MB: corpora.corpus_large(size) for size in sizes.scale_chars}
        for size, text in texts_by_size.items():
            texts[f"scale {size:g} MB"] = text
        results.extend(scaling.with_corpus_size(tok, fast, hf, texts_by_size, big, rounds))
        log(f"scaling with vocabulary {list(sizes.scale_vocabs)} ...")
        results.append(scaling.with_vocabulary(tok, fast, hf, "B", texts["B"], list(sizes.scale_vocabs), rounds))
    if "train-step" in names:
        log("train-step ...")
        results.append(training_step.training_step(day5, torch, texts["A"], sizes.batch_size, sizes.steps, repeat))
    if "sampling" in names:
        log("sampling ...")
        results.append(sampling.sampling(day5["generation"], torch, sizes.tokens, repeat))
    if "pytest" in names:
        log("pytest ...")
        results.append(reference_tests.reference_tests(repeat, collect_only=sizes is QUICK))
    return results, {name: corpora.describe(text) for name, text in texts.items()}
