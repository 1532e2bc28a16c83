"""Tensor factories and the random number generator (``rg.manual_seed``)."""

from __future__ import annotations

import numpy as np

from .backend import get_default_dtype
from .tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed retrograd's random generator (initialisation, dropout, shuffling).

    >>> import retrograd as rg
    >>> rg.manual_seed(0); a = rg.randn(2); rg.manual_seed(0); b = rg.randn(2)
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    global _rng
    _rng = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The NumPy Generator behind ``rg.randn`` and friends (seeded by ``manual_seed``)."""
    return _rng


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _make(arr, dtype, requires_grad):
    return Tensor(arr.astype(dtype or get_default_dtype(), copy=False), requires_grad=requires_grad)


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of zeros.

    >>> import retrograd as rg
    >>> rg.zeros(2)
    tensor([0., 0.])
    """
    return _make(np.zeros(_shape(shape)), dtype, requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of ones.

    >>> import retrograd as rg
    >>> rg.ones(2)
    tensor([1., 1.])
    """
    return _make(np.ones(_shape(shape)), dtype, requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False) -> Tensor:
    """A tensor filled with one value.

    >>> import retrograd as rg
    >>> rg.full((2,), 7.0)
    tensor([7., 7.])
    """
    return _make(np.full(tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape, fill_value),
                 dtype, requires_grad)


def zeros_like(t, dtype=None, requires_grad=False) -> Tensor:
    """Zeros with the shape (and dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.zeros_like(rg.tensor([1.0, 2.0]))
    tensor([0., 0.])
    """
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return Tensor(np.zeros(data.shape, dtype or data.dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False) -> Tensor:
    """Ones with the shape (and dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.ones_like(rg.tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return Tensor(np.ones(data.shape, dtype or data.dtype), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; integer dtype for integer arguments.

    >>> import retrograd as rg
    >>> rg.arange(3)
    tensor([0, 1, 2])
    """
    arr = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(arr if dtype is None else arr.astype(dtype), requires_grad=requires_grad)


def linspace(start, stop, num=50, dtype=None, requires_grad=False) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive.

    >>> import retrograd as rg
    >>> rg.linspace(0, 1, 3)
    tensor([0. , 0.5, 1. ])
    """
    return _make(np.linspace(start, stop, num), dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False) -> Tensor:
    """The identity matrix.

    >>> import retrograd as rg
    >>> rg.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _make(np.eye(n, m), dtype, requires_grad)


def randn(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal samples from the seeded generator.

    >>> import retrograd as rg
    >>> rg.randn(2, 3).shape
    (2, 3)
    """
    return _make(_rng.standard_normal(_shape(shape)), dtype, requires_grad)


def rand(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1) from the seeded generator.

    >>> import retrograd as rg
    >>> rg.rand(3).shape
    (3,)
    """
    return _make(_rng.random(_shape(shape)), dtype, requires_grad)
