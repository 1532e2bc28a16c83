"""Array functions on Tensors: ``rg.exp``, ``rg.sum``, ``rg.matmul``, ...

They take Tensors, NumPy arrays or numbers. With at least one Tensor they
return a Tensor and record the graph; with plain arrays they are plain NumPy
calls (this is what lets vjp rules serve first and higher-order derivatives).
Axes follow NumPy (``axis``, ``keepdims``); PyTorch's ``dim``/``keepdim`` are
accepted too.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import ops
from .errors import ShapeError
from .ops.primitive import raw
from .tensor import Tensor, _binary, _unary, _wrap


def _elementwise(prim, name, example):
    def fn(x):
        if isinstance(x, Tensor):
            # A Tensor subclass (a Tracer of rg.jit) goes through the primitive's dispatch.
            return _unary(prim, x) if type(x) is Tensor else prim(x)
        return prim.impl(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{prim.doc}\n\n    >>> import retrograd as rg\n    >>> {example}\n"
    return fn


exp = _elementwise(ops.exp, "exp", "rg.exp(rg.tensor(0.0))\n    tensor(1.)")
log = _elementwise(ops.log, "log", "rg.log(rg.tensor(1.0))\n    tensor(0.)")
sqrt = _elementwise(ops.sqrt, "sqrt", "rg.sqrt(rg.tensor(9.0))\n    tensor(3.)")
sin = _elementwise(ops.sin, "sin", "rg.sin(rg.tensor(0.0))\n    tensor(0.)")
cos = _elementwise(ops.cos, "cos", "rg.cos(rg.tensor(0.0))\n    tensor(1.)")
tan = _elementwise(ops.tan, "tan", "rg.tan(rg.tensor(0.0))\n    tensor(0.)")
tanh = _elementwise(ops.tanh, "tanh", "rg.tanh(rg.tensor(0.0))\n    tensor(0.)")
sigmoid = _elementwise(ops.sigmoid, "sigmoid", "rg.sigmoid(rg.tensor(0.0))\n    tensor(0.5)")
relu = _elementwise(ops.relu, "relu", "rg.relu(rg.tensor([-1.0, 2.0]))\n    tensor([0., 2.])")
abs = _elementwise(ops.absolute, "abs", "rg.abs(rg.tensor(-2.0))\n    tensor(2.)")
negative = _elementwise(ops.neg, "negative", "rg.negative(rg.tensor(2.0))\n    tensor(-2.)")


def _plain(a) -> bool:
    """Not a Tensor subclass (such as the Tracers of rg.jit, which record instead of computing)."""
    return type(a) is Tensor or not isinstance(a, Tensor)


def _binary_fn(prim, name, example):
    def fn(x, y):
        if isinstance(x, Tensor) or isinstance(y, Tensor):
            if _plain(x) and _plain(y):
                return _binary(prim, x, y)
            return prim(x, y)  # a Tracer of rg.jit: the primitive's dispatch records it
        return prim.impl(x, y)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{prim.doc}\n\n    >>> import retrograd as rg\n    >>> {example}\n"
    return fn


add = _binary_fn(ops.add, "add", "rg.add(rg.tensor(1.0), 2)\n    tensor(3.)")
sub = _binary_fn(ops.sub, "sub", "rg.sub(rg.tensor(1.0), 2)\n    tensor(-1.)")
mul = _binary_fn(ops.mul, "mul", "rg.mul(rg.tensor(3.0), 2)\n    tensor(6.)")
div = _binary_fn(ops.div, "div", "rg.div(rg.tensor(3.0), 2)\n    tensor(1.5)")
pow = _binary_fn(ops.power, "pow", "rg.pow(rg.tensor(3.0), 2)\n    tensor(9.)")
maximum = _binary_fn(ops.maximum, "maximum", "rg.maximum(rg.tensor([1.0, 5.0]), 3)\n    tensor([3., 5.])")
minimum = _binary_fn(ops.minimum, "minimum", "rg.minimum(rg.tensor([1.0, 5.0]), 3)\n    tensor([1., 3.])")
matmul = _binary_fn(ops.matmul, "matmul", "rg.matmul(rg.tensor([[1.0, 2.0]]), rg.tensor([3.0, 4.0]))\n    tensor([11.])")
subtract, multiply, divide, power = sub, mul, div, pow


def where(cond, x, y):
    """``x`` where ``cond`` is true, else ``y`` (``cond`` is not differentiated).

    >>> import retrograd as rg
    >>> rg.where(rg.tensor([True, False]), rg.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    c = raw(cond)
    if isinstance(c, Tensor):  # traced by rg.jit: the condition is recorded, not read
        return ops.where(c if c.dtype == bool else c != 0, x, y)
    return ops.where(np.asarray(c, dtype=bool), x, y)


def clip(x, min=None, max=None):
    """Limit values to ``[min, max]``; the gradient passes only inside the interval.

    >>> import retrograd as rg
    >>> rg.clip(rg.tensor([-2.0, 0.5, 2.0]), -1, 1)
    tensor([-1. ,  0.5,  1. ])
    """
    return ops.clip(x, lo=min, hi=max)


# ----- reductions --------------------------------------------------------------------
def _ndim(x) -> int:
    return np.ndim(raw(x))


def _axes(x, axis, op) -> tuple:
    """Normalise ``axis`` (None, int or tuple) to a tuple of negative axes."""
    nd = _ndim(x)
    if axis is None:
        return tuple(range(-nd, 0))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -nd <= a < builtins.max(nd, 1) or (nd == 0 and a not in (0, -1)):
            raise ShapeError(f"{op}: axis {a} is out of range for a tensor with {nd} dimension(s)")
        out.append(int(a) - nd if a >= 0 else int(a))
    if nd == 0:
        return ()
    return tuple(out)


def _pick(axis, keepdims, dim, keepdim):
    return (axis if dim is None else dim), bool(keepdims if keepdim is None else keepdim)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Sum over ``axis`` (all axes by default).

    >>> import retrograd as rg
    >>> rg.sum(rg.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([4., 6.])
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.sum_(x, _axes(x, axis, "sum"), keepdims=keepdims)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis`` (all axes by default).

    >>> import retrograd as rg
    >>> rg.mean(rg.tensor([1.0, 2.0, 6.0]))
    tensor(3.)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.mean(x, _axes(x, axis, "mean"), keepdims=keepdims)


def max(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Largest value over ``axis``; tied maxima share the gradient equally.

    Returns the values only (NumPy's ``max``), not PyTorch's (values, indices).

    >>> import retrograd as rg
    >>> rg.max(rg.tensor([1.0, 5.0, 2.0]))
    tensor(5.)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.amax(x, _axes(x, axis, "max"), keepdims=keepdims)


def min(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Smallest value over ``axis``; tied minima share the gradient equally.

    >>> import retrograd as rg
    >>> rg.min(rg.tensor([1.0, 5.0, 2.0]))
    tensor(1.)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.amin(x, _axes(x, axis, "min"), keepdims=keepdims)


def var(x, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None, correction=None):
    """Variance over ``axis``, dividing by ``n - ddof`` (NumPy's default ``ddof=0``).

    PyTorch's ``correction=`` is accepted as a synonym of ``ddof``.

    >>> import retrograd as rg
    >>> rg.var(rg.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor(1.25)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    if correction is not None:
        ddof = correction
    axes = _axes(x, axis, "var")
    n = 1
    for a in axes:
        n *= np.shape(raw(x))[a]
    d = x - ops.mean(x, axes, keepdims=True)
    return ops.sum_(d * d, axes, keepdims=keepdims) / (n - ddof)


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, without overflow.

    >>> import retrograd as rg
    >>> float(rg.logsumexp(rg.tensor([1000.0, 1000.0])))
    1000.6931471805599
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.logsumexp(x, _axes(x, axis, "logsumexp"), keepdims=keepdims)


def _one_axis(x, axis, op) -> int:
    if _ndim(x) == 0:
        raise ShapeError(f"{op}: needs at least one dimension, got a 0-d tensor")
    return _axes(x, axis, op)[0]


def softmax(x, axis=-1, *, dim=None):
    """exp(x) / sum(exp(x)) along ``axis`` (the last by default), without overflow.

    >>> import retrograd as rg
    >>> rg.softmax(rg.tensor([0.0, 0.0]))
    tensor([0.5, 0.5])
    """
    return ops.softmax(x, _one_axis(x, axis if dim is None else dim, "softmax"))


def log_softmax(x, axis=-1, *, dim=None):
    """x - logsumexp(x) along ``axis`` (the last by default).

    >>> import retrograd as rg
    >>> rg.log_softmax(rg.tensor([0.0, 0.0]))
    tensor([-0.69314718, -0.69314718])
    """
    return ops.log_softmax(x, _one_axis(x, axis if dim is None else dim, "log_softmax"))


def _int_result(x, values):
    if isinstance(values, Tensor):  # traced by rg.jit
        return values
    return _wrap(np.asarray(values), None) if isinstance(x, Tensor) else values


def argmax(x, axis=None, *, dim=None):
    """Index of the largest value (not differentiable).

    >>> import retrograd as rg
    >>> rg.argmax(rg.tensor([1.0, 5.0, 2.0]))
    tensor(1)
    """
    return _int_result(x, np.argmax(raw(x), axis=axis if dim is None else dim))


def argmin(x, axis=None, *, dim=None):
    """Index of the smallest value (not differentiable).

    >>> import retrograd as rg
    >>> rg.argmin(rg.tensor([1.0, 5.0, 2.0]))
    tensor(0)
    """
    return _int_result(x, np.argmin(raw(x), axis=axis if dim is None else dim))


# ----- shapes ------------------------------------------------------------------------
def reshape(x, shape):
    """Same values in a new shape (one entry may be -1).

    >>> import retrograd as rg
    >>> rg.reshape(rg.tensor([1.0, 2.0, 3.0, 4.0]), (2, 2)).shape
    (2, 2)
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    return ops.reshape(x, shape)


def transpose(x, axes=None):
    """Permute axes (reverse them by default, as NumPy).

    With two axes on a tensor of more than two dimensions, swaps those two
    (PyTorch's ``transpose(dim0, dim1)``).

    >>> import retrograd as rg
    >>> rg.transpose(rg.tensor([[1.0, 2.0]])).shape
    (2, 1)
    """
    nd = _ndim(x)
    if axes is None:
        axes = tuple(range(nd))[::-1]
    axes = tuple(int(a) % nd if nd else 0 for a in axes)
    if len(axes) == 2 and nd != 2:
        return swapaxes(x, *axes)
    if sorted(axes) != list(range(nd)):
        raise ShapeError(f"transpose: axes {axes} are not a permutation of the {nd} axes of shape {np.shape(raw(x))}")
    return ops.transpose(x, axes)


def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    >>> import retrograd as rg
    >>> rg.swapaxes(rg.tensor([[[1.0, 2.0]]]), 0, 2).shape
    (2, 1, 1)
    """
    nd = _ndim(x)
    perm = list(range(nd))
    a, b = int(axis1) % nd, int(axis2) % nd
    perm[a], perm[b] = perm[b], perm[a]
    return ops.transpose(x, tuple(perm))


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or the one given).

    >>> import retrograd as rg
    >>> rg.squeeze(rg.tensor([[1.0], [2.0]])).shape
    (2,)
    """
    shape = np.shape(raw(x))
    if axis is None:
        new = tuple(n for n in shape if n != 1)
    else:
        axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        for a in axes:
            if shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} has size {shape[a]}, not 1 (shape {shape})")
        new = tuple(n for i, n in enumerate(shape) if i not in axes)
    return ops.reshape(x, new)


def unsqueeze(x, axis):
    """Insert a size-1 axis at ``axis`` (NumPy's ``expand_dims``).

    >>> import retrograd as rg
    >>> rg.unsqueeze(rg.tensor([1.0, 2.0]), 0).shape
    (1, 2)
    """
    shape = list(np.shape(raw(x)))
    nd = len(shape) + 1
    if not -nd <= axis < nd:
        raise ShapeError(f"unsqueeze: axis {axis} is out of range for a result with {nd} dimensions")
    shape.insert(axis % nd, 1)
    return ops.reshape(x, tuple(shape))


expand_dims = unsqueeze


def broadcast_to(x, shape):
    """Repeat ``x`` along size-1 and new leading axes to ``shape`` (NumPy rules).

    >>> import retrograd as rg
    >>> rg.broadcast_to(rg.tensor([1.0, 2.0]), (3, 2)).shape
    (3, 2)
    """
    return ops.broadcast_to(x, tuple(int(s) for s in shape))


def _index(idx):
    """Plain-array form of an index: Tensors and lists become arrays."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            i = i.data
        elif isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise TypeError(f"getitem: index arrays must hold integers or booleans, got dtype {i.dtype}")
        out.append(i)
    return tuple(out)


def getitem(x, idx):
    """``x[idx]`` with basic and integer-array indexing; repeated indices accumulate gradients.

    >>> import retrograd as rg
    >>> rg.getitem(rg.tensor([1.0, 2.0, 3.0]), [0, 0, 2])
    tensor([1., 1., 3.])
    """
    return ops.getitem(x, _index(idx))


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis.

    >>> import retrograd as rg
    >>> rg.concatenate([rg.tensor([1.0]), rg.tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    """
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    nd = _ndim(tensors[0])
    if nd == 0:
        raise ShapeError("concatenate: 0-d tensors cannot be concatenated; use stack")
    ax = _axes(tensors[0], axis, "concatenate")[0]
    return ops.concatenate(*tensors, axis=ax)


cat = concatenate


def stack(tensors, axis=0):
    """Join tensors of the same shape along a new axis.

    >>> import retrograd as rg
    >>> rg.stack([rg.tensor(1.0), rg.tensor(2.0)])
    tensor([1., 2.])
    """
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    nd = _ndim(tensors[0]) + 1
    if not -nd <= axis < nd:
        raise ShapeError(f"stack: axis {axis} is out of range for a result with {nd} dimensions")
    return ops.stack(*tensors, axis=axis - nd if axis >= 0 else axis)
