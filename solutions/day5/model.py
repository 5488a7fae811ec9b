"""The model the training katas train (given code, not a kata).

``MiniLanguageModel`` is a small causal language model in plain NumPy, after
Bengio et al. (2003). To score the token that follows position ``t`` it reads the
``context_size`` tokens that end at ``t``, joins their embeddings into one vector
and passes it through a tanh hidden layer to one score (logit) per vocabulary entry::

    ids[t-k+1 .. t] -> embeddings (k, d) -> joined (k*d) -> tanh(x W1 + b1) = h -> h W2 + b2 = logits (V)

Positions before the start of a sequence read a padding token, id ``vocab_size``,
which has an embedding row of its own. Position ``t`` never reads a token after
``t``, so the model is causal: changing a later token cannot change an earlier
prediction.

``forward`` remembers what ``backward`` needs. ``backward(dlogits)`` *adds* the
gradient of the loss to each parameter's ``grad``, as PyTorch does, which is why the
training loop calls ``optimizer.zero_grad()`` after every step.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .serialization import as_array, check_integer, real_array


class Parameter:
    """A weight array ``data`` and the gradient of the loss with respect to it, ``grad``."""

    def __init__(self, data: np.ndarray):
        self.data = data
        self.grad = np.zeros_like(data)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class MiniLanguageModel:
    """A causal next-token model: ``(B, T)`` token ids in, ``(B, T, V)`` logits out.

    >>> model = MiniLanguageModel(vocab_size=5, context_size=2, embedding_dim=3, hidden_size=4)
    >>> model(np.array([[1, 2, 3]])).shape
    (1, 3, 5)
    >>> [name for name in model.named_parameters()]
    ['embedding', 'hidden_weight', 'hidden_bias', 'output_weight', 'output_bias']

    ``seed`` (None or an integer >= 0) fixes the initial weights; ``dtype`` is ``float32``
    for speed or ``float64`` for exact gradient checks. The sizes are positive integers.
    """

    def __init__(
        self,
        vocab_size: int,
        context_size: int = 8,
        embedding_dim: int = 32,
        hidden_size: int = 128,
        seed: int = 0,
        dtype=np.float32,
    ):
        self.vocab_size, self.context_size = check_integer("vocab_size", vocab_size), check_integer("context_size", context_size)
        self.embedding_dim, self.hidden_size = check_integer("embedding_dim", embedding_dim), check_integer("hidden_size", hidden_size)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        rng = np.random.default_rng(check_integer("seed", seed, 0, optional=True))

        def weights(shape, scale):
            return Parameter((rng.standard_normal(shape) * scale).astype(self.dtype))

        joined = context_size * embedding_dim
        self.embedding = weights((vocab_size + 1, embedding_dim), 1.0)  # the last row pads the start
        self.hidden_weight = weights((joined, hidden_size), joined**-0.5)
        self.hidden_bias = Parameter(np.zeros(hidden_size, self.dtype))
        self.output_weight = weights((hidden_size, vocab_size), hidden_size**-0.5)
        self.output_bias = Parameter(np.zeros(vocab_size, self.dtype))
        self._saved = None

    @property
    def config(self) -> dict:
        """The sizes that rebuild this model: ``MiniLanguageModel(**model.config)``."""
        return {
            "vocab_size": self.vocab_size,
            "context_size": self.context_size,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
        }

    def named_parameters(self) -> dict[str, Parameter]:
        return {
            "embedding": self.embedding,
            "hidden_weight": self.hidden_weight,
            "hidden_bias": self.hidden_bias,
            "output_weight": self.output_weight,
            "output_bias": self.output_bias,
        }

    def parameters(self) -> list[Parameter]:
        return list(self.named_parameters().values())

    def __call__(self, input_ids) -> np.ndarray:
        return self.forward(input_ids)

    def forward(self, input_ids) -> np.ndarray:
        """Logits of shape ``(B, T, V)``: ``logits[b, t]`` scores the token after ``input_ids[b, t]``."""
        ids = self._check_ids(input_ids)
        batch, time = ids.shape
        start = np.full((batch, self.context_size - 1), self.vocab_size)
        padded = np.concatenate([start, ids], axis=1)
        windows = sliding_window_view(padded, self.context_size, axis=1)  # window t: padded[t : t + k]
        # One row per position (window t ends at token t): one large matrix product each, not one per batch row.
        x = self.embedding.data[windows].reshape(batch * time, self.context_size * self.embedding_dim)
        h = np.tanh(x @ self.hidden_weight.data + self.hidden_bias.data)
        self._saved = padded, x, h
        return (h @ self.output_weight.data + self.output_bias.data).reshape(batch, time, self.vocab_size)

    def backward(self, dlogits: np.ndarray) -> None:
        """Add the gradient of the loss to every ``grad``, given ``dlogits`` = dLoss/dlogits."""
        if self._saved is None:
            raise RuntimeError("call forward before backward")
        padded, x, h = self._saved
        batch, time = padded.shape[0], padded.shape[1] - (self.context_size - 1)
        expected = (batch, time, self.vocab_size)
        dlogits = real_array("dlogits", dlogits)
        if dlogits.shape != expected:
            raise ValueError(f"dlogits has shape {dlogits.shape}, expected {expected} like the logits")
        dlogits = dlogits.reshape(-1, self.vocab_size)
        self.output_weight.grad += h.T @ dlogits
        self.output_bias.grad += dlogits.sum(axis=0)
        da = (dlogits @ self.output_weight.data.T) * (1 - h**2)  # tanh'(a) = 1 - tanh(a)^2
        self.hidden_weight.grad += x.T @ da
        self.hidden_bias.grad += da.sum(axis=0)
        dx = (da @ self.hidden_weight.data.T).reshape(batch, time, self.context_size, self.embedding_dim)
        # Slot k of window t read padded position t + k: sum each position's slots, then each id's positions.
        dpadded = np.zeros((*padded.shape, self.embedding_dim), dx.dtype)
        for k in range(self.context_size):
            dpadded[:, k : k + time] += dx[:, :, k]
        ids, dpadded = padded.reshape(-1), dpadded.reshape(-1, self.embedding_dim)
        for column in range(self.embedding_dim):  # np.bincount adds up the weights of each id
            self.embedding.grad[:, column] += np.bincount(ids, dpadded[:, column], minlength=self.vocab_size + 1)

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's data, by name."""
        return {name: p.data.copy() for name, p in self.named_parameters().items()}

    def load_state_dict(self, state: dict) -> None:
        """Copy the arrays of ``state`` (as made by :meth:`state_dict`) into the parameters.

        Every array must be finite, with its parameter's shape; otherwise nothing is copied.
        """
        params = self.named_parameters()
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of arrays by name, got {type(state).__name__}")
        if set(state) != set(params):
            missing, unexpected = sorted(set(params) - set(state)), sorted(set(state) - set(params))
            raise KeyError(f"state_dict does not fit this model: missing {missing}, unexpected {unexpected}")
        for name, p in params.items():
            array = real_array(f"state_dict[{name!r}]", state[name])
            if array.shape != p.data.shape:
                raise ValueError(f"state_dict[{name!r}] has shape {array.shape}, this model expects {p.data.shape}")
        for name, p in params.items():
            p.data[...] = state[name]

    def _check_ids(self, input_ids) -> np.ndarray:
        ids = as_array("input_ids", input_ids)
        if ids.ndim != 2 or ids.shape[1] == 0:
            raise ValueError(f"input_ids must have shape (batch, time) with time >= 1, got shape {ids.shape}")
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"input_ids must be integers, got dtype {ids.dtype}")
        if ids.size and not 0 <= ids.min() <= ids.max() < self.vocab_size:
            bad = ids[(ids < 0) | (ids >= self.vocab_size)][0]
            raise ValueError(f"input_ids hold token id {bad}, outside the vocabulary [0, {self.vocab_size})")
        return ids
