"""Katas 9-10: the optimizers SGD and Adam.

An optimizer owns a list of parameters (objects with ``data`` and ``grad``).
``step()`` moves every ``data`` using its ``grad``; ``zero_grad()`` resets the
gradients, which the model *adds* to on every backward pass.

Both katas match PyTorch step for step: ``SGDOptimizer`` is ``torch.optim.SGD``
(without dampening), ``AdamOptimizer`` is ``torch.optim.Adam``, or ``torch.optim.AdamW``
with ``decoupled=True``.
"""

from __future__ import annotations

import math

import numpy as np

from .losses import check_grads
from .serialization import check_number, check_type


class Optimizer:
    """What every optimizer shares (given code, not a kata): parameters, ``lr``, ``zero_grad``.

    ``params`` is a non-empty iterable of parameters, each with ``data`` and ``grad``,
    float arrays of one shape; ``lr`` is a finite number ``>= 0`` (0 as in PyTorch, where
    warm-up schedules start). A ``step()`` first
    checks every gradient with ``check_grads``, so a NaN or infinite gradient is a
    ``ValueError`` that leaves every parameter as it was.
    """

    def __init__(self, params, lr: float):
        self.params = check_grads(params)
        if not self.params:
            raise ValueError("params is empty: the optimizer has nothing to optimize")
        for i, p in enumerate(self.params):
            check_type(f"params[{i}].data", getattr(p, "data", None), np.ndarray)
        self.lr = check_number("lr", lr, "[0, inf)")

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place."""
        for p in self.params:
            p.grad[...] = 0


class SGDOptimizer(Optimizer):
    """Kata 9: stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    For each parameter ``p`` with gradient ``g``, one step is::

        g = g + weight_decay * p            # L2 penalty (weight decay)
        v = momentum * v + g                # velocity, v = 0 before the first step
        g = g + momentum * v  if nesterov  else  v      (only when momentum > 0)
        p = p - lr * g

    ``momentum`` and ``weight_decay`` must be finite and ``>= 0`` (a momentum of 1 or more is
    allowed, as in PyTorch, though it never forgets a gradient); ``nesterov`` needs
    ``momentum > 0``: otherwise it is a ``ValueError`` naming the hyper-parameter.
    A parameter is anything with ``data`` and ``grad``:

    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(data=np.array([1.0, 2.0]), grad=np.array([0.5, -1.0]))
    >>> SGDOptimizer([p], lr=0.1).step()
    >>> p.data
    array([0.95, 2.1 ])
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self) -> None:
        # YOUR CODE HERE
        raise NotImplementedError()


class AdamOptimizer(Optimizer):
    """Kata 10: Adam, with L2 weight decay, or AdamW's decoupled weight decay.

    Step ``t = 1, 2, ...`` for each parameter ``p`` with gradient ``g``::

        p = p * (1 - lr * weight_decay)  if decoupled  else  g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          # running mean of g,   m = 0 at first
        v = beta2 * v + (1 - beta2) * g**2       # running mean of g^2, v = 0 at first
        m_hat = m / (1 - beta1**t)               # bias correction: m and v start at 0
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Each beta must lie in ``[0, 1)``, ``eps >= 0`` (0 as in PyTorch: a coordinate whose
    gradients were all 0 then becomes 0 / 0 = NaN, as there), ``weight_decay >= 0`` (all
    finite), and with ``decoupled`` ``lr * weight_decay <= 1``, so that decay never flips a
    weight's sign; otherwise it is a ``ValueError`` naming the hyper-parameter.
    Bias correction makes the first step ``-lr * g / (|g| + eps)``, about ``lr`` per coordinate:

    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(data=np.array([1.0, 1.0]), grad=np.array([0.5, -20.0]))
    >>> AdamOptimizer([p], lr=0.1).step()
    >>> p.data.round(6)
    array([0.9, 1.1])
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ):
        super().__init__(params, lr)
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self) -> None:
        # YOUR CODE HERE
        raise NotImplementedError()
