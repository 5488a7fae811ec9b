"""One training step of the mini language model: the NumPy reference against PyTorch.

A step is forward, cross-entropy, backward, Adam step and zero_grad, on batches of
character ids from corpus A, with the sizes of ``50_eval/train_mini_lm.py``. The
PyTorch model is the same architecture, starting from the same weights.
"""

from __future__ import annotations

import itertools
import os

from threadpoolctl import threadpool_info

from .timing import Comparison, Target, interleave, timed

TARGET = Target(">=", 1.0, ">= 1x")  # issue 23 (issue 17: >= 1.1x)
CONTEXT, EMBEDDING, HIDDEN, SEQ_LEN, LR = 8, 32, 256, 64, 3e-3
WARMUP = 3  # untimed steps on each side first


def blas_threads() -> tuple[int, str]:
    """How many threads NumPy's BLAS uses, and how we know."""
    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return (blas[0], "threadpoolctl") if blas else (os.cpu_count() or 1, "os.cpu_count() (no BLAS found)")


class Ours:
    """The reference model, loss and optimizer, stepping through ``batches``."""

    def __init__(self, day5, vocab_size: int):
        self.model = day5["model"].MiniLanguageModel(vocab_size, CONTEXT, EMBEDDING, HIDDEN, seed=0)
        self.loss_fn = day5["losses"].CrossEntropyLoss()
        self.optimizer = day5["optim"].AdamOptimizer(self.model.parameters(), lr=LR)

    def step(self, inputs, targets) -> float:
        loss = self.loss_fn(self.model(inputs), targets)
        self.model.backward(self.loss_fn.backward())
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


class Torch:
    """The same network in PyTorch, its weights copied from ``ours``."""

    def __init__(self, torch, ours):
        nn, self.torch, self.vocab_size = torch.nn, torch, ours.vocab_size
        self.embedding = nn.Embedding(ours.vocab_size + 1, EMBEDDING)  # the last row pads the start
        self.hidden = nn.Linear(CONTEXT * EMBEDDING, HIDDEN)
        self.output = nn.Linear(HIDDEN, ours.vocab_size)
        with torch.no_grad():
            self.embedding.weight.copy_(torch.from_numpy(ours.embedding.data))
            self.hidden.weight.copy_(torch.from_numpy(ours.hidden_weight.data.T))
            self.hidden.bias.copy_(torch.from_numpy(ours.hidden_bias.data))
            self.output.weight.copy_(torch.from_numpy(ours.output_weight.data.T))
            self.output.bias.copy_(torch.from_numpy(ours.output_bias.data))
        self.modules = nn.ModuleList([self.embedding, self.hidden, self.output])
        self.optimizer = torch.optim.Adam(self.modules.parameters(), lr=LR)

    def forward(self, ids):
        batch, time = ids.shape
        padded = self.torch.nn.functional.pad(ids, (CONTEXT - 1, 0), value=self.vocab_size)
        windows = padded.unfold(1, CONTEXT, 1)  # (batch, time, CONTEXT): window t ends at token t
        joined = self.embedding(windows).reshape(batch, time, CONTEXT * EMBEDDING)
        return self.output(self.torch.tanh(self.hidden(joined)))

    def step(self, inputs, targets) -> float:
        logits = self.forward(inputs)
        loss = self.torch.nn.functional.cross_entropy(logits.reshape(-1, self.vocab_size), targets.reshape(-1))
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss.item()


def training_step(day5, torch, text: str, batch_size: int, steps: int, repeat: int) -> Comparison:
    """Seconds per step over ``steps`` batches, ours against torch (when installed).

    NumPy's BLAS keeps the threads it starts with, as in ``50_eval``; torch gets as many.
    """
    tokenizer = day5["tokenizers"].CharacterTokenizer()
    tokenizer.fit(text)
    loader = day5["data"].DataLoader(tokenizer.encode(text), batch_size, SEQ_LEN, shuffle=True, seed=0, drop_last=True)
    batches = list(itertools.islice(loader, steps))
    ours = Ours(day5, tokenizer.vocab_size)
    result = Comparison(f"train-step (batch {batch_size})", [], unit="/step",
                        checks={"vocab_size": tokenizer.vocab_size, "steps_per_sample": len(batches)})
    runs = {"ours": lambda: timed(lambda: [ours.step(*batch) for batch in batches])[0] / len(batches)}
    if torch:
        threads, source = blas_threads()
        torch.set_num_threads(threads)
        theirs = Torch(torch, ours.model)
        torch_batches = [tuple(map(torch.from_numpy, batch)) for batch in batches]
        first_loss = {"ours": ours.step(*batches[0]), "torch": theirs.step(*torch_batches[0])}
        result.checks.update(torch_threads=threads, threads_from=source, first_loss=first_loss)
        result.notes.append(f"torch threads: {threads}, from {source}; first-step loss: ours {first_loss['ours']:.6f},"
                            f" torch {first_loss['torch']:.6f}")
        for _ in range(WARMUP):
            theirs.step(*torch_batches[0])
        runs["torch"] = lambda: timed(lambda: [theirs.step(*batch) for batch in torch_batches])[0] / len(batches)
        result.targets["torch"] = TARGET
    for _ in range(WARMUP):
        ours.step(*batches[0])
    samples = interleave(runs, repeat)
    result.ours = samples.pop("ours")
    result.baselines = samples
    return result
