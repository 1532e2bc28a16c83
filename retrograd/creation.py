"""Tensor factories and the random number generator (``rg.manual_seed``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import check_device, get_default_dtype
from .core import Tensor
from .hints import ArrayLike, DeviceLike, DTypeLike, Shape

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


def _make(arr, dtype, requires_grad, device=None):
    check_device(device)
    return Tensor(arr.astype(dtype or get_default_dtype(), copy=False), requires_grad=requires_grad)


def zeros(*shape: int | Shape, dtype: DTypeLike = None, device: DeviceLike = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros.

    >>> import retrograd as rg
    >>> rg.zeros(2)
    tensor([0., 0.])
    """
    return _make(np.zeros(_shape(shape)), dtype, requires_grad, device)


def ones(*shape: int | Shape, dtype: DTypeLike = None, device: DeviceLike = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones.

    >>> import retrograd as rg
    >>> rg.ones(2)
    tensor([1., 1.])
    """
    return _make(np.ones(_shape(shape)), dtype, requires_grad, device)


def full(shape: int | Shape, fill_value: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with one value; its dtype follows the value as in PyTorch (a Python int
    gives int64, a bool bool, a float the default dtype) unless ``dtype`` is given.

    >>> import retrograd as rg
    >>> rg.full((2,), 7.0), rg.full((2,), 7)
    (tensor([7., 7.]), tensor([7, 7]))
    """
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = np.int64
    return _make(np.full(tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape, fill_value),
                 dtype, requires_grad, device)


def zeros_like(t: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.zeros_like(rg.tensor([1.0, 2.0]))
    tensor([0., 0.])
    """
    check_device(device)
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return Tensor(np.zeros(data.shape, dtype or data.dtype), requires_grad=requires_grad)


def ones_like(t: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.ones_like(rg.tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    check_device(device)
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return Tensor(np.ones(data.shape, dtype or data.dtype), requires_grad=requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: DTypeLike = None,
           device: DeviceLike = None, requires_grad: bool = False, *, stop: float | None = None) -> Tensor:
    """Evenly spaced values in ``[start, end)``; integer dtype for integer arguments. PyTorch's
    ``end=`` and NumPy's ``stop=`` are the same argument.

    >>> import retrograd as rg
    >>> rg.arange(3), rg.arange(1, end=7, step=3)
    (tensor([0, 1, 2]), tensor([1, 4]))
    """
    check_device(device)
    end = _either(end, stop, "arange", "end", "stop")
    arr = np.arange(start, end, step) if end is not None else np.arange(start)
    return Tensor(arr if dtype is None else arr.astype(dtype), requires_grad=requires_grad)


def linspace(start: float, end: float | None = None, steps: int = 50, dtype: DTypeLike = None,
             device: DeviceLike = None, requires_grad: bool = False, *, stop: float | None = None,
             num: int | None = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (PyTorch's names;
    NumPy's ``stop=`` and ``num=`` are accepted too).

    >>> import retrograd as rg
    >>> rg.linspace(0, 1, 3), rg.linspace(0, 1, steps=2)
    (tensor([0. , 0.5, 1. ]), tensor([0., 1.]))
    """
    end = _either(end, stop, "linspace", "end", "stop")
    if end is None:
        raise TypeError("linspace: missing the end value (linspace(start, end, steps))")
    if num is not None:
        steps = num
    return _make(np.linspace(start, end, steps), dtype, requires_grad, device)


def _either(a: Any, b: Any, op: str, name_a: str, name_b: str) -> Any:
    if a is not None and b is not None:
        raise TypeError(f"{op}: pass {name_a}= or {name_b}=, not both")
    return a if a is not None else b


def eye(n: int, m: int | None = None, dtype: DTypeLike = None, device: DeviceLike = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix.

    >>> import retrograd as rg
    >>> rg.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _make(np.eye(n, m), dtype, requires_grad, device)


def randn(*shape: int | Shape, dtype: DTypeLike = None, device: DeviceLike = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the seeded generator.

    >>> import retrograd as rg
    >>> rg.randn(2, 3).shape
    (2, 3)
    """
    return _make(_rng.standard_normal(_shape(shape)), dtype, requires_grad, device)


def rand(*shape: int | Shape, dtype: DTypeLike = None, device: DeviceLike = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the seeded generator.

    >>> import retrograd as rg
    >>> rg.rand(3).shape
    (3,)
    """
    return _make(_rng.random(_shape(shape)), dtype, requires_grad, device)


# ----- more factories (PyTorch's names) ------------------------------------------------
def _like_data(t):
    return np.asarray(t.data if isinstance(t, Tensor) else t)


def empty(*shape: int | Shape, dtype: DTypeLike = None, device: DeviceLike = None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (here: zeros, so results never depend on stale memory).

    >>> import retrograd as rg
    >>> rg.empty(2, 3).shape
    (2, 3)
    """
    check_device(device)
    return _make(np.zeros(_shape(shape)), dtype, requires_grad, device)


def empty_like(t: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with the shape (and dtype) of ``t`` (zeros here).

    >>> import retrograd as rg
    >>> rg.empty_like(rg.tensor([1.0, 2.0])).shape
    (2,)
    """
    return zeros_like(t, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(t: ArrayLike, fill_value: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.full_like(rg.tensor([1.0, 2.0]), 7)
    tensor([7., 7.])
    """
    check_device(device)
    data = _like_data(t)
    return Tensor(np.full(data.shape, fill_value, dtype=dtype or data.dtype), requires_grad=requires_grad)


def rand_like(t: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
              requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) with the shape (and float dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.rand_like(rg.zeros(2, 2)).shape
    (2, 2)
    """
    check_device(device)
    data = _like_data(t)
    return Tensor(_rng.random(data.shape).astype(dtype or _float_dtype(data)), requires_grad=requires_grad)


def randn_like(t: ArrayLike, dtype: DTypeLike = None, device: DeviceLike = None,
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples with the shape (and float dtype) of ``t``.

    >>> import retrograd as rg
    >>> rg.randn_like(rg.zeros(3)).shape
    (3,)
    """
    check_device(device)
    data = _like_data(t)
    return Tensor(_rng.standard_normal(data.shape).astype(dtype or _float_dtype(data)),
                  requires_grad=requires_grad)


def _float_dtype(data):
    if data.dtype.kind != "f":
        raise TypeError(f"expected a floating point tensor, got dtype {data.dtype}; pass dtype=rg.float32")
    return data.dtype


def randint(low: int, high: int | None = None, size: int | Shape | None = None, *, dtype: DTypeLike = None,
            device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)`` (int64); ``rg.randint(high, size)`` starts at 0.

    >>> import retrograd as rg
    >>> t = rg.randint(0, 10, (3,)); t.dtype, t.shape, bool(((t >= 0) & (t < 10)).all())
    (dtype('int64'), (3,), True)
    """
    check_device(device)
    if size is None:  # randint(high, size), as PyTorch
        if high is None:
            raise TypeError("randint: give the size, e.g. rg.randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...), as PyTorch
        low, high = 0, low
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if high <= low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    return Tensor(_rng.integers(low, high, size).astype(dtype or np.int64), requires_grad=requires_grad)


def randperm(n: int, *, dtype: DTypeLike = None, device: DeviceLike = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64).

    >>> import retrograd as rg
    >>> sorted(rg.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    check_device(device)
    return Tensor(_rng.permutation(int(n)).astype(dtype or np.int64), requires_grad=requires_grad)


def normal(mean: ArrayLike = 0.0, std: ArrayLike = 1.0, size: int | Shape | None = None, *,
           dtype: DTypeLike = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with the given ``mean`` and ``std`` (numbers or tensors, broadcast).

    >>> import retrograd as rg
    >>> rg.normal(0.0, 1.0, size=(2, 3)).shape
    (2, 3)
    >>> rg.normal(rg.zeros(4), 2.0).shape
    (4,)
    """
    check_device(device)
    m, s = _like_data(mean), _like_data(std)
    if size is None:
        size = np.broadcast_shapes(m.shape, s.shape)
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if np.any(s < 0):
        raise ValueError("normal: std must be non-negative")
    dt = dtype or (m.dtype if m.dtype.kind == "f" and isinstance(mean, Tensor) else
                   s.dtype if s.dtype.kind == "f" and isinstance(std, Tensor) else get_default_dtype())
    return Tensor((m + s * _rng.standard_normal(size)).astype(dt), requires_grad=requires_grad)
