"""Generate text from a checkpoint of train_mini_lm.py, with each decoding strategy.

    python 50_eval/generate_text.py --prompt "The class"              # every strategy, side by side
    python 50_eval/generate_text.py --strategy top-p --top-p 0.9      # one strategy
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import checkpoint
from train_mini_lm import HERE, integer, number, run
from workbook import implementation

STRATEGIES = ("greedy", "temperature", "top-k", "top-p")
PERPLEXITIES = ("val_perplexity", "unigram_perplexity")  # what the checkpoint's info['results'] reports


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--impl", default=implementation.default(), help="exercises, solutions, or a folder holding day5/")
    parser.add_argument("--checkpoint", type=Path, default=HERE / "checkpoints" / "mini_lm.npz", help="written by train_mini_lm.py")
    parser.add_argument("--prompt", default="The ", help="the text to continue")
    parser.add_argument("--max-new-tokens", type=integer(0), default=200, help="tokens to generate after the prompt")
    parser.add_argument("--strategy", choices=(*STRATEGIES, "all"), default="all", help="how to pick each token")
    parser.add_argument("--temperature", type=number("[0, inf)"), default=0.8, help="for temperature, top-k and top-p")
    parser.add_argument("--top-k", type=integer(1), default=10, help="tokens kept by top-k")
    parser.add_argument("--top-p", type=number("(0, 1]"), default=0.9, help="probability kept by top-p")
    parser.add_argument("--seed", type=integer(0), default=0, help="seeds the sampling")
    return parser.parse_args(argv)


def options(strategy: str, args) -> dict:
    """The keywords of ``TextGenerator.generate`` for one strategy."""
    if strategy == "greedy":
        return {"strategy": "greedy"}
    chosen = {"top-k": {"top_k": args.top_k}, "top-p": {"top_p": args.top_p}}.get(strategy, {})
    return {"strategy": "sample", "temperature": args.temperature, **chosen}


def describe(strategy: str, args) -> str:
    settings = {"greedy": "", "temperature": f"T={args.temperature}", "top-k": f"T={args.temperature}, k={args.top_k}",
                "top-p": f"T={args.temperature}, p={args.top_p}"}[strategy]
    return f"{strategy} ({settings})" if settings else strategy


def show(args) -> None:
    """Print the text of each chosen strategy, from the checkpoint's model."""
    load = functools.partial(implementation.load, args.impl)
    model, tokenizer, info = checkpoint.load(args.checkpoint, load("tokenizers"), load("model"))
    results = info.get("results", {})
    if results != {} and not (isinstance(results, dict) and all(isinstance(results.get(key), (int, float)) for key in PERPLEXITIES)):
        raise ValueError(f"{args.checkpoint} is a damaged checkpoint: info['results'] is {results!r:.80}")
    if results:
        print(f"{args.checkpoint}: validation perplexity {results['val_perplexity']:.2f} (unigram {results['unigram_perplexity']:.2f})")
    strategies = STRATEGIES if args.strategy == "all" else (args.strategy,)
    for strategy in strategies:
        generator = load("generation").TextGenerator(model, tokenizer, seed=args.seed)
        text = generator.generate(args.prompt, args.max_new_tokens, **options(strategy, args))
        print(f"\n--- {describe(strategy, args)} ---\n{text}")


def main(argv=None) -> int:
    args = parse_args(argv)
    return run(lambda: show(args), args.impl)


if __name__ == "__main__":
    sys.exit(main())
