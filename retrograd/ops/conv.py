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

from .primitive import Primitive


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
    out = np.zeros(lead + (h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)  # channels last: adds are contiguous
    for i in range(kh):
        for j in range(kw):
            out[..., i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw, :] \
                += cols[..., i, j]
    out = out[..., ph:ph + h, pw:pw + w, :]
    return np.moveaxis(out, -1, -3)


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

__all__ = ["im2col", "col2im", "out_size"]
