"""Reductions and normalisations: sum, mean, max, min, logsumexp, softmax, log_softmax.

``axes`` is always a tuple of negative axes (the tensor layer normalises
``axis=None`` and positive axes), so leading batch dimensions of a
cotangent never shift them.
"""

from __future__ import annotations

import numpy as np

from .elementwise import exp
from .primitive import Primitive, raw
from .shape import broadcast_to, reshape


def _kept_shape(shape, axes):
    """``shape`` with a 1 at every reduced axis (the ``keepdims=True`` shape)."""
    nd = len(shape)
    red = {a % nd for a in axes}
    return tuple(1 if i in red else n for i, n in enumerate(shape))


def _expand(g, out, x, axes):
    """Broadcast a reduced gradient back to the shape of ``x`` (keeping batch dims)."""
    xs = raw(x).shape
    nb = raw(g).ndim - raw(out).ndim
    bshape = raw(g).shape[:nb]
    g = reshape(g, bshape + _kept_shape(xs, axes))
    return broadcast_to(g, bshape + xs)


def _keep(out, x, axes):
    """``out`` reshaped to the keepdims shape, so it broadcasts against ``x``."""
    return reshape(out, _kept_shape(raw(x).shape, axes))


def _extreme_share(out, x, axes):
    """Where ``x`` attains its max (or min); ties share the gradient equally."""
    hit = raw(x) == raw(_keep(raw(out), raw(x), axes))
    return hit / hit.sum(axis=axes, keepdims=True)


def _logsumexp_impl(x, axes, keepdims=False):
    m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(_kept_shape(x.shape, axes), x.dtype)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axes)


def _softmax_impl(x, axis):
    # initial=-inf: an empty axis gives an empty result (as PyTorch), not a NumPy error.
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_impl(x, axis):
    return x - _logsumexp_impl(x, (axis,), keepdims=True)


def _numel(x, axes):
    shape = raw(x).shape
    n = 1
    for a in axes:
        n *= shape[a]
    return n


sum_: Primitive = Primitive("sum", lambda x, axes, keepdims=False: np.sum(x, axis=axes, keepdims=keepdims),
                 vjp=[lambda g, out, x, axes, keepdims=False: _expand(g, out, x, axes)],
                 jvp=[lambda t, out, x, axes, keepdims=False: sum_(t, axes, keepdims=keepdims)],
                 doc="Sum over axes.",
                 reads_inputs=False, reads_out=False)
mean: Primitive = Primitive("mean", lambda x, axes, keepdims=False: np.mean(x, axis=axes, keepdims=keepdims),
                 vjp=[lambda g, out, x, axes, keepdims=False: _expand(g, out, x, axes) / _numel(x, axes)],
                 jvp=[lambda t, out, x, axes, keepdims=False: mean(t, axes, keepdims=keepdims)],
                 doc="Mean over axes.",
                 reads_inputs=False, reads_out=False)
amax = Primitive("max", lambda x, axes, keepdims=False: np.max(x, axis=axes, keepdims=keepdims),
                 vjp=[lambda g, out, x, axes, keepdims=False: _expand(g, out, x, axes) * _extreme_share(out, x, axes)],
                 jvp=[lambda t, out, x, axes, keepdims=False: sum_(
                     t * _extreme_share(out, x, axes), axes, keepdims=keepdims)],
                 doc="Maximum over axes; tied maxima share the gradient equally.")
amin = Primitive("min", lambda x, axes, keepdims=False: np.min(x, axis=axes, keepdims=keepdims),
                 vjp=[lambda g, out, x, axes, keepdims=False: _expand(g, out, x, axes) * _extreme_share(out, x, axes)],
                 jvp=[lambda t, out, x, axes, keepdims=False: sum_(
                     t * _extreme_share(out, x, axes), axes, keepdims=keepdims)],
                 doc="Minimum over axes; tied minima share the gradient equally.")
logsumexp = Primitive("logsumexp", _logsumexp_impl,
                      vjp=[lambda g, out, x, axes, keepdims=False:
                           _expand(g, out, x, axes) * exp(x - _keep(out, x, axes))],
                      jvp=[lambda t, out, x, axes, keepdims=False: sum_(
                          t * exp(x - _keep(out, x, axes)), axes, keepdims=keepdims)],
                      doc="log(sum(exp(x))) over axes, computed without overflow.")
softmax = Primitive("softmax", _softmax_impl,
                    vjp=[lambda g, out, x, axis: out * (g - sum_(g * out, (axis,), keepdims=True))],
                    jvp=[lambda t, out, x, axis: out * (t - sum_(t * out, (axis,), keepdims=True))],
                    doc="exp(x) / sum(exp(x)) along one axis, computed without overflow.")
log_softmax = Primitive("log_softmax", _log_softmax_impl,
                        vjp=[lambda g, out, x, axis: g - exp(out) * sum_(g, (axis,), keepdims=True)],
                        jvp=[lambda t, out, x, axis: t - sum_(exp(out) * t, (axis,), keepdims=True)],
                        doc="x - logsumexp(x) along one axis.")
