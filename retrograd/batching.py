"""Batching rules: run a traced function once on a whole batch (the engine of ``rg.vmap``).

``rg.vmap`` traces ``f`` once on the shapes of one example (:mod:`retrograd.tracing`), which
gives the list of primitives ``f`` calls (its backward pass too, when ``f`` takes gradients).
:func:`evaluate` then runs that list once on the batched values: each value carries a flag
saying whether its axis 0 is the batch axis, and each primitive goes through a *batching
rule* (JAX's ``batching.py`` is the model) that rewrites its call so that the batch axis
stays in front:

* elementwise primitives: the batched arguments get size-1 axes after the batch axis so that
  they line up with the others under broadcasting;
* reductions, softmax, scans, stack and concatenate: their axes are negative already, so a
  batch axis in front never moves them;
* reshape, transpose, broadcast_to, sum_to, indexing: the shape, permutation or index gets
  one leading entry for the batch;
* matmul, linear, einsum, cross_entropy, the convolution windows: native batch axes, a
  reshape, or one more einsum letter.

A primitive without a rule (a custom ``rg.autograd.Function``, an index that itself depends
on the example, ...) goes through :func:`_loop_rule`: one call per example, stacked. That is
correct, only slower, so nothing regresses. Rules call the primitives themselves, so on
Tensors the batched computation is recorded (``grad(vmap(f))`` works) and inside ``rg.jit``
it is traced.

>>> import numpy as np, retrograd as rg
>>> from retrograd.tracing import Trace
>>> with Trace() as tr:
...     x = tr.input(np.zeros(3), "x")
...     y = rg.tanh(x).sum()
>>> env = {id(x): (np.arange(6.0).reshape(2, 3), True)}
>>> np.round(evaluate(tr, env, 2)[id(y)][0], 4)
array([1.7256, 2.9943])
"""

from __future__ import annotations

import string

import numpy as np

from . import ops
from .ops import nn as nn_ops
from .tensor import Tensor
from .tracing import Tracer, identity, stop_gradient

__all__ = ["RULES", "evaluate"]


# ----- helpers on values that may be arrays, Tensors or Tracers ----------------------------
def _shape(v) -> tuple:
    return tuple(v.shape) if hasattr(v, "shape") else np.shape(v)


def _dtype(v):
    return v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype


def _raw(v):
    """The array for a NumPy call: a plain Tensor's data; a Tracer stays (NumPy calls on it are traced)."""
    if isinstance(v, Tensor) and not isinstance(v, Tracer):
        return v.data
    return v


def _lift(v, rank: int):
    """A batched ``v`` with size-1 axes after the batch axis, so its example has ``rank`` axes."""
    s = _shape(v)
    k = len(s) - 1
    if k >= rank:
        return v
    return ops.reshape(v, s[:1] + (1,) * (rank - k) + s[1:])


def _batch(v, size: int):
    """An unbatched value repeated along a new leading batch axis (a broadcast view)."""
    if not hasattr(v, "shape"):
        v = np.asarray(v)
    return ops.broadcast_to(v, (size,) + _shape(v))


def _neg(axis, ndim: int):
    """``axis`` (an int, or a tuple of ints) counted from the right."""
    if isinstance(axis, (tuple, list)):
        return tuple(_neg(a, ndim) for a in axis)
    return axis - ndim if axis >= 0 else axis


def _get(args, params, pos, name, default=None):
    return args[pos] if len(args) > pos else params.get(name, default)


def _put(args, params, pos, name, value):
    if len(args) > pos:
        args = list(args)
        args[pos] = value
        return args, params
    params = dict(params)
    params[name] = value
    return args, params


def _is_batched(x, env) -> bool:
    """Whether a (nested) argument holds a Tracer whose value is batched."""
    if isinstance(x, Tracer):
        hit = env.get(id(x))
        return hit is not None and hit[1]
    if isinstance(x, (tuple, list)):
        return any(_is_batched(e, env) for e in x)
    if isinstance(x, slice):
        return _is_batched((x.start, x.stop, x.step), env)
    return False


def _subst(x, env):
    """Replace the Tracers of the trace in a (nested) argument by their values."""
    if isinstance(x, Tracer):
        return env[id(x)][0]
    if type(x) is tuple or type(x) is list:
        return type(x)(_subst(e, env) for e in x)
    if isinstance(x, slice):
        return slice(_subst(x.start, env), _subst(x.stop, env), _subst(x.step, env))
    return x


