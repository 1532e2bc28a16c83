"""Normalisation (re-exported by :mod:`retrograd.nn.functional`): batch, layer and group
normalisation and ``normalize``, composed from the engine's primitives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import functions as _f
from ..errors import ShapeError
from ..tensor import Tensor, tensor

__all__ = ["batch_norm", "group_norm", "layer_norm", "normalize"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _stats(x, axes):
    mean = _f.mean(x, axis=axes, keepdims=True)
    d = x - mean
    var = _f.mean(d * d, axis=axes, keepdims=True)
    return d, var


def _affine(y, weight, bias, shape):
    if weight is not None:
        y = y * _f.reshape(weight, shape) if isinstance(weight, Tensor) else y * np.reshape(weight, shape)
    if bias is not None:
        y = y + (_f.reshape(bias, shape) if isinstance(bias, Tensor) else np.reshape(bias, shape))
    return y


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of (N, C, ...) by the batch statistics (``training``)
    or by the running ones; in training, update ``running_mean``/``running_var`` (NumPy
    arrays, in place) with ``momentum``, the variance unbiased, as PyTorch.

    >>> import numpy as np, retrograd as rg
    >>> rm, rv = np.zeros(1), np.ones(1)
    >>> batch_norm(rg.tensor([[1.0], [3.0]]), rm, rv, training=True, eps=0.0)
    tensor([[-1.],
            [ 1.]])
    >>> rm, rv
    (array([0.2]), array([1.1]))
    """
    x = _as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input (N, C, ...) with at least 2 axes, got shape {x.shape}")
    c = x.shape[1]
    shape = (1, c) + (1,) * (x.ndim - 2)
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        n = x.numel() // c
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {x.shape}; use a larger batch or call .eval()")
        d, var = _stats(x, axes)
        if running_mean is not None:
            mean = x.data.mean(axis=axes)
            running_mean *= 1 - momentum
            running_mean += momentum * mean.astype(running_mean.dtype)
        if running_var is not None:
            unbiased = var.data.reshape(c) * (n / (n - 1))
            running_var *= 1 - momentum
            running_var += momentum * unbiased.astype(running_var.dtype)
        y = d / _f.sqrt(var + eps)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: without running statistics, pass training=True")
        inv = 1.0 / np.sqrt(np.asarray(running_var, dtype=x.dtype) + eps)
        y = (x - np.reshape(np.asarray(running_mean, dtype=x.dtype), shape)) * np.reshape(inv, shape)
    return _affine(y, weight, bias, shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` axes, then scale and shift.

    >>> import retrograd as rg
    >>> layer_norm(rg.tensor([[1.0, 3.0]]), (2,), eps=0.0)
    tensor([[-1.,  1.]])
    """
    x = _as_tensor(input)
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(ns):]) != ns:
        raise ShapeError(f"layer_norm: the input's last axes {x.shape[x.ndim - len(ns):]} do not match "
                         f"normalized_shape {ns}")
    axes = tuple(range(-len(ns), 0))
    d, var = _stats(x, axes)
    return _affine(d / _f.sqrt(var + eps), weight, bias, ns)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split the channels of (N, C, ...) into ``num_groups`` groups and normalise each group
    of each sample; then a per-channel scale and shift.

    >>> import retrograd as rg
    >>> group_norm(rg.tensor([[[1.0], [3.0]]]), 1, eps=0.0)
    tensor([[[-1.],
             [ 1.]]])
    """
    x = _as_tensor(input)
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels cannot be split into {num_groups} groups")
    xg = _f.reshape(x, (n, num_groups, -1))
    d, var = _stats(xg, (2,))
    y = _f.reshape(d / _f.sqrt(var + eps), x.shape)
    return _affine(y, weight, bias, (1, c) + (1,) * (x.ndim - 2))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim`` (PyTorch's ``F.normalize``).

    >>> import retrograd as rg
    >>> normalize(rg.tensor([[3.0, 4.0]]))
    tensor([[0.6, 0.8]])
    """
    x = _as_tensor(input)
    if p == 2:
        norm = _f.sqrt(_f.sum(x * x, axis=dim, keepdims=True))
    elif p == 1:
        norm = _f.sum(_f.abs(x), axis=dim, keepdims=True)
    elif p == float("inf"):
        norm = _f.max(_f.abs(x), axis=dim, keepdims=True)
    else:
        norm = _f.sum(_f.abs(x) ** p, axis=dim, keepdims=True) ** (1.0 / p)
    return x / _f.maximum(norm, eps)
