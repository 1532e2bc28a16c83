"""Dimension arguments as non-negative axes, checked by ``functions._axis`` (the one place axes
are checked: out of range raises ``AxisError``, an IndexError as PyTorch's).

>>> from retrograd.dims import norm_dim
>>> norm_dim(3, -1, "flip")
2
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from .functions import _axis


def norm_dim(ndim: int, dim: int, op: str) -> int:
    """``dim`` as a non-negative axis of a tensor with ``ndim`` dims (0-d accepts 0 and -1).

    >>> norm_dim(2, 5, "narrow")
    Traceback (most recent call last):
    ...
    retrograd.errors.AxisError: narrow: axis 5 is out of range for a tensor with 2 dimension(s); use an axis from -2 to 1
    """  # noqa: E501  (a doctest's expected output is one line)
    return _axis(dim, ndim, op) + builtins.max(ndim, 1)


def norm_dims(ndim: int, dims: int | Sequence[int], op: str) -> tuple[int, ...]:
    """A tuple of distinct non-negative axes from an int or a sequence of ints.

    >>> norm_dims(3, (0, -1), "flip")
    (0, 2)
    """
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(norm_dim(ndim, d, op) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dims {dims} name the same dimension twice")
    return out