def _call(eqn, args, params):
    """Run one recorded operation on new values."""
    if eqn.kind == "prim":
        return eqn.fn(*args, **params)
    args = [_raw(a) for a in args]
    if eqn.kind == "method":
        return getattr(args[0], eqn.fn)(*args[1:], **params)
    out = eqn.fn(*args, **params)
    return out if hasattr(out, "shape") else np.asarray(out)


# ----- the rules -------------------------------------------------------------------------
def _elementwise(eqn, args, bat, params, size):
    r = len(eqn.out.val.shape)
    return _call(eqn, [_lift(a, r) if b else a for a, b in zip(args, bat)], params)


def _axis_rule(pos, name):
    """Reductions, normalisations and scans: the axis (or axes) counted from the right."""
    def rule(eqn, args, bat, params, size):
        if any(bat[1:]):
            return None
        nd = len(_shape(args[0])) - 1
        ax = _get(args, params, pos, name)
        if ax is None:
            return None
        args, params = _put(args, params, pos, name, _neg(ax, nd))
        return _call(eqn, args, params)
    return rule


def _reshape(eqn, args, bat, params, size):
    return ops.reshape(args[0], (size,) + eqn.out.val.shape)


def _transpose(eqn, args, bat, params, size):
    axes = _get(args, params, 1, "axes")
    nd = len(axes)
    return ops.transpose(args[0], (0,) + tuple(int(a) % nd + 1 for a in axes))


def _broadcast_to(eqn, args, bat, params, size):
    out = eqn.out.val.shape
    return ops.broadcast_to(_lift(args[0], len(out)), (size,) + out)


def _sum_to(eqn, args, bat, params, size):
    shape = _get(args, params, 1, "shape")
    nb = _get(args, params, 2, "nb", 0)
    return ops.sum_to(args[0], tuple(shape), nb=nb + 1)


def _as_index(idx):
    return idx if type(idx) is tuple else (idx,)


def _advanced_ok(idx) -> bool:
    """True when a leading full slice keeps the batch axis in front (NumPy moves the axes of
    advanced indices that are not next to each other to the front)."""
    arrays = [i for i, e in enumerate(idx) if isinstance(e, (np.ndarray, list, Tensor))]
    if not arrays:
        return True
    adv = [i for i, e in enumerate(idx)
           if isinstance(e, (np.ndarray, list, Tensor, int, np.integer)) and not isinstance(e, bool)]
    return adv == list(range(adv[0], adv[0] + len(adv)))


def _getitem(eqn, args, bat, params, size):
    if len(bat) > 1 and bat[1]:
        return None  # the index depends on the example: loop
    idx = _as_index(args[1])
    if not _advanced_ok(idx):
        return None
    return ops.getitem(args[0], (slice(None),) + idx)


def _index_add(eqn, args, bat, params, size):
    if any(bat[1:]):
        return None
    idx = _as_index(_get(args, params, 1, "idx"))
    if not _advanced_ok(idx):
        return None
    shape = _get(args, params, 2, "shape")
    nb = _get(args, params, 3, "nb", 0)
    return ops.index_add(args[0], idx, tuple(shape), nb=nb + 1)


def _setitem(eqn, args, bat, params, size):
    if len(bat) > 2 and bat[2]:
        return None
    x, v = args[0], args[1]
    idx = _as_index(_get(args, params, 2, "idx"))
    if not _advanced_ok(idx):
        return None
    xs = eqn.out.val.shape
    if not bat[0]:
        x = _batch(x, size)
    if bat[1]:
        region = np.empty(xs, dtype=bool)[idx].shape
        v = _lift(v, len(region))
    return ops.setitem(x, v, (slice(None),) + idx)


def _joined(eqn, args, bat, params, size):
    """concatenate and stack: every part batched, the (negative) axis unchanged."""
    parts = [a if b else _batch(a, size) for a, b in zip(args, bat)]
    ax = params["axis"]
    nd = len(eqn.out.val.shape)
    return _call(eqn, parts, {**params, "axis": _neg(ax, nd)})


