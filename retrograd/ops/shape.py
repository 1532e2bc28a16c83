"""Shape primitives: reshape, transpose, broadcasting, indexing, joining.

Rules count axes from the right (negative axes) or skip the leading
``nb = g.ndim - out.ndim`` batch dimensions of the cotangent, so they also
work on a batch of cotangents.
"""

from __future__ import annotations

import numpy as np

from .primitive import Primitive, raw


def _nb(g, ref_ndim: int) -> int:
    """Number of extra leading (batch) dimensions ``g`` carries."""
    return raw(g).ndim - ref_ndim


def _sum_to_impl(x, shape, nb=0):
    """Sum ``x`` down to ``x.shape[:nb] + shape`` (undo NumPy broadcasting)."""
    shape = tuple(shape)
    lead = x.ndim - nb - len(shape)
    axes = tuple(range(nb, nb + lead)) + tuple(
        nb + lead + i for i, n in enumerate(shape) if n == 1 and x.shape[nb + lead + i] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    if lead:
        x = x.reshape(x.shape[:nb] + shape)
    return x


def _sum_to_vjp(g, out, x, shape, nb=0):
    xs = raw(x).shape
    nb2 = raw(g).ndim - (nb + len(tuple(shape)))  # batch dims of g beyond x's own
    lead = len(xs) - nb - len(tuple(shape))
    g = reshape(g, raw(g).shape[:nb2] + xs[:nb] + (1,) * lead + tuple(shape))
    return broadcast_to(g, raw(g).shape[:nb2] + xs)


def _broadcast_to_vjp(g, out, x, shape):
    return sum_to(g, raw(x).shape, nb=_nb(g, len(tuple(shape))))


def _broadcast_to_jvp(t, out, x, shape):
    # New leading axes of x go after the batch axes of t, not in front of them.
    shape, xd = tuple(shape), raw(x).ndim
    ts = raw(t).shape
    nb = len(ts) - xd
    if nb and len(shape) > xd:
        t = reshape(t, ts[:nb] + (1,) * (len(shape) - xd) + ts[nb:])
    return broadcast_to(t, ts[:nb] + shape)


broadcast_to = Primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, tuple(shape)),
                         vjp=[_broadcast_to_vjp],
                         jvp=[_broadcast_to_jvp],
                         doc="Broadcast x to shape (NumPy rules).",
                         reads_inputs=False, reads_out=False)
sum_to: Primitive = Primitive("sum_to", _sum_to_impl,
                   vjp=[_sum_to_vjp],
                   jvp=[lambda t, out, x, shape, nb=0: sum_to(t, shape, nb=nb + _nb(t, raw(x).ndim))],
                   doc="Sum x down to shape: the adjoint of broadcast_to.",
                   reads_inputs=False, reads_out=False)

reshape: Primitive = Primitive("reshape", lambda x, shape: np.reshape(x, shape),
                    vjp=[lambda g, out, x, shape: reshape(
                        g, raw(g).shape[:_nb(g, raw(out).ndim)] + raw(x).shape)],
                    jvp=[lambda t, out, x, shape: reshape(
                        t, raw(t).shape[:_nb(t, raw(x).ndim)] + raw(out).shape)],
                    doc="Same data, new shape.",
                    reads_inputs=False, reads_out=False)


def _batched_axes(axes, nb):
    return tuple(range(nb)) + tuple(nb + a for a in axes)


transpose: Primitive = Primitive("transpose", lambda x, axes: np.transpose(x, axes),
                      vjp=[lambda g, out, x, axes: transpose(
                          g, _batched_axes(tuple(np.argsort(axes)), _nb(g, len(axes))))],
                      jvp=[lambda t, out, x, axes: transpose(t, _batched_axes(axes, _nb(t, len(axes))))],
                      doc="Permute the axes.",
                      reads_inputs=False, reads_out=False)


def _has_advanced(idx) -> bool:
    return any(isinstance(i, (np.ndarray, list)) for i in idx)


def _index_add_impl(g, idx, shape, nb=0):
    """Zeros of ``g.shape[:nb] + shape`` with ``g`` added at ``idx`` (repeats accumulate)."""
    out = np.zeros(g.shape[:nb] + tuple(shape), dtype=g.dtype)
    full = (slice(None),) * nb + idx
    if _has_advanced(idx):
        np.add.at(out, full, g)
    else:
        out[full] = g  # basic indexing never selects an element twice
    return out


def _ufunc_at_impl(base, idx, values, ufunc):
    out = np.array(base, copy=True)
    getattr(np, ufunc).at(out, idx, values)
    return out


