"""Sliding windows for convolution and pooling: ``im2col`` and its adjoint ``col2im``.

A convolution is one matrix product between the windows of the input and the
weights (see :func:`retrograd.nn.functional.conv2d`); pooling is a reduction over
the windows. Both are composed from these two primitives and the engine's others,
so their gradients (of any order) come from the rules below and from ``linear``,
``reshape``, ``transpose``... The primitives exist for speed: the windows are
gathered with strided views (``numpy.lib.stride_tricks``) and scattered back with
one strided add per kernel position, never a Python loop over pixels.

Layout: ``im2col`` maps ``(..., C, H, W)`` to ``(C, kh, kw, ..., Ho, Wo)``: the window
axes first, so that ``reshape(C * kh * kw, N * Ho * Wo)`` is free, a convolution is one
product ``W (O, C * kh * kw) @ cols`` whose result is already channel-major, and each of
``col2im``'s strided adds reads contiguous memory. The leading axes ``...`` (the batch) stay
where they were relative to each other. ``nb`` counts extra batch axes in front (those of a
batch of cotangents or tangents), which stay in front: ``(nb..., C, kh, kw, ..., Ho, Wo)``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .primitive import Primitive, raw


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    """Output length of a sliding window (PyTorch's formula, floor mode).

    >>> out_size(28, 5, 1, 2, 1)
    28
    """
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _padded(x, padding, pad_value):
    ph, pw = padding
    if not (ph or pw):
        return x
    if not isinstance(x, np.ndarray):  # traced by rg.jit: no writing into an array
        return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=pad_value)
    h, w = x.shape[-2:]
    xp = np.empty(x.shape[:-2] + (h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[...] = pad_value
    xp[..., ph:ph + h, pw:pw + w] = x
    return xp


def _im2col_impl(x, kernel, stride, padding, dilation, pad_value=0.0, nb=0):
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    h, w = x.shape[-2:]
    ho = max(out_size(h, kh, sh, padding[0], dh), 0)
    wo = max(out_size(w, kw, sw, padding[1], dw), 0)
    xp = _padded(x, padding, pad_value)
    st = xp.strides
    pre, lead, c = xp.shape[:nb], xp.shape[nb:-3], xp.shape[-3]
    # (nb..., C, kh, kw, lead..., Ho, Wo) as a strided view of the padded input, then one copy
    view = as_strided(xp, pre + (c, kh, kw) + lead + (ho, wo),
                      st[:nb] + (st[-3], st[-2] * dh, st[-1] * dw) + st[nb:-3] + (st[-2] * sh, st[-1] * sw),
                      writeable=False)
    return np.ascontiguousarray(view)


def _col2im_impl(cols, shape, kernel, stride, padding, dilation, nb=0):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    c, h, w = shape
    pre, lead = cols.shape[:nb], cols.shape[nb + 3:-2]
    ho, wo = cols.shape[-2:]
    out = np.zeros(pre + (c,) + lead + (h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    head = (slice(None),) * (nb + 1)
    for i in range(kh):
        for j in range(kw):
            out[..., i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] \
                += cols[head + (i, j)]
    out = out[..., ph:ph + h, pw:pw + w]
    return np.moveaxis(out, nb, nb + len(lead))  # (nb..., lead..., C, H, W)


def _window_slices(kernel, stride, dilation, ho, wo):
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    for i in range(kh):
        for j in range(kw):
            yield (Ellipsis, slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                   slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _max_pool_impl(x, kernel, stride, padding, dilation):
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, padding, low)
    ho = out_size(x.shape[-2], kernel[0], stride[0], padding[0], dilation[0])
    wo = out_size(x.shape[-1], kernel[1], stride[1], padding[1], dilation[1])
    out = None
    for sl in _window_slices(kernel, stride, dilation, ho, wo):
        out = xp[sl].copy() if out is None else np.maximum(out, xp[sl], out=out)
    return out


def _first_max_masks(x, out, kernel, stride, padding, dilation):
    """For each kernel position in order, where that position holds the window's first maximum."""
    xp = _padded(x, padding, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
    taken = np.zeros(out.shape, dtype=bool)
    for sl in _window_slices(kernel, stride, dilation, *out.shape[-2:]):
        hit = xp[sl] == out
        if isinstance(hit, np.ndarray):
            hit &= ~taken
            taken |= hit
        else:  # traced by rg.jit: no writing into an array
            hit = hit & ~taken
            taken = taken | hit
        yield sl, hit


def _max_pool_vjp(g, out, x, kernel, stride, padding, dilation):
    xr, outr = raw(x), raw(out)
    e = raw(g).ndim - outr.ndim
    if type(g) is np.ndarray and type(x) is np.ndarray:  # first order: scatter straight into the input
        ph, pw = padding
        gp = np.zeros(g.shape[:e] + xr.shape[:-2] + (xr.shape[-2] + 2 * ph, xr.shape[-1] + 2 * pw),
                      dtype=g.dtype)
        for sl, hit in _first_max_masks(xr, outr, kernel, stride, padding, dilation):
            gp[sl] += g * hit
        return gp[..., ph:ph + xr.shape[-2], pw:pw + xr.shape[-1]]
    spread = _spread(g, _window_mask(xr, outr, kernel, stride, padding, dilation), e)
    return col2im(spread, xr.shape[-3:], kernel, stride, padding, dilation, nb=e)


def _window_mask(x, out, kernel, stride, padding, dilation):
    """The first-maximum mask in im2col's layout (C, kh, kw, ..., Ho, Wo)."""
    hits = [hit for _, hit in _first_max_masks(x, out, kernel, stride, padding, dilation)]
    m = np.stack(hits).reshape(tuple(kernel) + out.shape)   # (kh, kw, ..., C, Ho, Wo)
    return np.moveaxis(m, -3, 0)


def _spread(g, mask, e):
    """``g`` (e..., ..., C, Ho, Wo) times the window mask, in im2col's layout (e..., C, kh, kw, ..., Ho, Wo)."""
    from .shape import reshape, transpose
    nd = raw(g).ndim
    perm = tuple(range(e)) + (nd - 3,) + tuple(range(e, nd - 3)) + (nd - 2, nd - 1)
    gt = transpose(g, perm)                                   # (e..., C, ..., Ho, Wo)
    gs = raw(gt).shape
    return reshape(gt, gs[:e + 1] + (1, 1) + gs[e + 1:]) * mask


def _max_pool_jvp(t, out, x, kernel, stride, padding, dilation):
    from .reduce import sum_
    from .shape import transpose
    xr = raw(x)
    e = raw(t).ndim - xr.ndim
    mask = _window_mask(xr, raw(out), kernel, stride, padding, dilation)
    cols = im2col(t, kernel, stride, padding, dilation, nb=e)
    nd = raw(cols).ndim
    picked = sum_(cols * mask, (e + 1 - nd, e + 2 - nd))    # (e..., C, ..., Ho, Wo)
    nd = raw(picked).ndim
    perm = tuple(range(e)) + tuple(range(e + 1, nd - 2)) + (e, nd - 2, nd - 1)
    return transpose(picked, perm)


def _extra(a, ref) -> int:
    """Extra leading (batch) axes of ``a`` beyond those of ``ref``."""
    return raw(a).ndim - raw(ref).ndim


im2col: Primitive = Primitive(
    "im2col", _im2col_impl,
    vjp=[lambda g, out, x, kernel, stride, padding, dilation, pad_value=0.0, nb=0: col2im(
        g, raw(x).shape[-3:], kernel, stride, padding, dilation, nb=nb + _extra(g, out))],
    jvp=[lambda t, out, x, kernel, stride, padding, dilation, pad_value=0.0, nb=0: im2col(
        t, kernel, stride, padding, dilation, nb=nb + _extra(t, x))],
    doc="Sliding windows of (..., C, H, W) as (C, kh, kw, ..., Ho, Wo), padded with pad_value.")
col2im: Primitive = Primitive(
    "col2im", _col2im_impl,
    vjp=[lambda g, out, cols, shape, kernel, stride, padding, dilation, nb=0: im2col(
        g, kernel, stride, padding, dilation, nb=nb + _extra(g, out))],
    jvp=[lambda t, out, cols, shape, kernel, stride, padding, dilation, nb=0: col2im(
        t, shape, kernel, stride, padding, dilation, nb=nb + _extra(t, cols))],
    doc="Add windows (C, kh, kw, ..., Ho, Wo) back into an image (..., C, H, W): the adjoint of im2col.")

max_pool = Primitive(
    "max_pool", _max_pool_impl,
    vjp=[_max_pool_vjp], jvp=[_max_pool_jvp],
    doc="Maximum over the windows of (..., C, H, W) (padding never wins); the gradient goes to the "
        "first maximum of each window, as PyTorch's. A primitive for speed: one np.maximum per "
        "kernel position instead of a reduction over tiny trailing axes.")

__all__ = ["col2im", "im2col", "max_pool", "out_size"]
