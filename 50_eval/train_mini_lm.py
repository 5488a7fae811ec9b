"""Train the mini language model on a real corpus, with your katas or the reference.

    python 50_eval/train_mini_lm.py                    # your code in exercises/day5/
    python 50_eval/train_mini_lm.py --impl solutions   # the reference

With no ``--corpus`` it trains on text every Python has: the documentation topics
of ``pydoc_data`` (about 465 KB of English). It splits the token ids into training
and validation parts, trains with your ``train_epoch`` / ``AdamOptimizer`` / ...,
reports validation loss and perplexity against two baselines (uniform: V; unigram:
token frequencies alone), and writes a checkpoint for ``generate_text.py``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from tqdm import tqdm

import checkpoint
from workbook import implementation
from workbook.katas import kata_for_name

HERE = Path(__file__).resolve().parent


def default_corpus() -> str:
    from pydoc_data.topics import topics

    return "\n".join(topics.values())


def integer(low: int):
    """An argparse type: an integer >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}")
        return value

    return parse


def number(interval: str):
    """An argparse type: a float in ``interval``, written as in mathematics (e.g. ``"(0, 1)"``)."""
    check_number = implementation.load("solutions", "serialization").check_number  # given code

    def parse(text: str) -> float:
        try:
            return check_number("value", float(text), interval)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number in {interval}, got {text!r}") from None

    return parse


positive = integer(1)
MIN_VOCAB = {"char": 1, "word": 2, "bpe": 256}  # the word tokenizer's <unk> needs one word beside it


def parse_args(argv=None):
    """The arguments, every one checked (the output path and the corpus included) before any work."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--impl", default=implementation.default(), help="exercises, solutions, or a folder holding day5/")
    parser.add_argument("--corpus", type=Path, help="a UTF-8 text file (default: Python's documentation topics)")
    parser.add_argument("--tokenizer", choices=("char", "word", "bpe"), default="char", help="character, word or byte-level BPE tokens")
    parser.add_argument("--vocab-size", type=positive, default=512,
                        help="BPE vocabulary size (>= 256), or the word tokenizer's max_vocab (>= 2); char ignores it")
    parser.add_argument("--context", type=positive, default=8, help="tokens the model reads to predict the next one")
    parser.add_argument("--embedding-dim", type=positive, default=32, help="size of each token's embedding")
    parser.add_argument("--hidden", type=positive, default=256, help="size of the model's hidden layer")
    parser.add_argument("--steps", type=positive, default=3000, help="optimizer steps")
    parser.add_argument("--batch-size", type=positive, default=32, help="windows per batch")
    parser.add_argument("--seq-len", type=positive, default=64, help="tokens per window")
    parser.add_argument("--lr", type=number("(0, inf)"), default=3e-3, help="Adam's learning rate")
    parser.add_argument("--clip", type=number("[0, inf)"), default=1.0, help="max gradient norm (0 turns clipping off)")
    parser.add_argument("--val-fraction", type=number("(0, 1)"), default=0.1, help="share of the token ids kept for validation")
    parser.add_argument("--eval-every", type=positive, default=250, help="steps between validation runs")
    parser.add_argument("--seed", type=integer(0), default=0, help="seeds the weights and the batch order")
    parser.add_argument("--out", type=Path, default=HERE / "checkpoints" / "mini_lm.npz", help="the checkpoint to write")
    args = parser.parse_args(argv)
    if args.vocab_size < MIN_VOCAB[args.tokenizer]:
        parser.error(f"argument --vocab-size: the {args.tokenizer} tokenizer needs at least {MIN_VOCAB[args.tokenizer]}, got {args.vocab_size}")
    for problem in (check_output(args.out), check_corpus(args.corpus)):
        if problem:
            parser.error(problem)
    return args


def check_output(out: Path) -> str | None:
    """Why the checkpoint could not be written to ``out``, or None if it can."""
    if out.is_dir():
        return f"argument --out: {out} is a directory, not a file"
    folder = out.parent
    while not folder.exists():  # the folders that are missing will be made
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return f"argument --out: cannot write in {folder}"
    if out.exists() and not os.access(out, os.W_OK):
        return f"argument --out: {out} is not writable"
    return None


def check_corpus(corpus: Path | None) -> str | None:
    """Why ``corpus`` cannot be trained on (missing, not UTF-8, empty), or None."""
    if corpus is None:
        return None
    try:
        text = corpus.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"argument --corpus: cannot read {corpus} as UTF-8 text: {error}"
    return None if text.strip() else f"argument --corpus: {corpus} holds no text"


def make_tokenizer(day5, kind: str, vocab_size: int, text: str):
    if kind == "char":
        tokenizer = day5["tokenizers"].CharacterTokenizer()
        tokenizer.fit(text)
    elif kind == "word":
        tokenizer = day5["tokenizers"].WordTokenizer(max_vocab=vocab_size)
        tokenizer.fit(text)
    else:
        # The given fast trainer: kata 4's merges (and your split), in seconds on megabytes.
        tokenizer = day5["fast_bpe"].FastBPETokenizer(day5["tokenizers"].GPT2_PATTERN)
        tokenizer.train(text, vocab_size)
    return tokenizer


def corpus_ids(tokenizer, corpus: Path | None, text: str):
    """The ids of the corpus. A BPE tokenizer streams a ``--corpus`` file line by line
    (``encode_iterable``) into an array of ids; the others encode ``text`` in one call."""
    if corpus is None or not hasattr(tokenizer, "encode_iterable"):
        return tokenizer.encode(text)
    with corpus.open(encoding="utf-8") as lines:  # the same newlines as read_text
        return np.fromiter(tokenizer.encode_iterable(lines), dtype=np.int64)


def unigram_perplexity(train_ids, val_ids, vocab_size: int) -> float:
    """Perplexity on ``val_ids`` of token frequencies in ``train_ids`` (add-one smoothed)."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0
    log_probs = np.log(counts / counts.sum())
    return math.exp(-log_probs[val_ids].mean())