def _mT(v):
    nd = len(_shape(v))
    return ops.transpose(v, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _matmul_values(a, ba, b, bb, out_shape, size):
    """``a @ b`` for each example, where ``ba``/``bb`` say which operand is batched in front."""
    ad = len(_shape(a)) - ba
    bd = len(_shape(b)) - bb
    if ad == 1:  # a row vector: (k,) -> (1, k)
        s = _shape(a)
        a = ops.reshape(a, s[:-1] + (1,) + s[-1:])
    if bd == 1:  # a column vector: (k,) -> (k, 1)
        s = _shape(b)
        b = ops.reshape(b, s + (1,))
    r = max(ad, bd, 2)
    if ba:
        a = _lift(a, r)
    if bb:
        b = _lift(b, r)
    out = ops.matmul(a, b)
    return ops.reshape(out, (size,) + tuple(out_shape))


def _matmul(eqn, args, bat, params, size):
    a, b = args
    ad, bd = len(_shape(a)) - bat[0], len(_shape(b)) - bat[1]
    if bat[0] and not bat[1] and bd >= 2 and (ad >= bd or (ad == 1 and bd == 2)):
        return ops.matmul(a, b)  # the batch axis is one more leading axis of a (rows of one matrix)
    if bat[1] and not bat[0] and ad == 2 and bd == 1:
        return ops.matmul(b, _mT(a))  # W @ x for every x: the rows of X @ W.T
    return _matmul_values(a, bat[0], b, bat[1], eqn.out.val.shape, size)


def _linear(eqn, args, bat, params, size):
    x, w = args[0], args[1]
    b = _get(args, params, 2, "b")
    bb = len(bat) > 2 and bat[2]
    if not (bat[1] or bb):
        return _call(eqn, args, params)  # x's leading axes are batch axes already
    out_shape = eqn.out.val.shape
    y = _matmul_values(x, bat[0], _mT(w), bat[1], out_shape, size)
    if b is None:
        return y
    return y + (_lift(b, len(out_shape)) if bb else b)


def _einsum(eqn, args, bat, params, size):
    spec = params["spec"]
    ins, out = spec.split("->")
    c = next(ch for ch in string.ascii_letters if ch not in spec)
    ins = [c + s if b else s for s, b in zip(ins.split(","), bat)]
    return ops.einsum(*args, spec=",".join(ins) + "->" + c + out)


def _cross_entropy(eqn, args, bat, params, size):
    z, y = args[0], args[1]
    reduction = _get(args, params, 2, "reduction", "mean")
    zs = _shape(z)[1:] if bat[0] else _shape(z)
    ys = _shape(y)[1:] if bat[1] else _shape(y)
    z = z if bat[0] else _batch(z, size)
    y = _raw(y) if bat[1] else np.broadcast_to(np.asarray(_raw(y)), (size,) + tuple(ys))
    if isinstance(y, Tracer):
        return None
    y = np.asarray(y)
    if len(zs) == 1:  # one example per call: its loss is the loss of the row
        return nn_ops.cross_entropy(z, y, reduction="none")
    n, c = zs
    losses = ops.reshape(nn_ops.cross_entropy(ops.reshape(z, (size * n, c)), y.reshape(size * n),
                                              reduction="none"), (size, n))
    if reduction == "none":
        return losses
    total = ops.sum_(losses, (-1,))
    return total / n if reduction == "mean" else total


def _windows(eqn, args, bat, params, size):
    """im2col and col2im: the batch becomes one more of their leading ``nb`` axes."""
    if any(bat[1:]):
        return None
    return eqn.fn(args[0], *args[1:], **{**params, "nb": params.get("nb", 0) + 1})


def _leading_axes_ok(eqn, args, bat, params, size):
    """Primitives that accept any leading axes on their only batched argument."""
    if any(bat[1:]):
        return None
    return _call(eqn, args, params)


_ELEMENTWISE = [
    ops.add, ops.sub, ops.mul, ops.div, ops.power, ops.neg, ops.exp, ops.log, ops.sqrt, ops.sin, ops.cos,
    ops.tan, ops.tanh, ops.sigmoid, ops.relu, ops.absolute, ops.maximum, ops.minimum, ops.where, ops.cast,
    ops.log1p, ops.expm1, ops.log2, ops.log10, ops.exp2, ops.rsqrt, ops.sinh, ops.cosh, ops.asin, ops.acos,
    ops.atan, ops.atan2, ops.hypot, ops.logaddexp, ops.erf, ops.floor, ops.ceil, ops.round_, ops.trunc,
    ops.sign, ops.floor_divide, ops.trunc_divide, ops.remainder, ops.fmod, nn_ops.binary_cross_entropy,
    stop_gradient, identity,
]

#: primitive -> rule(eqn, args, batched_flags, params, batch_size) -> batched value (or None: loop)
RULES: dict = {p: _elementwise for p in _ELEMENTWISE}
RULES[ops.clip] = _leading_axes_ok
for _p in (ops.sum_, ops.mean, ops.amax, ops.amin, ops.logsumexp):
    RULES[_p] = _axis_rule(1, "axes")
for _p in (ops.softmax, ops.log_softmax, ops.cumsum, ops.cumprod, ops.logcumsumexp, ops.prod):
    RULES[_p] = _axis_rule(1, "axis")
RULES.update({
    ops.reshape: _reshape, ops.transpose: _transpose, ops.broadcast_to: _broadcast_to, ops.sum_to: _sum_to,
    ops.getitem: _getitem, ops.index_add: _index_add, ops.setitem: _setitem, ops.concatenate: _joined,
    ops.stack: _joined, ops.matmul: _matmul, nn_ops.linear: _linear, ops.einsum: _einsum,
    nn_ops.cross_entropy: _cross_entropy, ops.im2col: _windows, ops.col2im: _windows,
    ops.max_pool: _leading_axes_ok,
})


def _numpy_rule(eqn, args, bat, params, size):
    """NumPy calls recorded by the trace (masks, comparisons): elementwise ufuncs and np.where."""
    if isinstance(eqn.fn, np.ufunc) or eqn.fn is np.where:
        return _elementwise(eqn, args, bat, params, size)
    if eqn.kind == "method" and eqn.fn == "astype":
        return _call(eqn, args, params)
    return None


def _loop_rule(eqn, args, bat, params, pbat, size):
    """The fallback: one call per example, the results stacked along a new leading axis."""
    outs = []
    for i in range(size):
        a = [ops.getitem(v, (i,)) if b else v for v, b in zip(args, bat)]
        p = {k: _take_nested(v, i) if pb else v for (k, v), pb in zip(params.items(), pbat)}
        outs.append(_call(eqn, a, p))
    if eqn.kind != "prim":
        return np.stack([np.asarray(_raw(o)) if not isinstance(o, Tracer) else o for o in outs])
    return ops.stack(*outs, axis=-(len(eqn.out.val.shape) + 1))


def _take_nested(x, i):
    if hasattr(x, "shape"):
        return ops.getitem(x, (i,))
    if type(x) in (tuple, list):
        return type(x)(_take_nested(e, i) for e in x)
    return x


def evaluate(trace, env: dict, size: int, stats: dict | None = None) -> dict:
    """Run the equations of ``trace`` on batched values; returns ``env`` filled in.

    ``env`` maps ``id(tracer)`` of the trace's inputs (and captured Tensors) to
    ``(value, batched)``, where a batched value has the batch (of ``size``) on axis 0.
    ``stats`` (if given) counts the equations that went through a rule and those that looped.
    """
    for eqn in trace.eqns:
        bat = [_is_batched(a, env) for a in eqn.args]
        pbat = [_is_batched(v, env) for v in eqn.params.values()]
        args = [_subst(a, env) for a in eqn.args]
        params = {k: _subst(v, env) for k, v in eqn.params.items()}
        if not (any(bat) or any(pbat)):
            env[id(eqn.out)] = (_call(eqn, args, params), False)
            continue
        out = None
        if not any(pbat):
            rule = RULES.get(eqn.fn) if eqn.kind == "prim" else _numpy_rule
            if rule is not None:
                try:
                    out = rule(eqn, args, bat, params, size)
                except (ValueError, TypeError, IndexError):
                    out = None
                if out is not None and (_shape(out) != (size,) + eqn.out.val.shape
                                        or _dtype(out) != eqn.out.val.dtype):
                    out = None  # a rule that does not fit this call: loop instead
        if stats is not None:
            stats["rule" if out is not None else "loop"] = stats.get("rule" if out is not None else "loop", 0) + 1
        if out is None:
            out = _loop_rule(eqn, args, bat, params, pbat, size)
        env[id(eqn.out)] = (out, True)
    return env
