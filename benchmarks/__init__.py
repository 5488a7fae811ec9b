"""Benchmarks of the day5 reference against the libraries a learner would reach for.

    python -m benchmarks            # full sizes, 5 rounds: several minutes on two cores
    python -m benchmarks --quick    # tiny sizes, one round: keeps the harness working (CI)

What is measured, and against what (``pip install -e ".[bench]"`` for the baselines):

- BPE training with the GPT-2 pattern on corpora A and B (``corpora``), the given
  ``fast_bpe.FastBPETokenizer``: against kata 4's reference trainer (corpus A) and
  Hugging Face ``tokenizers``;
- BPE encoding of corpus B: against ``tokenizers`` and ``tiktoken`` holding our merges;
- peak memory of BPE training (tracemalloc);
- one training step of the mini model: against the same network in PyTorch;
- top-p sampling one token at a time: against the same steps in PyTorch;
- the wall time of the reference's test suite.

Each speedup is the median, over rounds, of ``baseline seconds / our seconds`` where
one round runs both sides back to back (``timing``). The table prints each target
and whether it is met; the results file (JSON) holds every sample.
"""
