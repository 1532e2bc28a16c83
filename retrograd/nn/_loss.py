"""More losses (re-exported by :mod:`retrograd.nn.functional`): L1, smooth L1, Huber, KL
divergence, and class-index losses with ``weight``, ``ignore_index`` and extra axes
(N, C, d1, ...)."""

from __future__ import annotations

import numpy as np

from .. import functions as _f
from ..errors import ShapeError
from ..hints import ArrayLike
from ..ops.primitive import raw
from ..tensor import Tensor, tensor

__all__ = ["huber_loss", "kl_div", "l1_loss", "smooth_l1_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _prep(name, input, target, reduction, extra=()):
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"reduction must be one of {_REDUCTIONS + tuple(extra)}, got {reduction!r}")
    x = _as_tensor(input)
    t = target if isinstance(target, Tensor) and target.requires_grad else np.asarray(raw(target), dtype=x.dtype)
    if np.shape(raw(t)) != x.shape:
        raise ShapeError(f"{name}: input has shape {x.shape} but target has shape {np.shape(raw(t))}; "
                         "they must be equal")
    return x, t


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def l1_loss(input: Tensor, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Mean absolute error.

    >>> import retrograd as rg
    >>> l1_loss(rg.tensor([1.0, -3.0]), rg.tensor([0.0, 0.0]))
    tensor(2.)
    """
    x, t = _prep("l1_loss", input, target, reduction)
    return _reduce(_f.abs(x - t), reduction)


def smooth_l1_loss(input: Tensor, target: ArrayLike, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``).

    >>> import retrograd as rg
    >>> smooth_l1_loss(rg.tensor([0.5, 3.0]), rg.tensor([0.0, 0.0]), reduction="none")
    tensor([0.125, 2.5  ])
    """
    x, t = _prep("smooth_l1_loss", input, target, reduction)
    d = x - t
    a = _f.abs(d)
    if beta == 0:
        return _reduce(a, reduction)
    loss = _f.where(raw(a) < beta, 0.5 * d * d / beta, a - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: ArrayLike, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``.

    >>> import retrograd as rg
    >>> huber_loss(rg.tensor([0.5, 3.0]), rg.tensor([0.0, 0.0]), reduction="none", delta=2.0)
    tensor([0.125, 4.   ])
    """
    x, t = _prep("huber_loss", input, target, reduction)
    d = x - t
    a = _f.abs(d)
    loss = _f.where(raw(a) < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: ArrayLike, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target * (log(target) - input)``
    (0 where the target is 0). ``reduction="batchmean"`` divides the sum by the batch size
    (the mathematically right mean; ``"mean"`` averages over every element, as PyTorch).

    >>> import retrograd as rg
    >>> kl_div(rg.log(rg.tensor([[0.5, 0.5]])), rg.tensor([[0.5, 0.5]]), reduction="batchmean")
    tensor(0.)
    """
    x, t = _prep("kl_div", input, target, reduction, extra=("batchmean",))
    if log_target:
        loss = _f.exp(t) * (t - x)
    else:
        tr = raw(t)
        safe = np.where(tr > 0, tr, 1)
        loss = t * (_f.log(safe if not isinstance(t, Tensor) else _f.where(tr > 0, t, safe)) - x)
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction)


def class_index_loss(logp: Tensor, target: ArrayLike, weight: Tensor | None, ignore_index: int, reduction: str,
                     label_smoothing: float, name: str) -> Tensor:
    """The general path of ``cross_entropy``/``nll_loss``: log-probabilities ``logp`` of shape
    (N, C, d1, ...) or (C,), integer targets (N, d1, ...) or (); ``weight`` per class; targets equal
    to ``ignore_index`` neither count nor get a gradient; PyTorch's weighted mean."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    y = np.asarray(raw(target))
    if y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {y.dtype}")
    zs = logp.shape
    c = zs[0] if len(zs) == 1 else zs[1]
    expect = () if len(zs) == 1 else (zs[0],) + zs[2:]
    if y.shape != expect:
        raise ShapeError(f"{name}: input of shape {zs} needs targets of shape {expect} "
                         f"(one class index per sample and position), got {y.shape}")
    valid = y != ignore_index
    bad = valid & ((y < 0) | (y >= c))
    if bad.any():
        raise IndexError(f"{name}: target class {y[bad].flat[0]} is out of range for {c} classes (0..{c - 1})")
    if len(zs) > 2:  # classes last, then one row per position
        logp = _f.transpose(logp, (0,) + tuple(range(2, len(zs))) + (1,))
    rows = _f.reshape(logp, (-1, c))
    yf = np.where(valid, y, 0).reshape(-1)
    vf = valid.reshape(-1).astype(rows.dtype)
    onehot = np.zeros((yf.size, c), dtype=rows.dtype)
    onehot[np.arange(yf.size), yf] = 1.0
    w = None if weight is None else np.asarray(raw(weight), dtype=rows.dtype)
    if w is not None and w.shape != (c,):
        raise ShapeError(f"{name}: weight must have one entry per class, shape ({c},), got {w.shape}")
    wy = vf if w is None else w[yf] * vf
    loss = -_f.sum(rows * onehot, axis=-1) * wy
    if label_smoothing:
        per_class = rows if w is None else rows * w
        smooth = -_f.sum(per_class, axis=-1) * (vf / c)
        loss = loss * (1 - label_smoothing) + smooth * label_smoothing
    if reduction == "none":
        return _f.reshape(loss, y.shape)
    if reduction == "sum":
        return loss.sum()
    total = wy.sum()
    if total == 0:  # every target ignored: NaN, as PyTorch, but a zero gradient
        return loss.sum() * 0.0 + np.asarray(np.nan, dtype=rows.dtype)
    return loss.sum() / total
