"""Conversions: ``to`` (a dtype or ``"cpu"``), ``clone``, ``contiguous``, ``type_as``.

A float-to-float conversion is differentiable (the ``cast`` primitive); conversions to
integer or boolean dtypes give tensors that do not require grad, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .backend import check_device, device as _device
from .core import Tensor, wrap as _wrap
from .hints import ArrayLike, DeviceLike, DTypeLike
from .ops.primitive import raw

_DTYPE_NAMES = {"float": np.float32, "double": np.float64, "half": np.float16, "long": np.int64,
                "int": np.int32, "bool": np.bool_, "short": np.int16}


def as_dtype(dtype: DTypeLike) -> np.dtype:
    """A NumPy dtype from a dtype, a NumPy type or a name (``"float32"``, ``"float"``, ``"long"``).

    >>> as_dtype("long"), as_dtype(np.float32)
    (dtype('int64'), dtype('float32'))
    """
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.")
        dtype = _DTYPE_NAMES.get(name, name)
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}; use e.g. rg.float32, rg.int64 or 'float64'") from None


def to_dtype(x: ArrayLike, dtype: DTypeLike, copy: bool = False) -> Any:
    """``x`` as ``dtype``: the same tensor if nothing changes (unless ``copy``), differentiable
    between float dtypes, a tensor without gradient history otherwise.

    >>> import retrograd as rg
    >>> rg.to_dtype(rg.tensor([1.5, 2.5]), rg.int64)
    tensor([1, 2])
    """
    dt = as_dtype(dtype)
    if not isinstance(x, Tensor):
        return np.array(x, dtype=dt, copy=True) if copy else np.asarray(x, dtype=dt)
    if x.dtype == dt and not copy:
        return x
    if dt.kind == "f" and x.dtype.kind == "f":
        return ops.cast(x, dt)
    if dt.kind == "c":
        raise TypeError("complex dtypes are not supported")
    return _wrap(np.array(x.data, dtype=dt, copy=True), None)


def to(x: ArrayLike, *args: Any, dtype: DTypeLike = None, device: DeviceLike = None, copy: bool = False,
       non_blocking: bool = False) -> Any:
    """PyTorch's ``Tensor.to``: ``to(dtype)``, ``to("cpu")``, ``to(other_tensor)`` or
    ``to("cpu", dtype)``; any device other than the CPU is a clear error.

    >>> import retrograd as rg
    >>> rg.tensor([1, 2]).to(rg.float32).dtype
    dtype('float32')
    """
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, _device) or (isinstance(a, str) and _looks_like_device(a)):
            device = a
        else:
            dtype = a
    check_device(device)
    if dtype is None:
        return clone(x) if copy else x
    return to_dtype(x, dtype, copy=copy)


def _looks_like_device(s: str) -> bool:
    return s.split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "tpu")


def clone(x: ArrayLike) -> Any:
    """A copy with its own memory; gradients flow back to ``x`` (PyTorch's ``clone``).

    >>> import retrograd as rg
    >>> x = rg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = rg.clone(x); y.requires_grad, y.numpy() is x.numpy()
    (True, False)
    """
    if isinstance(x, Tensor):
        if x.dtype.kind == "f":
            return ops.cast(x, x.dtype)
        return _wrap(np.array(x.data, copy=True), None)
    return np.array(x, copy=True)


def contiguous(x: ArrayLike) -> Any:
    """``x`` itself when its data is C-contiguous, else a contiguous copy (differentiable).

    >>> import retrograd as rg
    >>> t = rg.zeros(2, 3).T
    >>> t.is_contiguous(), t.contiguous().is_contiguous()
    (False, True)
    """
    if raw(x).flags.c_contiguous:
        return x
    return clone(x)


def type_as(x: ArrayLike, other: ArrayLike) -> Any:
    """``x`` converted to the dtype of ``other``.

    >>> import retrograd as rg
    >>> rg.tensor([1, 2]).type_as(rg.tensor([0.5])).dtype
    dtype('float64')
    """
    return to_dtype(x, raw(other).dtype)


def numel(x: ArrayLike) -> int:
    """The number of elements (PyTorch's ``torch.numel``).

    >>> import retrograd as rg
    >>> rg.numel(rg.zeros(2, 3))
    6
    """
    return int(np.size(raw(x)))


def is_tensor(obj: object) -> bool:
    """True for a retrograd Tensor (PyTorch's ``torch.is_tensor``).

    >>> import retrograd as rg
    >>> rg.is_tensor(rg.zeros(1)), rg.is_tensor([0.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(x: ArrayLike) -> bool:
    """True when the tensor's dtype is a floating-point one (PyTorch's ``torch.is_floating_point``).

    >>> import retrograd as rg
    >>> rg.is_floating_point(rg.zeros(1)), rg.is_floating_point(rg.tensor([1]))
    (True, False)
    """
    return np.asarray(raw(x)).dtype.kind == "f"