def batches_forever(loader):
    """Epoch after epoch of ``loader``'s batches (each epoch shuffled anew)."""
    return itertools.chain.from_iterable(iter(loader) for _ in itertools.count())


def train(args, day5) -> dict:
    text = args.corpus.read_text(encoding="utf-8") if args.corpus else default_corpus()
    started = time.perf_counter()
    tokenizer = make_tokenizer(day5, args.tokenizer, args.vocab_size, text)
    if tokenizer.vocab_size < 2:
        raise ValueError(f"the {args.tokenizer} tokenizer learned {tokenizer.vocab_size} token from the corpus: nothing to predict")
    ids = corpus_ids(tokenizer, args.corpus, text)
    train_ids, val_ids = day5["data"].train_val_split(ids, args.val_fraction)
    print(f"corpus: {len(text):,} characters -> {len(ids):,} {args.tokenizer} tokens, vocabulary {tokenizer.vocab_size}")
    print(f"tokenizer ready in {time.perf_counter() - started:.1f} s; train {len(train_ids):,} / validation {len(val_ids):,} tokens")

    loader = day5["data"].DataLoader(train_ids, args.batch_size, args.seq_len, shuffle=True, seed=args.seed)
    val_loader = day5["data"].DataLoader(val_ids, args.batch_size, min(args.seq_len, len(val_ids) - 1))
    model = day5["model"].MiniLanguageModel(
        tokenizer.vocab_size, args.context, args.embedding_dim, args.hidden, seed=args.seed
    )
    optimizer = day5["optim"].AdamOptimizer(model.parameters(), lr=args.lr)
    stream = batches_forever(loader)
    history = {"step": [], "train_loss": [], "val_loss": []}
    started = time.perf_counter()
    with tqdm(total=args.steps, unit="step", desc="training", mininterval=1) as bar:
        while bar.n < args.steps:
            chunk = list(itertools.islice(stream, min(args.eval_every, args.steps - bar.n)))
            losses = day5["training"].train_epoch(model, chunk, optimizer, max_grad_norm=args.clip or None)
            val_loss, val_perplexity = day5["training"].evaluate(model, val_loader)
            bar.update(len(losses))
            bar.set_postfix(loss=f"{np.mean(losses):.3f}", val_loss=f"{val_loss:.3f}", val_ppl=f"{val_perplexity:.2f}")
            history["step"].append(bar.n)
            history["train_loss"].append(float(np.mean(losses)))
            history["val_loss"].append(float(val_loss))
    seconds = time.perf_counter() - started

    results = {
        "val_loss": val_loss,
        "val_perplexity": val_perplexity,
        "unigram_perplexity": unigram_perplexity(train_ids, val_ids, tokenizer.vocab_size),
        "uniform_perplexity": tokenizer.vocab_size,
        "seconds": seconds,
        "steps_per_second": args.steps / seconds,
    }
    print(f"trained {args.steps} steps in {seconds:.0f} s ({results['steps_per_second']:.1f} steps/s)")
    print(
        f"validation: loss {val_loss:.3f}, perplexity {val_perplexity:.2f} "
        f"(unigram {results['unigram_perplexity']:.2f}, uniform {tokenizer.vocab_size})"
    )
    settings = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()}
    checkpoint.save(args.out, model, tokenizer, {"settings": settings, "history": history, "results": results})
    print(f"checkpoint: {args.out}")
    plot(history, args.out.with_suffix(".png"))
    return results


def plot(history: dict, path: Path) -> None:
    """Save the loss curves next to the checkpoint, when matplotlib is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(history["step"], history["train_loss"], label="train")
    axes.plot(history["step"], history["val_loss"], label="validation")
    axes.set(xlabel="step", ylabel="cross-entropy (nats)", title="mini language model")
    axes.legend()
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    print(f"loss curve: {path}")


def load_day5(impl) -> dict:
    names = ("tokenizers", "fast_bpe", "data", "model", "optim", "training")
    return {name: implementation.load(impl, name) for name in names}


def explain_stub(error: NotImplementedError, impl) -> str | None:
    """One line naming the unfinished kata behind ``error``, or None if it is not a stub."""
    stub = implementation.stub_reached(error, impl)
    if stub is None:
        return None
    kata = kata_for_name(stub.name)
    which = f"kata '{kata.title}' is not finished" if kata else "a kata is not finished"
    return (
        f"{which}: implement `{stub.name}` in {stub.where} "
        f"(pytest {kata.tests if kata else '-k day5'}), or run the reference: --impl solutions"
    )


def run(job: Callable[[], object], impl) -> int:
    """Run ``job``: an unfinished kata or bad input becomes one line on stderr and an exit code."""
    try:
        job()
    except NotImplementedError as error:
        message = explain_stub(error, impl)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    return run(lambda: train(args, load_day5(args.impl)), args.impl)


if __name__ == "__main__":
    sys.exit(main())
