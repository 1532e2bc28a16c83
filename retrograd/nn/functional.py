"""Stateless layers and losses (PyTorch's ``torch.nn.functional``).

Each takes Tensors (or arrays) and returns a Tensor that records the graph.
The layer and the multi-class loss are single fused primitives
(:mod:`retrograd.ops.nn`); the others are composed from the engine's
primitives.

>>> import retrograd as rg
>>> import retrograd.nn.functional as F
>>> F.cross_entropy(rg.tensor([[0.0, 0.0]]), rg.tensor([1]))
tensor(0.69314718)
"""

from __future__ import annotations

import numpy as np

from .. import functions as _f
from ..creation import generator
from ..errors import ShapeError
from ..hints import ArrayLike
from ..ops import nn as _ops
from ..ops.primitive import raw
from ..tensor import Tensor, tensor
from . import _loss
from ._act import (
    dropout2d,
    elu,
    embedding,
    gelu,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    scaled_dot_product_attention,
    silu,
    softplus,
)
from ._conv import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    interpolate,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)
from ._loss import huber_loss, kl_div, l1_loss, smooth_l1_loss
from ._norm import batch_norm, group_norm, layer_norm, normalize

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "hardtanh",
    "huber_loss",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
    "mish",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "scaled_dot_product_attention",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]

