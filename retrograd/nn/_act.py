"""Activations and attention (re-exported by :mod:`retrograd.nn.functional`), composed from
the engine's primitives (``erf`` for the exact GELU, ``log1p`` for softplus)."""

from __future__ import annotations

import math

import numpy as np

from .. import functions as _f
from ..creation import generator
from ..hints import ArrayLike
from ..ops import special as _special
from ..tensor import Tensor, tensor

__all__ = [
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "hardtanh",
    "leaky_relu",
    "logsigmoid",
    "mish",
    "relu6",
    "scaled_dot_product_attention",
    "silu",
    "softplus",
]

_erf, _log1p = _special.erf, _special.log1p


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate="none"``, with erf) or its tanh approximation (``"tanh"``).

    >>> import retrograd as rg
    >>> gelu(rg.tensor([0.0, 1.0]))
    tensor([0.        , 0.84134475])
    """
    x = _as_tensor(input)
    if approximate == "none":
        return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        return 0.5 * x * (1.0 + _f.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor) -> Tensor:
    """``x * sigmoid(x)`` (swish).

    >>> import retrograd as rg
    >>> silu(rg.tensor([0.0]))
    tensor([0.])
    """
    x = _as_tensor(input)
    return x * _f.sigmoid(x)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    >>> import retrograd as rg
    >>> leaky_relu(rg.tensor([-2.0, 3.0]), 0.5)
    tensor([-1.,  3.])
    """
    x = _as_tensor(input)
    return _f.where(x.data > 0, x, x * negative_slope)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    >>> import retrograd as rg
    >>> elu(rg.tensor([0.0, 2.0]))
    tensor([0., 2.])
    """
    x = _as_tensor(input)
    neg = alpha * (_f.exp(_f.minimum(x, 0.0)) - 1.0)  # exp of the clipped value: no overflow, no 0*inf
    return _f.where(x.data > 0, x, neg)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``.

    >>> import retrograd as rg
    >>> softplus(rg.tensor([0.0]))
    tensor([0.69314718])
    """
    x = _as_tensor(input)
    z = x * beta
    soft = (_f.relu(z) + _log1p(_f.exp(-_f.abs(z)))) / beta  # stable for both signs
    return _f.where(z.data > threshold, x, soft)


def mish(input: Tensor) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import retrograd as rg
    >>> mish(rg.tensor([0.0]))
    tensor([0.])
    """
    x = _as_tensor(input)
    return x * _f.tanh(softplus(x))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``.

    >>> import retrograd as rg
    >>> hardtanh(rg.tensor([-3.0, 0.5, 3.0]))
    tensor([-1. ,  0.5,  1. ])
    """
    return _f.clip(_as_tensor(input), min_val, max_val)


def relu6(input: Tensor) -> Tensor:
    """``min(max(x, 0), 6)``.

    >>> import retrograd as rg
    >>> relu6(rg.tensor([-1.0, 7.0]))
    tensor([0., 6.])
    """
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, computed without overflow.

    >>> import retrograd as rg
    >>> logsigmoid(rg.tensor([0.0]))
    tensor([-0.69314718])
    """
    x = _as_tensor(input)
    return -(_f.relu(-x) + _log1p(_f.exp(-_f.abs(x))))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of (N, C, H, W) (or (C, H, W)) with probability ``p``; scale the rest by 1/(1-p).

    >>> import retrograd as rg
    >>> dropout2d(rg.ones(1, 2, 1, 1), training=False).shape
    (1, 2, 1, 1)
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, got {p}")
    x = _as_tensor(input)
    if not training or p == 0.0:
        return x
    shape = x.shape[:-2] + (1, 1)
    if p == 1.0:
        return x * np.zeros(shape, x.dtype)
    keep = generator().random(shape) >= p
    return x * (keep / (1.0 - p)).astype(x.dtype)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: ArrayLike | None = None,
                                 dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over the last two axes (PyTorch's semantics: a
    boolean ``attn_mask`` says which positions may be attended to, a float one is added;
    ``is_causal`` masks the future; ``scale`` defaults to ``1/sqrt(E)``).

    >>> import retrograd as rg
    >>> q = k = rg.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> v = rg.tensor([[1.0], [2.0]])
    >>> scaled_dot_product_attention(q, k, v, is_causal=True)
    tensor([[1.        ],
            [1.66976155]])
    """
    q, k, v = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    L, S = q.shape[-2], k.shape[-2]
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = _f.matmul(q, _f.swapaxes(k, -1, -2)) * s
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
        attn_mask = np.tril(np.ones((L, S), dtype=bool))
    if attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) and attn_mask.dtype == np.bool_ else attn_mask
        if isinstance(m, np.ndarray) and m.dtype == np.bool_:
            scores = _f.where(m, scores, np.asarray(-np.inf, dtype=scores.dtype))
        else:
            scores = scores + m
    weights = _f.softmax(scores, -1)
    if dropout_p > 0.0:
        keep = generator().random(weights.shape) >= dropout_p
        weights = weights * (keep / (1.0 - dropout_p)).astype(weights.dtype)
    return _f.matmul(weights, v)


def embedding(input: ArrayLike, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` at the integer indices ``input`` (any shape); the row at
    ``padding_idx`` gets no gradient.

    >>> import retrograd as rg
    >>> embedding(rg.tensor([2, 0], dtype=rg.int64), rg.tensor([[0.0], [1.0], [2.0]]))
    tensor([[2.],
            [0.]])
    """
    idx = np.asarray(input.data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}; "
                        "make them with dtype=rg.int64")
    w = _as_tensor(weight)
    n = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings (0..{n - 1})")
    out = w[idx]
    if padding_idx is not None:
        pad = (idx == padding_idx % n)[..., None]
        if pad.any():
            out = _f.where(pad, w.data[padding_idx % n], out)
    return out
