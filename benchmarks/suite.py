"""Which measurements run, on what sizes, with which optional baselines."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from workbook import implementation

from . import bpe, corpora, reference_tests, sampling, training_step

MEASUREMENTS = ("bpe-train", "bpe-encode", "bpe-memory", "train-step", "sampling", "pytest")
NEEDS = {"bpe-train": ("tokenizers",), "bpe-encode": ("tokenizers", "tiktoken"),
         "train-step": ("torch",), "sampling": ("torch",)}


@dataclass(frozen=True)
class Sizes:
    chars: int | None  # the first characters of each corpus (None: all of it)
    vocabs: tuple[int, ...]  # BPE vocabularies to train; the last one also encodes and is measured for memory
    batch_size: int
    steps: int  # training steps per sample
    tokens: int  # sampled tokens per sample


FULL = Sizes(chars=None, vocabs=(512, 2048), batch_size=64, steps=50, tokens=1000)
QUICK = Sizes(chars=20_000, vocabs=(280, 300), batch_size=64, steps=3, tokens=100)


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
            for name in ("tokenizers", "data", "losses", "optim", "model", "generation")}
    tok = day5["tokenizers"]
    texts = {"A": corpora.corpus_a()[: sizes.chars]}
    if {"bpe-train", "bpe-encode", "bpe-memory"} & set(names):
        log("building corpus B from the standard library's docstrings ...")
        texts["B"] = corpora.corpus_b(sizes.chars or corpora.B_CHARS)
    big = sizes.vocabs[-1]
    results = []
    if "bpe-train" in names:
        for name, text in texts.items():
            for vocab_size in sizes.vocabs:
                log(f"bpe-train {name}/{vocab_size} ...")
                results.append(bpe.training(tok, hf, name, text, vocab_size, repeat, simple=name == "A",
                                            simple_target=vocab_size == big,
                                            calibrate=name == "A" and vocab_size == sizes.vocabs[0]))
    if "bpe-encode" in names:
        log(f"bpe-encode B (vocab {big}) ...")
        results.append(bpe.encoding(tok, hf, tiktoken, "B", texts["B"], big, repeat))
    if "bpe-memory" in names:
        log(f"bpe-memory B/{big} ...")
        results.append(bpe.peak_memory(tok, "B", texts["B"], big))
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
