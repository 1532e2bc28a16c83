"""Scans along one axis and the product: cumsum, cumprod, logcumsumexp, prod.

``axis`` is always negative (the function layer normalises it), so leading batch
dimensions of a cotangent never shift it. Each is a primitive for speed or stability:
``logcumsumexp`` never overflows, ``prod`` and ``cumprod`` have exact gradients where
an input is 0 (no division by it).
"""

from __future__ import annotations

import numpy as np

from .elementwise import absolute, exp, log, neg, where
from .primitive import Primitive, raw
from .reduce import _expand, sum_
from .shape import concatenate, getitem, reshape, transpose


def _along(axis, idx):
    """An index that applies ``idx`` on the (negative) ``axis`` and keeps every other axis."""
    return (Ellipsis, idx) + (slice(None),) * (-axis - 1)


def _flip(a, axis):
    return getitem(a, _along(axis, slice(None, None, -1)))


def _to_last(a, axis):
    """Move the negative ``axis`` of ``a`` to the end (a transpose, batch axes untouched)."""
    nd = raw(a).ndim
    ax = nd + axis
    return transpose(a, tuple(i for i in range(nd) if i != ax) + (ax,))


def _from_last(a, axis):
    nd = raw(a).ndim
    ax = nd + axis
    perm = list(range(nd - 1))
    perm.insert(ax, nd - 1)
    return transpose(a, tuple(perm))


# ----- cumsum --------------------------------------------------------------------------
cumsum: Primitive = Primitive("cumsum", lambda x, axis: np.cumsum(x, axis=axis),
                   vjp=[lambda g, out, x, axis: _flip(cumsum(_flip(g, axis), axis), axis)],
                   jvp=[lambda t, out, x, axis: cumsum(t, axis)],
                   doc="Running sum along one axis.")


# ----- cumprod -------------------------------------------------------------------------
def _cumprod_partials(x, axis):
    """C[..., i, j] = prod_{k <= j, k != i} x_k (x's axis moved last): d out_j / d x_i for i <= j.

    O(n**2) memory; used only where an input is 0, where out / x is not available.
    """
    xl = _to_last(x, axis)
    n = raw(xl).shape[-1]
    rows = reshape(xl, raw(xl).shape[:-1] + (1, n))
    eye = np.eye(n, dtype=bool)
    dtype = raw(x).dtype
    return cumprod(where(eye, np.ones((), dtype), rows), -1), n


def _traced(a) -> bool:
    """Whether ``a`` (a raw value) is traced by rg.jit: its values are then unknown."""
    return not isinstance(a, (np.ndarray, np.generic))


def _cumprod_vjp(g, out, x, axis):
    xr = raw(x)
    if not _traced(xr) and not np.any(xr == 0):  # traced: the exact form, right for any values
        return _flip(cumsum(_flip(g * out, axis), axis), axis) / x
    c, n = _cumprod_partials(x, axis)
    gl = _to_last(g, axis)
    gl = reshape(gl, raw(gl).shape[:-1] + (1, n))
    upper = np.triu(np.ones((n, n), dtype=bool))  # j >= i
    return _from_last(sum_(where(upper, gl * c, np.zeros((), raw(c).dtype)), (-1,)), axis)


def _cumprod_jvp(t, out, x, axis):
    xr = raw(x)
    if not _traced(xr) and not np.any(xr == 0):
        return out * cumsum(t / x, axis)
    c, n = _cumprod_partials(x, axis)
    tl = _to_last(t, axis)
    tl = reshape(tl, raw(tl).shape + (1,))
    upper = np.triu(np.ones((n, n), dtype=bool))
    return _from_last(sum_(where(upper, tl * c, np.zeros((), raw(c).dtype)), (-2,)), axis)


cumprod = Primitive("cumprod", lambda x, axis: np.cumprod(x, axis=axis),
                    vjp=[_cumprod_vjp], jvp=[_cumprod_jvp],
                    doc="Running product along one axis; exact gradients where an input is 0.")


# ----- logcumsumexp --------------------------------------------------------------------
def _logcumsumexp_impl(x, axis):
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return np.logaddexp.accumulate(x, axis=axis)


def _signed_log_parts(v):
    """log(max(v, 0)) and log(max(-v, 0)), with a very negative finite number (not -inf) where that
    part is 0, as PyTorch's rule: -inf - -inf would put nan into the derivatives of this rule."""
    vr = raw(v)
    dt = vr.dtype if vr.dtype.kind == "f" else np.dtype(np.float64)
    low = np.asarray(np.finfo(dt).min / 4, dt)
    zero = vr == 0
    la = log(where(zero, np.ones((), dt), absolute(v)))
    pos, negp = vr > 0, vr < 0
    return (where(pos, la, low), pos), (where(negp, la, low), negp)


def _logcumsumexp_vjp(g, out, x, axis):
    # grad_i = sum_{j >= i} g_j exp(x_i - out_j), split by the sign of g so every term is a logsumexp.
    total = None
    for (lg, mask), sign in zip(_signed_log_parts(g), (1, -1)):
        if not np.any(mask):
            continue
        part = exp(x + _flip(logcumsumexp(_flip(lg - out, axis), axis), axis))
        part = part if sign > 0 else neg(part)
        total = part if total is None else total + part
    return total if total is not None else g * 0.0


def _logcumsumexp_jvp(t, out, x, axis):
    # tangent_j = sum_{i <= j} t_i exp(x_i - out_j)
    total = None
    for (lt, mask), sign in zip(_signed_log_parts(t), (1, -1)):
        if not np.any(mask):
            continue
        part = exp(logcumsumexp(x + lt, axis) - out)
        part = part if sign > 0 else neg(part)
        total = part if total is None else total + part
    return total if total is not None else t * 0.0


logcumsumexp = Primitive("logcumsumexp", _logcumsumexp_impl,
                         vjp=[_logcumsumexp_vjp], jvp=[_logcumsumexp_jvp],
                         doc="log(cumsum(exp(x))) along one axis, computed without overflow.")


# ----- prod ----------------------------------------------------------------------------
def _exclusive_products(x, axis):
    """prod_{k != i} x_k along ``axis`` for every i, without dividing (exact at zeros)."""
    xr = raw(x)
    one = np.ones(xr.shape[:xr.ndim + axis] + (1,) + xr.shape[xr.ndim + axis + 1:], xr.dtype)
    before = concatenate(one, getitem(x, _along(axis, slice(None, -1))), axis=axis)
    after = concatenate(getitem(x, _along(axis, slice(1, None))), one, axis=axis)
    return cumprod(before, axis) * _flip(cumprod(_flip(after, axis), axis), axis)


def _prod_vjp(g, out, x, axis, keepdims=False):
    if raw(x).shape[axis] == 0:
        return _expand(g, out, x, (axis,)) * 0.0
    return _expand(g, out, x, (axis,)) * _exclusive_products(x, axis)


def _prod_jvp(t, out, x, axis, keepdims=False):
    if raw(x).shape[axis] == 0:
        return sum_(t, (axis,), keepdims=keepdims) * 0.0
    return sum_(t * _exclusive_products(x, axis), (axis,), keepdims=keepdims)


prod = Primitive("prod", lambda x, axis, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims),
                 vjp=[_prod_vjp], jvp=[_prod_jvp],
                 doc="Product along one axis; exact gradients where an input is 0.")
