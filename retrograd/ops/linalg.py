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
        return _squeeze(matmul(_unsqueeze(g, -2), _mT(b)), -2)
    return matmul(g, _mT(b))


def _grad_b(g, out, a, b):
    if raw(b).ndim == 1:
        if raw(a).ndim == 1:
            return _unsqueeze(g, -1) * a
        return _squeeze(matmul(_unsqueeze(g, -2), a), -2)
    if raw(a).ndim == 1:
        return reshape(a, (-1, 1)) * _unsqueeze(g, -2)
    return matmul(_mT(a), g)


def _jvp_a(t, out, a, b):
    return matmul(t, b)


def _jvp_b(t, out, a, b):
    if raw(b).ndim == 1:
        return _squeeze(matmul(a, _unsqueeze(t, -1)), -1)
    return matmul(a, t)


matmul = Primitive("matmul", np.matmul, vjp=[_grad_a, _grad_b], jvp=[_jvp_a, _jvp_b],
                   doc="Matrix product a @ b (NumPy matmul rules).")
