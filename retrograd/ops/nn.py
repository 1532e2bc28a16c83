"""Fused primitives for neural networks: ``linear``, ``cross_entropy``, ``binary_cross_entropy``.

Both could be composed from smaller primitives (``x @ W.T + b``;
``-log_softmax(z)[range(n), y].mean()``), and give the same values and
gradients; fused, a layer or a loss is one graph node instead of three to five,
which is what makes a training step cheap. Their rules are written with
retrograd's own functions, so higher-order derivatives still work.
"""

from __future__ import annotations

import numpy as np

from .elementwise import log, maximum
from .linalg import matmul
from .primitive import Primitive, raw
from .reduce import softmax, sum_
from .shape import getitem, reshape, transpose

_ndarray = np.ndarray


# ----- linear: x @ W.T + b ------------------------------------------------------------
def _linear_impl(x, w, b=None):
    out = x @ w.T
    if b is not None:
        out += b
    return out


def _mT(x):
    nd = raw(x).ndim
    return transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _linear_grad_x(g, out, x, w, b=None):
    if type(g) is _ndarray and type(w) is _ndarray:
        return g @ w
    return matmul(g, w)


def _linear_grad_w(g, out, x, w, b=None):
    # g: batch + x.shape[:-1] + (out,); the weight gradient sums over x's leading axes.
    if type(g) is _ndarray and type(x) is _ndarray and g.ndim == 2 and x.ndim == 2:
        return g.T @ x  # the common case: plain arrays, a batch of rows
    xs, gs = raw(x).shape, raw(g).shape
    if len(xs) == 1:  # a single sample: outer product
        return reshape(g, gs + (1,)) * x
    nb = len(gs) - len(xs)
    m = int(np.prod(xs[:-1]))
    g2 = reshape(g, gs[:nb] + (m, gs[-1]))
    x2 = x if len(xs) == 2 else reshape(x, (m, xs[-1]))
    return matmul(_mT(g2), x2)


def _linear_grad_b(g, out, x, w, b=None):
    if type(g) is _ndarray and g.ndim == 2 and raw(x).ndim == 2:
        return g.sum(axis=0)
    lead = raw(x).ndim - 1
    if lead == 0:
        return g
    return sum_(g, tuple(range(-1 - lead, -1)))


def _linear_jvp_x(t, out, x, w, b=None):
    return matmul(t, transpose(w, (1, 0)))


def _linear_jvp_w(t, out, x, w, b=None):
    xd = raw(x).ndim
    tw = _mT(t)  # batch + (in, out)
    if xd > 2:
        ts = raw(tw).shape
        nb = len(ts) - 2
        tw = reshape(tw, ts[:nb] + (1,) * (xd - 2) + ts[nb:])
    return matmul(x, tw)


linear = Primitive("linear", _linear_impl,
                   vjp=[_linear_grad_x, _linear_grad_w, _linear_grad_b],
                   jvp=[_linear_jvp_x, _linear_jvp_w, lambda t, out, x, w, b=None: t],
                   doc="x @ W.T + b (PyTorch's linear layer): W has shape (out, in).",
                   reads_inputs={0: (1,), 1: (0,), 2: ()}, reads_out=False)


# ----- cross entropy from logits and class indices -------------------------------------
def _ce_impl(z, y, reduction="mean"):
    # log-softmax without overflow, then pick the target class of every row.
    shifted = z - z.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=-1))
    losses = lse - shifted[np.arange(z.shape[0]), y] if z.ndim == 2 else lse - shifted[..., y]
    if reduction == "mean":
        return np.asarray(losses.mean())
    if reduction == "sum":
        return np.asarray(losses.sum())
    return losses


def _one_hot(y, c, dtype):
    # Written without writing in place, so that rg.jit can trace it when y is traced.
    return (y[..., None] == np.arange(c)).astype(dtype)


def _ce_grad(g, out, z, y, reduction="mean"):
    zr = raw(z)
    n = zr.shape[0] if zr.ndim > 1 else 1
    if type(z) is _ndarray and type(g) is _ndarray:
        # First-order fast path on plain arrays: softmax - one_hot, in place.
        p = zr - zr.max(axis=-1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=-1, keepdims=True)
        if zr.ndim == 2:
            p[np.arange(n), y] -= 1
        else:
            p[..., y] -= 1
        if g.ndim == out.ndim:  # no batch axes: scale in place
            if reduction == "none":
                p *= g[..., None]
            else:
                p *= (g / n) if reduction == "mean" else g
            return p
        d = p
    else:
        d = softmax(z, -1) - _one_hot(y, zr.shape[-1], zr.dtype)
    gr = raw(g)
    nb = gr.ndim - raw(out).ndim
    if reduction == "none":
        return reshape(g, gr.shape + (1,)) * d
    if reduction == "mean":
        g = g / n
    # g is batch + (); line it up with batch + z.shape
    return reshape(g, gr.shape + (1,) * zr.ndim) * d if nb else g * d


def _pick(t, y):
    """t[..., i, y[i]] for every row i (t may carry leading batch axes)."""
    if y.ndim == 0:
        return getitem(t, (Ellipsis, int(y)))
    return getitem(t, (Ellipsis, np.arange(y.shape[0]), y))


def _ce_jvp(t, out, z, y, reduction="mean"):
    # d loss_i = sum_c softmax(z_i)_c t_ic - t_{i, y_i}
    d = sum_(t * softmax(z, -1), (-1,)) - _pick(t, y)
    if raw(z).ndim == 1 or reduction == "none":
        return d
    total = sum_(d, (-1,))
    return total / raw(z).shape[0] if reduction == "mean" else total


cross_entropy = Primitive(
    "cross_entropy", _ce_impl,
    vjp=[_ce_grad, None],
    jvp=[_ce_jvp, None],
    doc="Cross entropy of logits z (N, C) against class indices y (N,): fused stable log-softmax.")


# ----- binary cross entropy from probabilities -------------------------------------------
# A primitive for numerical stability: composed from clamped logs, the gradient at p = 0 or 1 is
# 0 * inf = nan; PyTorch's rule (p - y) / max(p (1 - p), 1e-12) is finite there.
_BCE_EPS = 1e-12


def _bce_impl(p, y):
    with np.errstate(divide="ignore"):
        return -(y * np.maximum(np.log(p), -100.0) + (1 - y) * np.maximum(np.log1p(-p), -100.0))


def _bce_grad_p(g, out, p, y):
    return g * (p - y) / maximum(p * (1 - p), _BCE_EPS)


def _bce_grad_y(g, out, p, y):
    # PyTorch's rule: the logs are not clamped here (+-inf at p = 0 or 1).
    with np.errstate(divide="ignore"):
        return g * (log(1 - p) - log(p))


binary_cross_entropy = Primitive(
    "binary_cross_entropy", _bce_impl,
    vjp=[_bce_grad_p, _bce_grad_y],
    jvp=[_bce_grad_p, _bce_grad_y],
    doc="Elementwise -(y log p + (1 - y) log(1 - p)), logs clamped at -100 (PyTorch's rules).")


__all__ = ["binary_cross_entropy", "cross_entropy", "linear"]
