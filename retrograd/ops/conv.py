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

import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .linalg import matmul
from .primitive import Primitive, raw
from .reduce import sum_
from .shape import getitem, reshape, transpose


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
        # copy(order="K") keeps the input's memory layout (batch innermost after a conv2d)
        out = xp[sl].copy(order="K") if out is None else np.maximum(out, xp[sl], out=out)
    return out


def _first_max_masks(x, out, kernel, stride, padding, dilation):
    """For each kernel position in order, where that position holds the window's first maximum."""
    xp = _padded(x, padding, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
    if not isinstance(out, np.ndarray) or not isinstance(xp, np.ndarray):  # traced by rg.jit: no writes
        taken = None
        for sl in _window_slices(kernel, stride, dilation, *out.shape[-2:]):
            hit = xp[sl] == out
            if taken is not None:
                hit = hit & ~taken
            taken = hit if taken is None else taken | hit
            yield sl, hit
        return
    taken = None
    slices = list(_window_slices(kernel, stride, dilation, *out.shape[-2:]))
    for k, sl in enumerate(slices):
        hit = np.equal(xp[sl], out)
        if taken is None:
            taken = hit.copy()
        else:   # hit and not taken (compared as bytes: NumPy's loops for bytes are the fast ones)
            np.greater(hit.view(np.uint8), taken.view(np.uint8), out=hit)
            if k + 1 < len(slices):
                taken |= hit
        yield sl, hit


def _max_pool_vjp(g, out, x, kernel, stride, padding, dilation):
    xr, outr = raw(x), raw(out)
    e = raw(g).ndim - outr.ndim
    if type(g) is np.ndarray and type(x) is np.ndarray:  # first order: scatter straight into the input
        ph, pw = padding
        (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
        disjoint = sh > dh * (kh - 1) and sw > dw * (kw - 1)   # no input in two windows
        # windows that tile the input exactly (2x2 stride 2 on an even size): every cell is written once
        tiles = (dh, dw) == (1, 1) and (sh, sw) == (kh, kw) and outr.shape[-2:] == (xr.shape[-2] // kh,
                                                                                     xr.shape[-1] // kw)
        tiles = tiles and xr.shape[-2] % kh == 0 and xr.shape[-1] % kw == 0
        if e == 0 and not (ph or pw):   # the input's memory layout
            gp = (np.empty_like if tiles else np.zeros_like)(xr, dtype=g.dtype)
        else:
            gp = np.zeros(g.shape[:e] + xr.shape[:-2] + (xr.shape[-2] + 2 * ph, xr.shape[-1] + 2 * pw),
                          dtype=g.dtype)
        for sl, hit in _first_max_masks(xr, outr, kernel, stride, padding, dilation):
            if disjoint:
                np.multiply(g, hit, out=gp[sl])
            else:
                gp[sl] += g * hit
        return gp[..., ph:ph + xr.shape[-2], pw:pw + xr.shape[-1]]
    spread = _spread(g, _window_mask(xr, outr, kernel, stride, padding, dilation), e)
    return col2im(spread, xr.shape[-3:], kernel, stride, padding, dilation, nb=e)


def max_pool_indices(x, out, kernel, stride, padding, dilation, width):
    """Where each window's first maximum is, as flat indices ``row * width + col`` into the input.

    Not a primitive (indices have no derivative): the ``return_indices`` of PyTorch's max-pooling.

    >>> x = np.array([[[[1.0, 5.0], [7.0, 2.0]]]])
    >>> max_pool_indices(x, max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1)), (2, 2), (2, 2), (0, 0), (1, 1), 2)
    array([[[[2]]]])
    """
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ho, wo = out.shape[-2:]
    idx = np.zeros(out.shape, dtype=np.int64)
    for k, (_, hit) in enumerate(_first_max_masks(x, out, kernel, stride, padding, dilation)):
        i, j = divmod(k, kernel[1])
        rows = np.arange(ho) * sh - ph + i * dh
        cols = np.arange(wo) * sw - pw + j * dw
        np.copyto(idx, rows[:, None] * width + cols, where=hit)
    return idx


def _window_mask(x, out, kernel, stride, padding, dilation):
    """The first-maximum mask in im2col's layout (C, kh, kw, ..., Ho, Wo)."""
    hits = [hit for _, hit in _first_max_masks(x, out, kernel, stride, padding, dilation)]
    m = np.stack(hits).reshape(tuple(kernel) + out.shape)   # (kh, kw, ..., C, Ho, Wo)
    return np.moveaxis(m, -3, 0)


def _spread(g, mask, e):
    """``g`` (e..., ..., C, Ho, Wo) times the window mask, in im2col's layout (e..., C, kh, kw, ..., Ho, Wo)."""
    nd = raw(g).ndim
    perm = tuple(range(e)) + (nd - 3,) + tuple(range(e, nd - 3)) + (nd - 2, nd - 1)
    gt = transpose(g, perm)                                   # (e..., C, ..., Ho, Wo)
    gs = raw(gt).shape
    return reshape(gt, gs[:e + 1] + (1, 1) + gs[e + 1:]) * mask


def _max_pool_jvp(t, out, x, kernel, stride, padding, dilation):
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


# ----- max_unpool: values back to the places max-pooling took them from ---------------------------
def _unpool_index(shape, idx):
    """Advanced index picking ``idx`` (broadcast on the left to ``shape``) along the last axis."""
    idx = np.broadcast_to(idx, shape[:-1] + idx.shape[-1:])
    grid = [a[..., None] for a in np.indices(idx.shape[:-1], sparse=True)]
    return (*grid, idx)


def _max_unpool_impl(x, idx, size):
    out = np.zeros(x.shape[:-1] + (size,), dtype=x.dtype)
    out[_unpool_index(out.shape, idx)] = x
    return out


max_unpool: Primitive = Primitive(
    "max_unpool", _max_unpool_impl,
    vjp=[lambda g, out, x, idx, size: getitem(g, _unpool_index(raw(g).shape, idx))],
    jvp=[lambda t, out, x, idx, size: max_unpool(t, idx, size)],
    doc="Zeros of length ``size`` on the last axis with x written at ``idx`` (x.shape). The gradient "
        "of each value is the cotangent at its index, even where two share one (PyTorch's rule).")


# ----- conv2d: one fused primitive ---------------------------------------------------------------
# The composition ``matmul(W, im2col(x)) + b`` gives the same values and gradients, but costs four
# graph nodes and, per training step, a fresh (C*kh*kw, N*Ho*Wo) window matrix that the graph keeps
# alive until backward (5 MB for LeNet's first layer at batch 64) plus copies for the bias and the
# layout. Fused, the windows live in a per-thread scratch buffer that is reused by every call (the
# weight gradient gathers them again), and the batch axis is kept innermost in memory: the output is
# an (N, C, H, W) view of a (C, H, W, N) array, so that the next layer's windows, the pooling and the
# col2im of the backward pass all move long contiguous runs instead of rows of Wo numbers.

_scratch = threading.local()

#: Largest scratch buffer (bytes) kept between calls; a larger window matrix is allocated each time.
SCRATCH_LIMIT = 64 * 2 ** 20


def _workspace(name, shape, dtype):
    """A scratch array of ``shape`` that is reused by the next call asking for ``name`` (per thread)."""
    size = int(np.prod(shape))
    buf = getattr(_scratch, name, None)
    if buf is None or buf.dtype != dtype or buf.size < size:
        buf = np.empty(size, dtype=dtype)
        if buf.nbytes <= SCRATCH_LIMIT:
            setattr(_scratch, name, buf)
    return buf[:size].reshape(shape)


def _out_hw(x, w, stride, padding, dilation):
    """(Ho, Wo) of a convolution of (..., H, W) by (..., kh, kw)."""
    (h, wd), (kh, kw) = raw(x).shape[-2:], raw(w).shape[-2:]
    return (out_size(h, kh, stride[0], padding[0], dilation[0]),
            out_size(wd, kw, stride[1], padding[1], dilation[1]))


#: Bytes of window matrix gathered at a time: small enough to stay in a core's L2 cache between
#: the copy that gathers it and the matrix product that reads it.
CHUNK_BYTES = 256 * 2 ** 10


def _matrix(a, rows):
    """``a`` as a (rows, -1) matrix *view* (an error rather than a silent copy, as ``out=`` needs)."""
    v = a.view()
    v.shape = (rows, -1)
    return v


def _windows(x, w, stride, padding, dilation, dtype):
    """The windows of ``x`` (N, C, H, W), a few output rows at a time, in a scratch buffer.

    Yields ``(r0, r1, cols)``: ``cols`` is the (C*kh*kw, (r1-r0)*Wo*N) matrix of the windows of
    output rows r0..r1-1, batch innermost (overwritten by the next chunk).
    """
    (n, c, h, wd), (kh, kw) = x.shape, w.shape[-2:]
    ho, wo = _out_hw(x, w, stride, padding, dilation)
    (ph, pw), (sh, sw), (dh, dw) = padding, stride, dilation
    xt = x.transpose(1, 2, 3, 0)                      # (C, H, W, N): free when x came from a conv
    if ph or pw:
        xp = _workspace("padded", (c, h + 2 * ph, wd + 2 * pw, n), dtype)
        xp[:, :ph] = 0
        xp[:, ph + h:] = 0
        xp[:, :, :pw] = 0
        xp[:, :, pw + wd:] = 0
        xp[:, ph:ph + h, pw:pw + wd] = xt
    else:
        xp = xt
    st = xp.strides
    view = as_strided(xp, (c, kh, kw, ho, wo, n),
                      (st[0], st[1] * dh, st[2] * dw, st[1] * sh, st[2] * sw, st[3]), writeable=False)
    k = c * kh * kw
    step = max(1, CHUNK_BYTES // (k * wo * n * np.dtype(dtype).itemsize))
    buf = _workspace("cols", (k, min(step, ho) * wo * n), dtype)
    for r0 in range(0, ho, step):
        r1 = min(ho, r0 + step)
        cols = buf[:, :(r1 - r0) * wo * n]
        np.copyto(cols.reshape(c, kh, kw, r1 - r0, wo, n), view[:, :, :, r0:r1])
        yield r0, r1, cols


def _conv2d_impl(x, w, b, stride, padding, dilation, groups):
    dtype = np.result_type(x, w) if b is None else np.result_type(x, w, b)
    n, (ho, wo) = x.shape[0], _out_hw(x, w, stride, padding, dilation)
    o = w.shape[0]
    out = np.empty((o, ho, wo, n), dtype=dtype)
    w2 = w.reshape(o, -1)
    og, kg = o // groups, w2.shape[1]
    for r0, r1, cols in _windows(x, w, stride, padding, dilation, dtype):
        for i in range(groups):
            np.matmul(w2[i * og:(i + 1) * og], cols[i * kg:(i + 1) * kg],
                      out=_matrix(out[i * og:(i + 1) * og, r0:r1], og))
    if b is not None:
        out += b.reshape(o, 1, 1, 1)
    return out.transpose(3, 0, 1, 2)


def _rows(g):
    """A cotangent (N, O, Ho, Wo) as an (O, Ho*Wo*N) matrix (free when it has the output's layout)."""
    return np.ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(g.shape[1], -1)


def _plain(g, *arrays) -> bool:
    """First-order backward on plain arrays, without extra batch axes: the fast path."""
    return type(g) is np.ndarray and g.ndim == 4 and all(type(a) is np.ndarray for a in arrays)


def _group_rows(g, e, groups):
    """(e..., N, O, Ho, Wo) -> (e..., groups, O/groups, N*Ho*Wo), written with primitives."""
    gs = raw(g).shape
    gt = transpose(g, tuple(range(e)) + (e + 1, e, e + 2, e + 3))
    return reshape(gt, gs[:e] + (groups, gs[e + 1] // groups, gs[e] * gs[e + 2] * gs[e + 3]))


def _grouped_cols(x, w, stride, padding, dilation, groups, e=0):
    """im2col of (e..., N, C, H, W) as (e..., groups, C/groups*kh*kw, N*Ho*Wo), with primitives."""
    cols = im2col(x, raw(w).shape[-2:], stride, padding, dilation, nb=e)
    cs = raw(cols).shape
    k = cs[e] * cs[e + 1] * cs[e + 2]
    return reshape(cols, cs[:e] + (groups, k // groups, int(np.prod(cs[e + 3:]))))


def _from_group_rows(y, e, n, ho, wo):
    """(e..., groups, O/groups, N*Ho*Wo) -> (e..., N, O, Ho, Wo)."""
    ys = raw(y).shape
    y = reshape(y, ys[:e] + (ys[e] * ys[e + 1], n, ho, wo))
    return transpose(y, tuple(range(e)) + (e + 1, e, e + 2, e + 3))


def _conv2d_vjp_x(g, out, x, w, b, stride, padding, dilation, groups):
    (n, c, h, wd), (kh, kw) = raw(x).shape, raw(w).shape[-2:]
    ho, wo = _out_hw(x, w, stride, padding, dilation)
    if _plain(g, w):
        (ph, pw), (sh, sw), (dh, dw) = padding, stride, dilation
        o = w.shape[0]
        g2, w2 = _rows(g), w.reshape(o, -1)
        og, kg = o // groups, w2.shape[1]
        dtype = np.result_type(g, w)
        gxp = np.zeros((c, h + 2 * ph, wd + 2 * pw, n), dtype=dtype)
        # in one piece: chunks of rows would cost more in kh*kw small adds than they save in cache
        gcols = _workspace("cols", (groups * kg, g2.shape[1]), dtype)
        for i in range(groups):
            np.matmul(w2[i * og:(i + 1) * og].T, g2[i * og:(i + 1) * og], out=gcols[i * kg:(i + 1) * kg])
        gcols = gcols.reshape(c, kh, kw, ho, wo, n)
        for i in range(kh):
            for j in range(kw):
                gxp[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += gcols[:, i, j]
        return gxp[:, ph:ph + h, pw:pw + wd].transpose(3, 0, 1, 2)
    e = raw(g).ndim - 4
    ws = raw(w).shape
    w3 = reshape(w, (groups, ws[0] // groups, ws[1] * kh * kw))
    gcols = matmul(transpose(w3, (0, 2, 1)), _group_rows(g, e, groups))   # (e..., groups, Cg*kh*kw, M)
    gcols = reshape(gcols, raw(gcols).shape[:e] + (c, kh, kw, n, ho, wo))
    return col2im(gcols, (c, h, wd), (kh, kw), stride, padding, dilation, nb=e)


def _conv2d_vjp_w(g, out, x, w, b, stride, padding, dilation, groups):
    if _plain(g, x, w):
        dtype = np.result_type(g, x)
        o, wo, n = w.shape[0], g.shape[-1], g.shape[0]
        g2 = _rows(g)
        og = o // groups
        gw = np.zeros((o, w[0].size), dtype=dtype)
        kg = gw.shape[1]
        for r0, r1, cols in _windows(x, w, stride, padding, dilation, dtype):
            for i in range(groups):
                gi = g2[i * og:(i + 1) * og, r0 * wo * n:r1 * wo * n]
                gw[i * og:(i + 1) * og] += gi @ cols[i * kg:(i + 1) * kg].T
        return gw.reshape(w.shape)
    e = raw(g).ndim - 4
    cols = _grouped_cols(x, w, stride, padding, dilation, groups)       # (groups, Cg*kh*kw, M)
    gw = matmul(_group_rows(g, e, groups), transpose(cols, (0, 2, 1)))  # (e..., groups, O/groups, Cg*kh*kw)
    return reshape(gw, raw(gw).shape[:e] + raw(w).shape)


def _conv2d_vjp_b(g, out, x, w, b, stride, padding, dilation, groups):
    if _plain(g):
        return _rows(g).sum(axis=1)
    return sum_(g, (-4, -2, -1))


def _conv2d_jvp_x(t, out, x, w, b, stride, padding, dilation, groups):
    e = raw(t).ndim - 4
    n, ws = raw(x).shape[0], raw(w).shape
    w3 = reshape(w, (groups, ws[0] // groups, ws[1] * ws[2] * ws[3]))
    y = matmul(w3, _grouped_cols(t, w, stride, padding, dilation, groups, e))
    return _from_group_rows(y, e, n, *_out_hw(x, w, stride, padding, dilation))


def _conv2d_jvp_w(t, out, x, w, b, stride, padding, dilation, groups):
    n, ws = raw(x).shape[0], raw(w).shape
    e = raw(t).ndim - 4
    t3 = reshape(t, raw(t).shape[:e] + (groups, ws[0] // groups, ws[1] * ws[2] * ws[3]))
    y = matmul(t3, _grouped_cols(x, w, stride, padding, dilation, groups))
    return _from_group_rows(y, e, n, *_out_hw(x, w, stride, padding, dilation))


def _conv2d_jvp_b(t, out, x, w, b, stride, padding, dilation, groups):
    ts = raw(t).shape
    return reshape(t, ts[:-1] + (1, ts[-1], 1, 1))


conv2d = Primitive(
    "conv2d", _conv2d_impl,
    vjp=[_conv2d_vjp_x, _conv2d_vjp_w, _conv2d_vjp_b],
    jvp=[_conv2d_jvp_x, _conv2d_jvp_w, _conv2d_jvp_b],
    reads_out=False,
    doc="2-D convolution (cross-correlation) of (N, C, H, W) by (O, C/groups, kh, kw) plus an optional "
        "bias (O,); stride, padding, dilation are pairs. A primitive for speed: the same as "
        "matmul(W, im2col(x)) + b, whose rules its own (for Tensors and batched cotangents) are "
        "written with, but one node, the windows in a reused scratch buffer and the batch innermost.")

__all__ = ["col2im", "conv2d", "im2col", "max_pool", "max_pool_indices", "max_unpool", "out_size"]
