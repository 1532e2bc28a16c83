"""In-place operations: ``t += x``, ``t.add_(x)``, ``t[idx] = v``, ``t.zero_()``, ...

The rules are PyTorch's:

* Nothing recorded (inside ``rg.no_grad()``, or no tensor involved requires grad):
  the write goes straight into ``t.data``, the tensor keeps its identity and every
  view of its memory sees the change. This is how parameters are updated.
* A leaf that requires grad, with grad mode on: refused, because its gradient would
  belong to a value that no longer exists (PyTorch's "a leaf Variable that requires
  grad is being used in an in-place operation").
* Anything else (a non-leaf, or a write of a value that requires grad): recorded. The
  new value gets a node whose input is the old value (kept as a copy), so gradients
  reach both the tensor's history and the value written.

Every write advances the tensor's version counter; backward refuses a node whose saved
values were written after it saved them, instead of computing a wrong gradient.

>>> import retrograd as rg
>>> w = rg.tensor([1.0, 2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> with rg.no_grad():
...     w -= 0.5 * w.grad
>>> w
tensor([0., 0.], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from . import autograd, ops
from .autograd import bump_version, is_grad_enabled, version_counter
from .core import Tensor, result_type, wrap as _wrap
from .ops.primitive import raw

LEAF_MESSAGE = (
    "a leaf Variable that requires grad is being used in an in-place operation ({op}). "
    "To update parameters, do it inside `with rg.no_grad():` (e.g. `p -= lr * p.grad`), "
    "or work on a copy: `p.detach().clone()`"
)

_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def _records(t, *others) -> bool:
    if not is_grad_enabled():
        return False
    return t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)


def _check_writable(t, op) -> None:
    if not t.data.flags.writeable:
        raise RuntimeError(
            f"{op}: this tensor's memory is read-only (a broadcast view or a read-only array); "
            "clone() it first")


def _cast_error(op, t, exc):
    return RuntimeError(f"{op}: result type can't be cast to the tensor's dtype {t.data.dtype} "
                        f"in place ({exc}); convert the tensor first, e.g. t = t.double()")


def _shape_error(op, t, other_shape):
    return RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the broadcast "
                        f"shape {tuple(other_shape)}; an in-place result must keep the tensor's shape")


def _broadcast_error(op, t, other_shape):
    try:
        shape = np.broadcast_shapes(tuple(other_shape), t.data.shape)
    except ValueError:
        return RuntimeError(f"{op}: shapes {tuple(other_shape)} and {tuple(t.shape)} cannot be broadcast together")
    return _shape_error(op, t, shape)


def _write(t, new, op, casting="same_kind") -> None:
    """Copy the array ``new`` (broadcast to ``t``'s shape) into ``t.data`` and count the write."""
    _check_writable(t, op)
    if np.shape(new) != t.data.shape:
        try:
            ok = np.broadcast_shapes(np.shape(new), t.data.shape) == t.data.shape
        except ValueError:
            ok = False
        if not ok:
            raise _broadcast_error(op, t, np.shape(new))
    try:
        np.copyto(t.data, new, casting=casting)
    except TypeError as exc:
        raise _cast_error(op, t, exc) from None
    bump_version(t)


def _refuse_stale_views(t, region, op) -> None:
    """A recorded write must not leave another live tensor sharing the memory with a stale graph."""
    vc = getattr(t, "_vc", None)
    if vc is None or not vc.views:
        return
    for ref in list(vc.views.values()):
        other = ref()
        if other is None or other is t:
            continue
        if np.may_share_memory(other.data, region):
            raise RuntimeError(
                f"{op}: this tensor shares memory with another tensor (a view such as t[0], "
                f"t.reshape(...) or t.detach(), shape {other.shape}) that is still in use; a "
                "recorded in-place write would leave that tensor's gradient history stale. Take "
                "views after the write, or write into a clone() of the tensor")


def _record(t, op, compute, idx=None):
    """Recorded in-place write: ``t`` becomes ``compute(old value of t)``, with the graph to match."""
    if t.is_leaf and t.requires_grad:
        raise RuntimeError(LEAF_MESSAGE.format(op=op))
    _check_writable(t, op)
    _refuse_stale_views(t, t.data if idx is None else t.data[idx], op)
    version_counter(t)                      # made now, so that it is attached to the old node
    old_node = t._node
    old = _wrap(t.data.copy(), old_node)   # the value before the write, with the history it had
    old.requires_grad = t.requires_grad
    if old_node is not None:
        old_node.out = old.data             # the old node's output is that copy from now on
        if old_node.extra is not None:
            old_node.extra.out_vc = None
    new = compute(old)
    if not isinstance(new, Tensor):
        new = _wrap(np.asarray(new), None)
    if new.data.shape != t.data.shape:
        raise _shape_error(op, t, new.data.shape)
    try:
        np.copyto(t.data, new.data, casting="same_kind")
    except TypeError as exc:
        raise _cast_error(op, t, exc) from None
    bump_version(t)
    history = getattr(t, "_history", None)
    if history is None:
        history = t._history = []
    history.append((autograd.current_epoch(), old))  # earlier consumers keep this history
    if new._node is not None:
        new._node.epoch = autograd.current_epoch()
        if old_node is not None and old_node.extra is not None and old_node.extra.retain is not None:
            autograd.node_extra(new._node).retain = old_node.extra.retain
            old_node.extra.retain = None
    t._node = new._node  # its output is new.data, a separate array: no counter to attach
    t.requires_grad = new.requires_grad
    return t


def binary_(t, other, name, alpha=None):
    """``t op= other`` for op in add, sub, mul, div (``alpha`` scales ``other``, as PyTorch)."""
    op = f"{name}_"
    if alpha is not None and alpha != 1:
        other = other * alpha
    if _records(t, other):
        prim = getattr(ops, {"add": "add", "sub": "sub", "mul": "mul", "div": "div"}[name])
        return _record(t, op, lambda old: prim(old, other))
    _check_writable(t, op)
    o = raw(other)
    if isinstance(o, (list, tuple)):
        o = np.asarray(o)
    if not isinstance(o, (int, float)) and o.dtype != t.data.dtype:
        rt = result_type(t.data, o)  # PyTorch computes in the promoted dtype, then writes into t's
        if not np.can_cast(rt, t.data.dtype, "same_kind"):
            raise _cast_error(op, t, f"result type {rt} can't be cast to the desired output type {t.data.dtype}")
        o = o.astype(rt, copy=False)
    try:
        _UFUNCS[name](t.data, o, out=t.data, casting="same_kind")
    except TypeError as exc:
        raise _cast_error(op, t, exc) from None
    except ValueError:
        raise _broadcast_error(op, t, np.shape(o)) from None
    bump_version(t)
    return t


def unary_(t, name, fn, recorded):
    """``t = fn(t)`` in place: ``fn`` on arrays, ``recorded`` on Tensors when recording."""
    if _records(t):
        return _record(t, f"{name}_", recorded)
    _write(t, fn(t.data), f"{name}_")
    return t


def fill_(t, value):
    """Every element becomes ``value`` (a number or a 0-d tensor)."""
    if _records(t, value):
        return _record(t, "fill_", lambda old: old * 0 + value)
    _write(t, raw(value), "fill_", casting="unsafe")
    return t


def copy_(t, src):
    """``t``'s elements become those of ``src`` (broadcast to ``t``'s shape)."""
    if _records(t, src):
        shape = t.data.shape
        return _record(t, "copy_", lambda old: old * 0 + ops.broadcast_to(src, shape)
                       if isinstance(src, Tensor) else old * 0 + np.broadcast_to(raw(src), shape))
    _write(t, raw(src), "copy_", casting="unsafe")
    return t


def setitem(t, idx, value):
    """``t[idx] = value``: in place, and recorded when it must be (gradients reach ``t`` and ``value``)."""
    from .functions import _index

    index = _index(idx)
    if _records(t, value):
        return _record(t, "setitem", lambda old: ops.setitem(old, value, index), idx=index)
    v = raw(value)
    _check_writable(t, "setitem")
    try:
        t.data[index] = v
    except TypeError as exc:
        raise _cast_error("setitem", t, exc) from None
    except (ValueError, IndexError) as exc:
        raise type(exc)(f"setitem: {exc}") from None
    bump_version(t)
    return t
