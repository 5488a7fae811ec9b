"""Kata 5: batches for next-token prediction.

A language model learns to predict every token from the tokens before it. The
``DataLoader`` cuts one long list of token ids into windows of ``seq_len + 1``
tokens; a window's first ``seq_len`` tokens are the inputs and its last
``seq_len`` are the targets, the same tokens shifted by one::

    token ids   5  8  2  9  4  7  1  3  6
    window      5  8  2  9  4                  (seq_len = 4)
    inputs      5  8  2  9
    targets        8  2  9  4                  targets[t] is the token after inputs[t]
"""

from __future__ import annotations

import numpy as np

from .serialization import as_token_ids, check_integer, check_number


def train_val_split(token_ids, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split ``token_ids`` into a training part and the validation part that follows it.

    The last ``round(len(token_ids) * val_fraction)`` ids are the validation part. The
    split is not shuffled: validation text is a stretch the model never trained on.
    Check and convert the ids with the given ``as_token_ids``. A ``val_fraction``
    outside ``(0, 1)`` is a ``ValueError`` naming it, and so is a split that leaves
    either part empty.

    >>> train, val = train_val_split(list(range(10)), val_fraction=0.2)
    >>> train.tolist(), val.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class DataLoader:
    """Kata 5: ``(inputs, targets)`` batches of windows from one list of token ids.

    The ids are cut into non-overlapping windows; window ``w`` starts at
    ``w * seq_len``, so consecutive windows share one token (the last target of one
    is the first input of the next). Ids after the last whole window are not used.
    Iterating over the loader is one epoch: it yields every window exactly once, in
    batches of ``batch_size`` windows, as two int64 arrays of shape
    ``(batch_size, seq_len)``; the last batch is smaller unless ``drop_last``.
    With ``shuffle`` each epoch visits the windows in a new order drawn from a
    generator seeded once with ``seed``: the same seed gives the same epochs.

    Check and convert ``token_ids`` with the given ``as_token_ids``. Each of these is a
    ``ValueError`` whose message names the problem: ``batch_size`` or ``seq_len`` not a
    positive integer; "too few" ids for one window; ``drop_last`` with no full batch.

    >>> loader = DataLoader([5, 8, 2, 9, 4, 7, 1, 3, 6], batch_size=2, seq_len=4)
    >>> len(loader)
    1
    >>> inputs, targets = next(iter(loader))
    >>> inputs.tolist(), targets.tolist()
    ([[5, 8, 2, 9], [4, 7, 1, 3]], [[8, 2, 9, 4], [7, 1, 3, 6]])
    """

    def __init__(self, token_ids, batch_size: int, seq_len: int, shuffle: bool = False, seed=0, drop_last: bool = False):
        # YOUR CODE HERE
        raise NotImplementedError()

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def __iter__(self):
        # YOUR CODE HERE
        raise NotImplementedError()
