"""Katas 6-8: softmax, cross-entropy and perplexity, gradient clipping.

A model outputs one score (logit) per vocabulary entry. Softmax turns scores into
probabilities; cross-entropy is the average surprise ``-log p(target)``; its
gradient with respect to the logits is what starts backpropagation. Clipping keeps
one unlucky batch from taking a huge step.

Every function works on logits of shape ``(..., V)``: ``(V,)``, ``(N, V)`` or
``(B, T, V)`` alike, the last axis being the vocabulary. What logits may hold is
checked once, by the given ``check_logits``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .serialization import check_integer, check_number, check_type, real_array


def check_logits(logits, axis: int = -1, name: str = "logits") -> np.ndarray:
    """``logits`` as a float array, or a clear error (given code).

    Logits are integers or floats (not bools), with at least one entry along ``axis``.
    ``-inf`` marks an impossible token (a filter's mask), but every slice along ``axis``
    needs a finite entry; NaN and ``+inf`` are a ``ValueError`` (PyTorch would return NaN).

    >>> check_logits([[0.0, -np.inf], [-np.inf, -np.inf]])
    Traceback (most recent call last):
    ValueError: logits must be finite or -inf with a finite entry along axis -1, got [-inf, -inf] at (1,)
    """
    z = logits if isinstance(logits, np.ndarray) and logits.dtype.kind == "f" else real_array(name, logits, finite=False)
    check_integer("axis", axis, low=None)
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} of shape {z.shape}")
    if z.shape[axis] == 0:
        raise ValueError(f"{name} must have at least one entry along axis {axis}, got shape {z.shape}")
    z = z if z.dtype.kind == "f" else z.astype(np.float64)
    top = np.maximum.reduce(z, axis=axis)  # z.max(axis=axis) without its Python wrapper: this runs on every call
    if not (math.isfinite(top) if z.ndim == 1 else np.isfinite(top).all()):
        where = tuple(np.argwhere(~np.isfinite(top))[0].tolist())
        row = np.moveaxis(z, axis, -1)[where] if z.ndim > 1 else z
        raise ValueError(
            f"{name} must be finite or -inf with a finite entry along axis {axis},"
            f" got {np.array2string(row, threshold=6, separator=', ')}" + (f" at {where}" if where else "")
        )
    return z


def softmax(logits, axis: int = -1) -> np.ndarray:
    """Kata 6: ``exp(z_i) / sum_j exp(z_j)`` along ``axis``, for any size of ``z``.

    Subtract the maximum first: the factor ``exp(-max)`` cancels between numerator and
    denominator, and every exponent becomes ``<= 0``, so nothing overflows.

    >>> softmax(np.array([1.0, 2.0, 3.0])).round(4)
    array([0.09  , 0.2447, 0.6652])
    >>> softmax(np.array([1e4, 0.0]))
    array([1., 0.])
    """
    ### BEGIN SOLUTION
    z = check_logits(logits, axis)
    exp = np.exp(z - z.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)
    ### END SOLUTION


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """Kata 6: ``log(softmax(z))``, computed as ``z - max - log(sum(exp(z - max)))``.

    Exact even where softmax underflows to 0, whose log would be ``-inf``.

    >>> log_softmax(np.array([1e4, 0.0]))
    array([     0., -10000.])
    """
    ### BEGIN SOLUTION
    z = check_logits(logits, axis)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    ### END SOLUTION


def check_targets(logits, targets, ignore_index: int | None = None):
    """``(logits, targets, counted)`` as arrays, or a clear error (given code).

    ``logits`` are checked by ``check_logits``. ``targets`` must be integers with the
    shape of ``logits`` minus its last axis, each in ``[0, V)`` or equal to
    ``ignore_index`` (an integer, or None). ``counted`` marks the positions whose
    target is not ``ignore_index``; there must be at least one.
    """
    logits, targets = check_logits(logits), np.asarray(targets)
    check_integer("ignore_index", ignore_index, low=None, optional=True)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets of shape {targets.shape} do not fit logits of shape {logits.shape}: expected {logits.shape[:-1]}")
    if targets.size and not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets must be integer ids, got dtype {targets.dtype}")
    counted = targets != ignore_index if ignore_index is not None else np.ones(targets.shape, bool)
    bad = counted & ((targets < 0) | (targets >= logits.shape[-1]))
    if bad.any():
        raise ValueError(f"target {targets[bad][0]} is outside the vocabulary [0, {logits.shape[-1]})")
    if not counted.any():
        raise ValueError("no target to average over: every target is ignore_index, or there are none")
    return logits, targets.astype(np.int64), counted


LARGEST_EXPONENT = math.log(np.finfo(np.float64).max)  # exp of anything larger overflows a float


def cross_entropy(logits, targets, ignore_index: int | None = None) -> float:
    """Kata 7: the mean of ``-log softmax(logits)[target]`` over every counted position.

    Positions whose target is ``ignore_index`` are left out of the mean. Validate the
    input with ``check_targets`` first.

    >>> cross_entropy(np.zeros((2, 4)), np.array([0, 3])) == math.log(4)
    True
    """
    ### BEGIN SOLUTION
    logits, targets, counted = check_targets(logits, targets, ignore_index)
    safe = np.where(counted, targets, 0)  # any valid index; ignored positions are dropped below
    picked = np.take_along_axis(log_softmax(logits), safe[..., None], axis=-1)[..., 0]
    return float(-picked[counted].mean())
    ### END SOLUTION


def perplexity(loss: float) -> float:
    """Kata 7: ``exp(loss)``, the number of equally likely tokens that would be as surprising.

    A model that spreads its probability evenly over ``V`` tokens has a loss of
    ``log V`` and a perplexity of ``V``. A negative or NaN loss is a ``ValueError``; a
    loss too large for ``exp`` (above about 709.78) gives ``inf``, as ``torch.exp`` does.

    >>> round(perplexity(math.log(50)), 9)
    50.0
    """
    ### BEGIN SOLUTION
    loss = check_number("loss", loss, "[0, inf]")
    return math.exp(loss) if loss < LARGEST_EXPONENT else math.inf
    ### END SOLUTION


class CrossEntropyLoss:
    """Kata 7: cross-entropy as a layer, with the gradient that starts backpropagation.

    ``loss = loss_fn(logits, targets)`` returns the mean cross-entropy and remembers
    what ``loss_fn.backward()`` needs to return dLoss/dlogits::

        dlogits = (softmax(logits) - onehot(targets)) / N

    where ``N`` counts the positions in the mean; ignored positions get a zero gradient.

    >>> loss_fn = CrossEntropyLoss()
    >>> loss_fn(np.zeros((1, 4)), np.array([2])) == math.log(4)
    True
    >>> loss_fn.backward()
    array([[ 0.25,  0.25, -0.75,  0.25]])
    """

    def __init__(self, ignore_index: int | None = None):
        self.ignore_index = check_integer("ignore_index", ignore_index, low=None, optional=True)
        self._saved = None

    def __call__(self, logits, targets) -> float:
        return self.forward(logits, targets)

    def forward(self, logits, targets) -> float:
        """The mean cross-entropy; keep what ``backward`` needs."""
        ### BEGIN SOLUTION
        logits, targets, counted = check_targets(logits, targets, self.ignore_index)
        self._saved = softmax(logits), targets, counted
        return cross_entropy(logits, targets, self.ignore_index)
        ### END SOLUTION

    def backward(self) -> np.ndarray:
        """dLoss/dlogits for the last call, with the shape of its logits.

        Before any call it is a ``RuntimeError``: "call the loss ... before backward()".
        """
        ### BEGIN SOLUTION
        if self._saved is None:
            raise RuntimeError("call the loss on (logits, targets) before backward()")
        probs, targets, counted = self._saved
        grad = probs.reshape(-1, probs.shape[-1]).copy()
        rows = np.flatnonzero(counted)
        grad[rows, targets.ravel()[rows]] -= 1
        grad[~counted.ravel()] = 0
        return (grad / len(rows)).reshape(probs.shape)
        ### END SOLUTION


def check_grads(params) -> list:
    """``params`` as a list, or a clear error (given code).

    Each parameter needs a ``grad``, a float array (its ``data``, if it has one, of the
    same shape), and the gradients must be finite: a step along a NaN or infinite
    gradient ruins the weights.
    """
    params = list(check_type("params", params, Iterable))
    for i, p in enumerate(params):
        grad = getattr(p, "grad", None)
        if not (isinstance(grad, np.ndarray) and grad.dtype.kind == "f" and np.shape(getattr(p, "data", grad)) == grad.shape):
            raise TypeError(f"params[{i}].grad must be a float array with the shape of its data, got {p!r:.80}")
        real_array(f"params[{i}].grad", grad)
    return params


def clip_grad_norm(params, max_norm: float) -> float:
    """Kata 8: scale all gradients together so that their global L2 norm is at most ``max_norm``.

    The global norm is the norm of all gradients joined into one vector. When it
    exceeds ``max_norm``, every ``grad`` is multiplied in place by
    ``max_norm / (norm + 1e-6)``; the direction of the step does not change, only its
    length. Returns the norm *before* clipping, as ``torch.nn.utils.clip_grad_norm_``.
    ``max_norm = 0`` zeroes every gradient, as torch does; a negative ``max_norm`` is a
    ``ValueError`` naming it. Each parameter's
    ``grad`` must be a finite float array (``check_grads``), as with PyTorch's
    ``error_if_nonfinite=True``: a NaN would otherwise spread to every gradient.

    >>> from types import SimpleNamespace
    >>> params = [SimpleNamespace(grad=np.array([3.0, 0.0])), SimpleNamespace(grad=np.array([0.0, 4.0]))]
    >>> clip_grad_norm(params, max_norm=1.0)
    5.0
    >>> [p.grad.round(4).tolist() for p in params]
    [[0.6, 0.0], [0.0, 0.8]]
    """
    ### BEGIN SOLUTION
    check_number("max_norm", max_norm, "[0, inf]")
    params = check_grads(params)
    norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0
    scale = max_norm / (norm + 1e-6)
    if scale < 1:
        for p in params:
            p.grad *= scale
    return norm
    ### END SOLUTION