ufunc_at: Primitive = Primitive("ufunc_at", _ufunc_at_impl, vjp=[None, None, None], jvp=[None, None, None],
                     doc="A copy of base with ``np.<ufunc>.at(copy, idx, values)`` applied: "
                         "counts and running extremes for the masks of rules (not differentiated).")


getitem: Primitive = Primitive("getitem", lambda x, idx: x[idx],
                    vjp=[lambda g, out, x, idx: index_add(
                        g, idx, raw(x).shape, nb=_nb(g, raw(out).ndim))],
                    jvp=[lambda t, out, x, idx: getitem(t, (slice(None),) * _nb(t, raw(x).ndim) + idx)],
                    doc="x[idx]: basic and integer-array indexing.",
                    reads_inputs=False, reads_out=False)
index_add: Primitive = Primitive("index_add", _index_add_impl,
                      vjp=[lambda g, out, x, idx, shape, nb=0: getitem(
                          g, (slice(None),) * (_nb(g, raw(out).ndim) + nb) + idx)],
                      jvp=[lambda t, out, x, idx, shape, nb=0: index_add(
                          t, idx, shape, nb=nb + _nb(t, raw(x).ndim))],
                      doc="Scatter-add g into zeros of the given shape: the adjoint of getitem.",
                      reads_inputs=False, reads_out=False)


def _split_along(g, i, xs, axis):
    """The slice of ``g`` that came from the ``i``-th of the joined arrays ``xs``."""
    sizes = [raw(x).shape[axis] for x in xs]
    start = sum(sizes[:i])
    trailing = (slice(None),) * (-axis - 1)
    return getitem(g, (Ellipsis, slice(start, start + sizes[i])) + trailing)


def _joined_tangents(tangents, xs, dtype):
    """Tangents of joined arrays, zeros for constants, all with the same batch dims."""
    batch = _batch_shape(tangents, xs)
    parts = []
    for t, x in zip(tangents, xs):
        shape = batch + raw(x).shape
        if t is None:
            t = np.zeros(shape, dtype)
        elif raw(t).shape != shape:
            t = broadcast_to(t, shape)
        parts.append(t)
    return parts


def _batch_shape(tangents, xs):
    for t, x in zip(tangents, xs):
        if t is not None:
            return raw(t).shape[:raw(t).ndim - raw(x).ndim]
    return ()


# ``axis`` is always passed negative (see retrograd.tensor), so batch dims don't move it.
concatenate: Primitive = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
                        vjp_n=lambda i, g, out, *xs, axis: _split_along(g, i, xs, axis),
                        jvp=lambda ts, out, *xs, axis: concatenate(
                            *_joined_tangents(ts, xs, raw(out).dtype), axis=axis),
                        doc="Join arrays along an existing axis.",
                        reads_inputs=False, reads_out=False)
stack: Primitive = Primitive("stack", lambda *xs, axis: np.stack(xs, axis=axis),
                  vjp_n=lambda i, g, out, *xs, axis: getitem(
                      g, (Ellipsis, i) + (slice(None),) * (-axis - 1)),
                  jvp=lambda ts, out, *xs, axis: stack(*_joined_tangents(ts, xs, raw(out).dtype), axis=axis),
                  doc="Join arrays along a new axis.",
                  reads_inputs=False, reads_out=False)


def _setitem_impl(x, v, idx):
    out = np.array(x, copy=True)
    out[idx] = v
    return out


def _kept_mask(x, idx, dtype):
    """Ones where ``x[idx] = v`` keeps x's value, zeros where it writes v."""
    mask = np.ones(raw(x).shape, dtype=dtype)
    mask[idx] = 0
    return mask


def _written_tangent(t, out, x, v, idx):
    nb = _nb(t, raw(v).ndim)
    ts = raw(t).shape
    region = np.empty(raw(x).shape, dtype=bool)[idx].shape
    if len(region) > len(ts) - nb:  # line v's axes up on the right of the written region
        t = reshape(t, ts[:nb] + (1,) * (len(region) - (len(ts) - nb)) + ts[nb:])
    zeros = np.zeros(ts[:nb] + raw(x).shape, dtype=raw(t).dtype)
    return setitem(zeros, t, (slice(None),) * nb + idx)


setitem = Primitive("setitem", _setitem_impl,
                    vjp=[lambda g, out, x, v, idx: g * _kept_mask(x, idx, raw(g).dtype),
                         lambda g, out, x, v, idx: getitem(g, (slice(None),) * _nb(g, raw(out).ndim) + idx)],
                    jvp=[lambda t, out, x, v, idx: t * _kept_mask(x, idx, raw(t).dtype),
                         _written_tangent],
                    doc="A copy of x with x[idx] = v: the recorded form of item assignment.",
                    reads_inputs=False, reads_out=False)