_REDUCTIONS = ("mean", "sum", "none")


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` in one graph node; ``weight`` has shape (out, in).

    >>> import retrograd as rg
    >>> linear(rg.tensor([[1.0, 2.0]]), rg.tensor([[1.0, 1.0]]), rg.tensor([0.5]))
    tensor([[3.5]])
    """
    xs, ws = np.shape(raw(x)), np.shape(raw(weight))
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:
        raise ShapeError(f"linear: input of shape {xs} does not fit a weight of shape {ws} "
                         f"(weight is (out_features, in_features); the input's last axis must be "
                         f"in_features={ws[1] if len(ws) == 2 else '?'})")
    if bias is not None and np.shape(raw(bias)) != (ws[0],):
        raise ShapeError(f"linear: bias of shape {np.shape(raw(bias))} does not fit a weight of shape "
                         f"{ws}; expected ({ws[0]},)")
    if bias is None:
        return _ops.linear(_as_tensor(x), weight)
    return _ops.linear(_as_tensor(x), weight, bias)


def relu(x: Tensor) -> Tensor:
    """max(x, 0).

    >>> import retrograd as rg
    >>> relu(rg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _f.relu(_as_tensor(x))


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)).

    >>> import retrograd as rg
    >>> sigmoid(rg.tensor(0.0))
    tensor(0.5)
    """
    return _f.sigmoid(_as_tensor(x))


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> import retrograd as rg
    >>> tanh(rg.tensor(0.0))
    tensor(0.)
    """
    return _f.tanh(_as_tensor(x))


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> import retrograd as rg
    >>> softmax(rg.tensor([0.0, 0.0]))
    tensor([0.5, 0.5])
    """
    return _f.softmax(_as_tensor(x), dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """x - logsumexp(x) along ``dim``.

    >>> import retrograd as rg
    >>> log_softmax(rg.tensor([0.0, 0.0]))
    tensor([-0.69314718, -0.69314718])
    """
    return _f.log_softmax(_as_tensor(x), dim)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (identity when not training).

    >>> import retrograd as rg
    >>> dropout(rg.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, got {p}")
    x = _as_tensor(x)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros(x.shape, x.dtype)
    keep = generator().random(x.shape) >= p
    return x * (keep / (1.0 - p)).astype(x.dtype)


def one_hot(y: ArrayLike, num_classes: int = -1) -> Tensor:
    """Integer class indices to rows of 0/1 (int64, as PyTorch's).

    >>> import retrograd as rg
    >>> one_hot(rg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    y = np.asarray(raw(y))
    if num_classes < 0:
        num_classes = int(y.max()) + 1 if y.size else 0
    return tensor((y[..., None] == np.arange(num_classes)).astype(np.int64))


def _check_same_shape(name, a, b):
    if np.shape(raw(a)) != np.shape(raw(b)):
        raise ShapeError(f"{name}: input has shape {np.shape(raw(a))} but target has shape "
                         f"{np.shape(raw(b))}; they must be equal (reshape the target, e.g. y.reshape(-1, 1))")


def _target_like(target, x):
    t = raw(target) if isinstance(target, Tensor) else np.asarray(target)
    if isinstance(target, Tensor) and target.requires_grad:
        return target
    return np.asarray(t, dtype=raw(x).dtype)


def mse_loss(input: Tensor, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Mean squared error (``reduction='sum'`` sums, ``'none'`` keeps every element).

    >>> import retrograd as rg
    >>> mse_loss(rg.tensor([1.0, 3.0]), rg.tensor([0.0, 0.0]))
    tensor(5.)
    """
    _check_reduction(reduction)
    _check_same_shape("mse_loss", input, target)
    d = _as_tensor(input) - _target_like(target, input)
    return _reduce(d * d, reduction)


def binary_cross_entropy(input: Tensor, target: ArrayLike, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) for probabilities ``input``; logs are clamped at -100 as PyTorch's.

    >>> import retrograd as rg
    >>> binary_cross_entropy(rg.tensor([0.5]), rg.tensor([1.0]))
    tensor(0.69314718)
    """
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy", input, target)
    p = _as_tensor(input)
    pr = raw(p)
    if not isinstance(pr, Tensor) and pr.size and (np.nanmin(pr) < 0 or np.nanmax(pr) > 1):  # (traced: unknown)
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]; "
                         "for raw scores (logits) use binary_cross_entropy_with_logits")
    loss = _ops.binary_cross_entropy(p, _target_like(target, p))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: ArrayLike, weight: Tensor | None = None,
                                     reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross entropy in one stable formula: (1 - y) z + log(1 + exp(-z)).

    >>> import retrograd as rg
    >>> binary_cross_entropy_with_logits(rg.tensor([0.0]), rg.tensor([1.0]))
    tensor(0.69314718)
    """
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    z = _as_tensor(input)
    y = _target_like(target, z)
    # softplus(-z) = log(1 + exp(-z)) = logsumexp(0, -z): stable, and smooth at z = 0 (a sum of
    # relu and |z| terms has the right value there but the wrong derivative).
    softplus_neg = _f.logsumexp(_f.stack([np.zeros(z.shape, z.dtype), -z], axis=-1), axis=-1)
    if pos_weight is None:
        loss = (1 - y) * z + softplus_neg
    else:
        # (1 - y) z + (1 + (pw - 1) y) log(1 + exp(-z)), as PyTorch's
        lw = 1 + (pos_weight - 1) * y
        loss = (1 - y) * z + lw * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _class_indices(target, logits, name):
    y = np.asarray(raw(target))
    zs = np.shape(raw(logits))
    if y.dtype.kind == "f" and y.shape == zs[:-1] and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)  # rg.tensor([0, 2]) is float64 by default: whole numbers are indices
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {y.dtype}; "
                        "for class probabilities pass a float target of the same shape as the input")
    if len(zs) not in (1, 2) or y.shape != zs[:-1]:
        raise ShapeError(f"{name}: input of shape {zs} needs targets of shape {zs[:-1]} "
                         f"(one class index per row), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= zs[-1]):
        bad = y[(y < 0) | (y >= zs[-1])][0]
        raise IndexError(f"{name}: target class {bad} is out of range for {zs[-1]} classes (0..{zs[-1] - 1})")
    return y.astype(np.int64, copy=False)


def _deprecated(size_average, reduce, name):
    if size_average is not None or reduce is not None:
        raise TypeError(f"{name}: size_average and reduce are deprecated in PyTorch and not supported; "
                        "use reduction='mean' | 'sum' | 'none'")


def cross_entropy(input: Tensor, target: ArrayLike, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of logits ``input`` (N, C), (C,) or (N, C, d1, ...) against class indices.

    The log-softmax is fused and stable (one graph node in the common case). A float
    ``target`` of the same shape as ``input`` is read as class probabilities, as in PyTorch.
    ``weight`` (one per class) weighs each sample by its target class (the mean divides by
    the sum of those weights); targets equal to ``ignore_index`` are left out.

    >>> import retrograd as rg
    >>> cross_entropy(rg.tensor([[2.0, 0.0], [0.0, 2.0]]), rg.tensor([0, 1]), reduction="none")
    tensor([0.12692801, 0.12692801])
    >>> cross_entropy(rg.tensor([[2.0, 0.0], [0.0, 2.0]]), rg.tensor([0, 1]), ignore_index=0)
    tensor(0.12692801)
    """
    _deprecated(size_average, reduce, "cross_entropy")
    z = _as_tensor(input)
    tr = target.data if isinstance(target, Tensor) else np.asarray(target)
    zs = z.data.shape
    traced = not isinstance(tr, np.ndarray)  # labels traced by rg.jit: their values are not known
    if (tr.dtype.kind in "iu" and len(zs) == 2 and tr.shape == zs[:1] and not label_smoothing
            and weight is None and reduction in _REDUCTIONS
            and (traced or not tr.size or (tr.min() >= 0 and tr.max() < zs[1] and
                                           (ignore_index < 0 or not (tr == ignore_index).any())))):
        return _ops.cross_entropy(z, tr, reduction=reduction)  # the common case, already checked
    _check_reduction(reduction)
    if tr.dtype.kind == "f" and tr.shape == z.shape:  # class probabilities
        if weight is not None:
            raise NotImplementedError("cross_entropy: weight with class-probability targets is not "
                                      "supported yet; use class indices")
        _check_same_shape("cross_entropy", z, tr)
        probs = _target_like(target, z)
        c_axis = 1 if z.ndim > 1 else 0  # (N, C, d1, ...) or (C,): the class axis, as PyTorch
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / z.shape[c_axis]
        loss = -(_f.log_softmax(z, c_axis) * probs).sum(c_axis)
        return _reduce(loss, reduction)
    if weight is None and not label_smoothing and len(zs) == 2 and not (tr == ignore_index).any():
        y = _class_indices(tr, z, "cross_entropy")
        return _ops.cross_entropy(z, y, reduction=reduction)
    logp = _f.log_softmax(z, 0 if z.ndim == 1 else 1)
    return _loss.class_index_loss(logp, tr, weight, ignore_index, reduction, label_smoothing,
                                  "cross_entropy")


def nll_loss(input: Tensor, target: ArrayLike, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C), (C,) or (N, C, d1, ...) at
    class indices ``target``, with PyTorch's ``weight`` and ``ignore_index``.

    >>> import retrograd as rg
    >>> nll_loss(rg.tensor([[-1.0, -2.0]]), rg.tensor([1]))
    tensor(2.)
    """
    _deprecated(size_average, reduce, "nll_loss")
    _check_reduction(reduction)
    z = _as_tensor(input)
    tr = np.asarray(raw(target))
    if weight is None and z.ndim <= 2 and not (tr == ignore_index).any():
        y = _class_indices(target, z, "nll_loss")
        picked = z[np.arange(y.shape[0]), y] if z.ndim == 2 else z[int(y)]
        return _reduce(-picked, reduction)
    return _loss.class_index_loss(z, tr, weight, ignore_index, reduction, 0.0, "nll_loss")


# F.pad (issue 13): the shape function rg.pad under PyTorch's import path.
from ..functions_shape import pad  # noqa: E402
