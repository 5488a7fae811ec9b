"""Kata 11: the training loop, as the course writes it, in NumPy.

    for epoch in range(num_epochs):
        for inputs, targets in loader:
            logits = model(inputs)                   # forward: a score for every next token
            loss = loss_fn(logits, targets)          # how surprised the model was, on average
            model.backward(loss_fn.backward())       # backward: dLoss/dparameter into each grad
            clip_grad_norm(model.parameters(), 1.0)  # optional: cap the length of the step
            optimizer.step()                         # move every parameter against its gradient
            optimizer.zero_grad()                    # the next batch starts from zero gradients

Everything the loop calls comes from the earlier katas; this kata puts it in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .data import DataLoader
from .losses import CrossEntropyLoss, clip_grad_norm, cross_entropy, perplexity
from .optim import AdamOptimizer
from .serialization import check_integer, check_methods, check_number, check_type


def train_epoch(model, loader, optimizer, max_grad_norm: float | None = None) -> list[float]:
    """One pass over ``loader``, one optimizer step per batch; return each step's loss.

    Each step: forward, ``CrossEntropyLoss``, backward, ``clip_grad_norm`` when
    ``max_grad_norm`` is given, ``optimizer.step()``, ``optimizer.zero_grad()``.
    The arguments are checked (given code) before the first batch: ``max_grad_norm`` is
    None or positive, ``loader`` iterable, ``optimizer`` has ``step`` and ``zero_grad``.
    """
    check_methods("model", model, "backward", "parameters")
    check_type("loader", loader, Iterable)
    check_methods("optimizer", optimizer, "step", "zero_grad")
    check_number("max_grad_norm", max_grad_norm, "(0, inf]", optional=True)
    ### BEGIN SOLUTION
    loss_fn = CrossEntropyLoss()
    losses = []
    for inputs, targets in loader:
        logits = model(inputs)
        loss = loss_fn(logits, targets)
        model.backward(loss_fn.backward())
        if max_grad_norm is not None:
            clip_grad_norm(model.parameters(), max_grad_norm)
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss)
    return losses
    ### END SOLUTION


def evaluate(model, loader) -> tuple[float, float]:
    """``(mean loss, perplexity)`` of ``model`` on every target of ``loader``; no training.

    The mean is over target tokens, not over batches, so a smaller last batch counts
    for what it holds. Parameters and gradients are left untouched. A loader that
    yields no batch is a ``ValueError``: there is nothing to average. A ``model`` that
    cannot be called or a ``loader`` that cannot be iterated is a ``TypeError`` (given code).
    """
    check_type("model", model, Callable)
    check_type("loader", loader, Iterable)
    ### BEGIN SOLUTION
    total, count = 0.0, 0
    for inputs, targets in loader:
        loss = cross_entropy(model(inputs), targets)
        total += loss * targets.size
        count += targets.size
    if count == 0:
        raise ValueError("the loader yielded no batch: there is no loss to average")
    mean = total / count
    return mean, perplexity(mean)
    ### END SOLUTION


def train(
    model,
    text: str,
    tokenizer,
    epochs: int = 1,
    batch_size: int = 16,
    seq_len: int = 32,
    lr: float = 1e-2,
    max_grad_norm: float | None = 1.0,
    seed: int = 0,
) -> list[float]:
    """The course's one-liner: train ``model`` on ``text``; return each epoch's mean loss.

    Encode ``text`` with the (already fitted) ``tokenizer``, never fitting it again: the
    model's vocabulary is the tokenizer's as it stands. Batch the ids with a shuffled
    ``DataLoader`` (``seed``), and run ``epochs`` epochs of ``train_epoch`` with
    ``AdamOptimizer(lr)`` and clipping at ``max_grad_norm``. A text too short for
    ``seq_len`` gets windows as long as it allows (``len(ids) - 1`` tokens).
    ``epochs`` and ``seq_len`` are positive integers; every argument is checked before
    the model changes.

    The course writes it as::

        tokenizer = CharacterTokenizer()
        tokenizer.fit(text)
        model = MiniLanguageModel(vocab_size=tokenizer.vocab_size)
        train(model, text, tokenizer, epochs=100)
    """
    ### BEGIN SOLUTION
    epochs, seq_len = check_integer("epochs", epochs), check_integer("seq_len", seq_len)
    ids = tokenizer.encode(text)
    loader = DataLoader(ids, batch_size, max(1, min(seq_len, len(ids) - 1)), shuffle=True, seed=seed)
    optimizer = AdamOptimizer(model.parameters(), lr=lr)
    return [float(np.mean(train_epoch(model, loader, optimizer, max_grad_norm))) for _ in range(epochs)]
    ### END SOLUTION
