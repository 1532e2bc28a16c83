"""Matrix product with NumPy's ``matmul`` semantics (1-D operands, batch broadcasting)."""

from __future__ import annotations

import numpy as np

from .primitive import Primitive, raw
from .shape import reshape, transpose


def _mT(x):
    """Swap the last two axes."""
    nd = raw(x).ndim
    return transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _unsqueeze(x, axis):
    shape = list(raw(x).shape)
    shape.insert(axis if axis >= 0 else len(shape) + axis + 1, 1)
    return reshape(x, tuple(shape))


def _squeeze(x, axis):
    """Drop the size-1 axis ``axis`` (negative)."""
    shape = list(raw(x).shape)
    del shape[axis]
    return reshape(x, tuple(shape))


def _grad_a(g, out, a, b):
    if raw(b).ndim == 1:  # out[..., i] = a[..., i, :] . b
        return _unsqueeze(g, -1) * b
    if raw(a).ndim == 1:  # out[..., j] = a . b[..., :, j]
        if raw(b).ndim == 2:  # one matrix product over all leading (batch) axes of g
            return matmul(g, _mT(b))
        return _squeeze(matmul(_unsqueeze(g, -2), _mT(b)), -2)
    return matmul(g, _mT(b))


def _grad_b(g, out, a, b):
    if raw(b).ndim == 1:
        if raw(a).ndim == 1:
            return _unsqueeze(g, -1) * a
        if raw(a).ndim == 2:  # one matrix product over all leading (batch) axes of g
            return matmul(g, a)
        return _squeeze(matmul(_unsqueeze(g, -2), a), -2)
    if raw(a).ndim == 1:
        return reshape(a, (-1, 1)) * _unsqueeze(g, -2)
    return matmul(_mT(a), g)


def _lift(t, core: int, nd: int):
    """Insert size-1 axes after the batch axes of tangent ``t`` (core ndim ``core``) up to ``nd`` core axes.

    A tangent may carry leading batch axes; matmul broadcasts its operands'
    leading axes against each other, so they must line up on the right.
    """
    if nd <= core:
        return t
    ts = raw(t).shape
    nb = len(ts) - core
    return reshape(t, ts[:nb] + (1,) * (nd - core) + ts[nb:])


def _jvp_a(t, out, a, b):
    ad, bd = raw(a).ndim, raw(b).ndim
    if bd == 1:
        return matmul(t, b)
    if ad == 1:  # a row vector: t[..., k] -> t[..., 1, k]
        if bd == 2:
            return matmul(t, b)
        return _squeeze(matmul(_lift(_unsqueeze(t, -2), 2, bd), b), -2)
    return matmul(_lift(t, ad, bd), b)


def _jvp_b(t, out, a, b):
    ad, bd = raw(a).ndim, raw(b).ndim
    if bd == 1:
        if ad == 1:  # a dot product: t[..., k] . a
            return matmul(t, a)
        if ad == 2:  # one matrix product over all leading (batch) axes of t
            return matmul(t, _mT(a))
        # a column vector: t[..., k] -> t[..., k, 1]
        return _squeeze(matmul(a, _lift(_unsqueeze(t, -1), 2, ad)), -1)
    if ad == 1:
        return matmul(a, t)
    return matmul(a, _lift(t, bd, ad))


matmul = Primitive("matmul", np.matmul, vjp=[_grad_a, _grad_b], jvp=[_jvp_a, _jvp_b],
                   doc="Matrix product a @ b (NumPy matmul rules).",
                   reads_inputs={0: (1,), 1: (0,)}, reads_out=False)
