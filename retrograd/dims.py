"""Dimension arguments, checked once: ``dim=-1`` style indices and PyTorch's error for a bad one.

>>> from retrograd.dims import norm_dim
>>> norm_dim(3, -1, "flip")
2
"""

from __future__ import annotations

import numpy as np


def norm_dim(ndim: int, dim, op: str, *, extra: int = 0) -> int:
    """``dim`` as a non-negative axis of a tensor with ``ndim`` dims (``extra`` more for new axes).

    0-d tensors accept 0 and -1, as in PyTorch. Raises IndexError naming the op and the range.

    >>> norm_dim(2, 5, "narrow")
    Traceback (most recent call last):
    ...
    IndexError: narrow: dim 5 is out of range for a tensor with 2 dimension(s) (expected -2 ... 1)
    """
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} ({dim!r})")
    n = max(ndim + extra, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimension(s) "
                         f"(expected {-n} ... {n - 1})")
    return int(dim) % n


def norm_dims(ndim: int, dims, op: str) -> tuple:
    """A tuple of distinct non-negative axes from an int or a sequence of ints.

    >>> norm_dims(3, (0, -1), "flip")
    (0, 2)
    """
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(norm_dim(ndim, d, op) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dims {dims} name the same dimension twice")
    return out
