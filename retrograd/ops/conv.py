"""Sliding windows for convolution and pooling: ``im2col`` and its adjoint ``col2im``.

A convolution is one matrix product between the windows of the input and the
weights (see :func:`retrograd.nn.functional.conv2d`); pooling is a reduction over
the windows. Both are composed from these two primitives and the engine's others,
so their gradients (of any order) come from the rules below and from ``linear``,
``reshape``, ``transpose``... The primitives exist for speed: the windows are
gathered with strided views (``numpy.lib.stride_tricks``) and scattered back with
one strided add per kernel position, never a Python loop over pixels.

Layout: ``im2col`` maps ``(..., C, H, W)`` to ``(..., Ho, Wo, C, kh, kw)``, so that
``reshape(..., Ho * Wo, C * kh * kw)`` is free and the product with a weight
``(O, C * kh * kw)`` is a single BLAS call. Leading axes (the batch, and the batch
axes of cotangents and tangents) pass through untouched.
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
    h, w = x.shape[-2:]
    xp = np.empty(x.shape[:-2] + (h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[...] = pad_value
    xp[..., ph:ph + h, pw:pw + w] = x
    return xp


def _im2col_impl(x, kernel, stride, padding, dilation, pad_value=0.0):
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    h, w = x.shape[-2:]
    ho = out_size(h, kh, sh, padding[0], dh)
    wo = out_size(w, kw, sw, padding[1], dw)
    xp = _padded(x, padding, pad_value)
    *lead, c, hp, wp = xp.shape
    st = xp.strides
    # (..., Ho, Wo, C, kh, kw) as a strided view of the padded input, then one copy
    view = as_strided(xp, tuple(lead) + (max(ho, 0), max(wo, 0), c, kh, kw),
                      st[:-3] + (st[-2] * sh, st[-1] * sw, st[-3], st[-2] * dh, st[-1] * dw),
                      writeable=False)
    return np.ascontiguousarray(view)


def _col2im_impl(cols, shape, kernel, stride, padding, dilation):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    c, h, w = shape
    lead = cols.shape[:-5]
    ho, wo = cols.shape[-5:-3]
    # kernel positions first (one copy), so that each of the kh * kw adds reads contiguous memory
    per_pos = np.ascontiguousarray(np.moveaxis(cols, (-2, -1), (0, 1)))
    out = np.zeros(lead + (h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)  # channels last: adds are contiguous
    for i in range(kh):
        for j in range(kw):
            out[..., i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw, :] \
                += per_pos[i, j]
    out = out[..., ph:ph + h, pw:pw + w, :]
    return np.moveaxis(out, -1, -3)


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
        hit &= ~taken
        taken |= hit
        yield sl, hit


def _max_pool_vjp(g, out, x, kernel, stride, padding, dilation):
    xr, outr = raw(x), raw(out)
    if type(g) is np.ndarray and type(x) is np.ndarray:  # first order: scatter straight into the input
        nb = g.ndim - outr.ndim
        gp = np.zeros(g.shape[:nb] + xr.shape[:-2] + (xr.shape[-2] + 2 * padding[0],
                                                       xr.shape[-1] + 2 * padding[1]), dtype=g.dtype)
        for sl, hit in _first_max_masks(xr, outr, kernel, stride, padding, dilation):
            gp[sl] += g * hit
        ph, pw = padding
        return gp[..., ph:ph + xr.shape[-2], pw:pw + xr.shape[-1]]
    return col2im(_spread(g, _window_mask(xr, outr, kernel, stride, padding, dilation)),
                  xr.shape[-3:], kernel, stride, padding, dilation)


def _window_mask(x, out, kernel, stride, padding, dilation):
    """The first-maximum mask in im2col's layout (..., Ho, Wo, C, kh, kw)."""
    masks = [hit for _, hit in _first_max_masks(x, out, kernel, stride, padding, dilation)]
    m = np.stack(masks, axis=-1).reshape(out.shape + tuple(kernel))  # (..., C, Ho, Wo, kh, kw)
    return np.moveaxis(m, -5, -3)


def _spread(g, mask):
    """g (..., C, Ho, Wo) times the window mask, in im2col's layout (..., Ho, Wo, C, kh, kw)."""
    from .shape import reshape, transpose
    nd = raw(g).ndim
    perm = tuple(range(nd - 3)) + (nd - 2, nd - 1, nd - 3)
    gt = transpose(g, perm)
    return reshape(gt, raw(gt).shape + (1, 1)) * mask


def _max_pool_jvp(t, out, x, kernel, stride, padding, dilation):
    from .reduce import sum_
    from .shape import transpose
    mask = _window_mask(raw(x), raw(out), kernel, stride, padding, dilation)
    picked = sum_(im2col(t, kernel, stride, padding, dilation) * mask, (-2, -1))  # (..., Ho, Wo, C)
    nd = raw(picked).ndim
    return transpose(picked, tuple(range(nd - 3)) + (nd - 1, nd - 3, nd - 2))


def _win(params):
    return {k: params[k] for k in ("kernel", "stride", "padding", "dilation")}


im2col = Primitive(
    "im2col", _im2col_impl,
    vjp=[lambda g, out, x, kernel, stride, padding, dilation, pad_value=0.0: col2im(
        g, x.shape[-3:], kernel, stride, padding, dilation)],
    jvp=[lambda t, out, x, kernel, stride, padding, dilation, pad_value=0.0: im2col(
        t, kernel, stride, padding, dilation)],
    doc="Sliding windows of (..., C, H, W) as (..., Ho, Wo, C, kh, kw), padded with pad_value.")
col2im = Primitive(
    "col2im", _col2im_impl,
    vjp=[lambda g, out, cols, shape, kernel, stride, padding, dilation: im2col(
        g, kernel, stride, padding, dilation)],
    jvp=[lambda t, out, cols, shape, kernel, stride, padding, dilation: col2im(
        t, shape, kernel, stride, padding, dilation)],
    doc="Add windows (..., Ho, Wo, C, kh, kw) back into an image (..., C, H, W): the adjoint of im2col.")

max_pool = Primitive(
    "max_pool", _max_pool_impl,
    vjp=[_max_pool_vjp], jvp=[_max_pool_jvp],
    doc="Maximum over the windows of (..., C, H, W) (padding never wins); the gradient goes to the "
        "first maximum of each window, as PyTorch's. A primitive for speed: one np.maximum per "
        "kernel position instead of a reduction over tiny trailing axes.")

__all__ = ["im2col", "col2im", "max_pool", "out_size"]
