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
from train_mini_lm import HERE, run
from workbook import implementation

STRATEGIES = ("greedy", "temperature", "top-k", "top-p")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--impl", default=implementation.default(), help="exercises, solutions, or a folder holding day5/")
    parser.add_argument("--checkpoint", type=Path, default=HERE / "checkpoints" / "mini_lm.npz")
    parser.add_argument("--prompt", default="The ")
    parser.add_argument("--max-new-tokens", type=int, default=200)
    parser.add_argument("--strategy", choices=(*STRATEGIES, "all"), default="all")
    parser.add_argument("--temperature", type=float, default=0.8, help="for temperature, top-k and top-p")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--top-p", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
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
