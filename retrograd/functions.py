"""Array functions on Tensors: ``rg.exp``, ``rg.sum``, ``rg.matmul``, ...

They take Tensors, NumPy arrays or numbers. With at least one Tensor they
return a Tensor and record the graph; with plain arrays they are plain NumPy
calls (this is what lets vjp rules serve first and higher-order derivatives).
Axes follow NumPy (``axis``, ``keepdims``); PyTorch's ``dim``/``keepdim`` are
accepted too.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import ops
from .conversion import to_dtype
from .core import Tensor, apply_binary as _binary, apply_unary as _unary, promote, wrap as _wrap
from .errors import AxisError, ShapeError
from .hints import ArrayLike, Axis, DTypeLike, Shape
from .ops.primitive import Primitive, raw, values_of


def _elementwise(prim: Primitive, name: str, example: str) -> Callable[[ArrayLike], Tensor]:
    def fn(x: ArrayLike) -> Tensor:
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
neg = negative  # PyTorch's name


def _plain(a) -> bool:
    """Not a Tensor subclass (such as the Tracers of rg.jit, which record instead of computing)."""
    return type(a) is Tensor or not isinstance(a, Tensor)


def _binary_fn(prim: Primitive, name: str, example: str) -> Callable[[ArrayLike, ArrayLike], Tensor]:
    # PyTorch's argument names: torch.matmul(input=a, other=b) works
    def fn(input: ArrayLike, other: ArrayLike) -> Tensor:
        x, y = input, other
        if isinstance(x, Tensor) or isinstance(y, Tensor):
            if _plain(x) and _plain(y):
                return _binary(prim, x, y)
            return prim(*promote(x, y))  # a Tracer of rg.jit: the primitive's dispatch records it
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
matmul = _binary_fn(ops.matmul, "matmul",
                    "rg.matmul(rg.tensor([[1.0, 2.0]]), rg.tensor([3.0, 4.0]))\n    tensor([11.])")
subtract, multiply, divide, power = sub, mul, div, pow


def where(cond: ArrayLike, x: ArrayLike, y: ArrayLike) -> Tensor:
    """``x`` where ``cond`` is true, else ``y`` (``cond`` is not differentiated).

    >>> import retrograd as rg
    >>> rg.where(rg.tensor([True, False]), rg.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    c = raw(cond)
    x, y = promote(x, y)  # PyTorch's result type of x and y
    if isinstance(c, Tensor):  # traced by rg.jit: the condition is recorded, not read
        return ops.where(c if c.dtype == bool else c != 0, x, y)
    return ops.where(np.asarray(c, dtype=bool), x, y)


def clip(x: ArrayLike, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient passes only inside the interval.

    The bounds may be numbers, arrays or Tensors (which then get the gradient where they bind).

    >>> import retrograd as rg
    >>> rg.clip(rg.tensor([-2.0, 0.5, 2.0]), -1, 1)
    tensor([-1. ,  0.5,  1. ])
    """
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # Tensor bounds (PyTorch's clamp with tensors): the gradient goes to the bound wherever
        # it is the result, to x where lo <= x <= hi.
        out = x
        if min is not None:
            out = where(raw(out) < raw(min), min, out)
        if max is not None:
            out = where(raw(out) > raw(max), max, out)
        return out  # type: ignore[return-value]  # plain arrays in, plain arrays out
    return ops.clip(x, lo=min, hi=max)


clamp = clip  # PyTorch's name


# ----- reductions --------------------------------------------------------------------
def _ndim(x) -> int:
    return np.ndim(raw(x))


def _axis(a, nd: int, op: str) -> int:
    """One axis checked against ``nd`` dimensions, as a negative int.

    The one place every function that takes an axis normalises it. Out of range raises
    ``AxisError`` (an IndexError, as PyTorch's); a 0-d tensor accepts 0 and -1, as PyTorch.
    """
    n = builtins.max(nd, 1)
    if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
        raise TypeError(f"{op}: an axis must be an integer, got {a!r}")
    if not -n <= a < n:
        raise AxisError(f"{op}: axis {a} is out of range for a tensor with {nd} dimension(s); "
                        f"use an axis from {-n} to {n - 1}")
    return int(a) - n if a >= 0 else int(a)


def _axes(x, axis, op) -> tuple:
    """Normalise ``axis`` (None, int or tuple) to a tuple of distinct negative axes (() for 0-d)."""
    nd = _ndim(x)
    if axis is None:
        return tuple(range(-nd, 0))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = tuple(_axis(a, nd, op) for a in axes)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: axis {axis} names the same axis twice")
    return out if nd else ()


def _pick(axis, keepdims, dim, keepdim):
    return (axis if dim is None else dim), bool(keepdims if keepdim is None else keepdim)


def sum(x: ArrayLike, axis: Axis = None, keepdims: bool | None = False, *, dim: Axis = None,
        keepdim: bool | None = None, dtype: DTypeLike = None) -> Tensor:
    """Sum over ``axis`` (all axes by default); ``dtype=`` converts first (as PyTorch).

    >>> import retrograd as rg
    >>> rg.sum(rg.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([4., 6.])
    >>> rg.sum(rg.tensor([1, 2]), dtype=rg.float32)
    tensor(3., dtype=float32)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    if dtype is not None:
        x = to_dtype(x, dtype)
    return ops.sum_(x, _axes(x, axis, "sum"), keepdims=keepdims)


def mean(x: ArrayLike, axis: Axis = None, keepdims: bool | None = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """Mean over ``axis`` (all axes by default).

    >>> import retrograd as rg
    >>> rg.mean(rg.tensor([1.0, 2.0, 6.0]))
    tensor(3.)
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.mean(x, _axes(x, axis, "mean"), keepdims=keepdims)


class values_indices(NamedTuple):
    """What ``t.max(dim)``, ``t.min(dim)`` return: PyTorch's ``(values, indices)`` named tuple."""

    values: Any
    indices: Any


def _extreme(x, dim, keepdim, axis, keepdims, prim, arg, name):
    """Shared by max and min: the PyTorch and NumPy call forms, told apart by how they are called."""
    if isinstance(dim, Tensor):  # torch.max(a, b): the elementwise maximum
        if axis is not None:
            raise TypeError(f"{name}(a, b) compares two tensors elementwise; it takes no axis")
        return _binary(ops.maximum if name == "max" else ops.minimum, x, dim)
    if dim is not None and axis is not None:
        raise TypeError(f"{name}: give dim (PyTorch, returns values and indices) or axis (NumPy, "
                        "returns values), not both")
    if dim is None or not isinstance(dim, (int, np.integer)):
        axes = axis if dim is None else dim
        keep = bool(keepdims if keepdims is not None else keepdim)
        return prim(x, _axes(x, axes, name), keepdims=keep)
    keep = bool(keepdim if keepdims is None else keepdims)
    return _values_indices(x, int(dim), keep, arg, name)


def _values_indices(x, dim, keepdim, arg, name):
    """PyTorch's ``max(dim)``: the gradient goes to the selected element only (not split at ties)."""
    data = values_of(x)
    nd = data.ndim
    ax = _axes(x, dim, name)
    if nd == 0:
        idx = np.zeros((), dtype=np.int64)
        values = x if isinstance(x, Tensor) else data
        return values_indices(values, _int_result(x, idx))
    ax = ax[0] + nd
    if data.shape[ax] == 0:
        raise IndexError(f"{name}(): expected reduction dim {dim} to have non-zero size, "
                         f"got shape {data.shape}")
    idx = arg(data, axis=ax)
    grids = list(np.indices(idx.shape, sparse=True))
    values = getitem(x, tuple(grids[:ax]) + (idx,) + tuple(grids[ax:]))
    if keepdim:
        values = unsqueeze(values, ax)
        idx = np.expand_dims(idx, ax)
    return values_indices(values, _int_result(x, idx.astype(np.int64)))


def max(x: ArrayLike, dim: Axis | ArrayLike = None, keepdim: bool | None = False, *, axis: Axis = None,
        keepdims: bool | None = None) -> Any:
    """Largest value: of all elements, ``(values, indices)`` along ``dim``, or elementwise.

    Called the PyTorch way, ``rg.max(t, 1)`` / ``t.max(dim=1)`` returns the named tuple
    ``(values, indices)``, and the gradient goes to the selected elements. Called the NumPy
    way, ``rg.max(t, axis=1)`` returns the values, and tied maxima share the gradient
    equally (as ``amax``). ``rg.max(a, b)`` with two tensors is ``rg.maximum(a, b)``.

    >>> import retrograd as rg
    >>> t = rg.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> rg.max(t), rg.max(t, axis=0)
    (tensor(7.), tensor([7., 5.]))
    >>> values, indices = rg.max(t, dim=1); indices
    tensor([1, 0])
    """
    return _extreme(x, dim, keepdim, axis, keepdims, ops.amax, np.argmax, "max")


def min(x: ArrayLike, dim: Axis | ArrayLike = None, keepdim: bool | None = False, *, axis: Axis = None,
        keepdims: bool | None = None) -> Any:
    """Smallest value: of all elements, ``(values, indices)`` along ``dim``, or elementwise.

    The same call forms as :func:`max`.

    >>> import retrograd as rg
    >>> rg.min(rg.tensor([1.0, 5.0, 2.0]))
    tensor(1.)
    >>> rg.min(rg.tensor([[1.0, 5.0], [7.0, 2.0]]), 1).values
    tensor([1., 2.])
    """
    return _extreme(x, dim, keepdim, axis, keepdims, ops.amin, np.argmin, "min")


def amax(x: ArrayLike, axis: Axis = None, keepdims: bool | None = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """Largest values over ``axis`` (values only; ties share the gradient), as ``torch.amax``.

    >>> import retrograd as rg
    >>> rg.amax(rg.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([5., 7.])
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.amax(x, _axes(x, axis, "amax"), keepdims=keepdims)


def amin(x: ArrayLike, axis: Axis = None, keepdims: bool | None = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """Smallest values over ``axis`` (values only; ties share the gradient), as ``torch.amin``.

    >>> import retrograd as rg
    >>> rg.amin(rg.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([1., 2.])
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.amin(x, _axes(x, axis, "amin"), keepdims=keepdims)


def var(x: ArrayLike, dim: Axis = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, ddof: int | None = None, axis: Axis = None,
        keepdims: bool | None = None) -> Tensor:
    """Variance over ``dim`` (all axes by default), dividing by ``n - correction``.

    PyTorch's semantics: ``correction=1`` by default (the unbiased estimate); ``unbiased=False``
    or ``correction=0`` divide by ``n``. NumPy's ``ddof=`` is accepted as another name of
    ``correction`` (but NumPy's default ``ddof=0`` is not: the default is PyTorch's), and so are
    ``axis=``/``keepdims=``. The second positional argument is PyTorch's ``unbiased`` (a bool).

    >>> import retrograd as rg
    >>> x = rg.tensor([1.0, 2.0, 3.0, 4.0])
    >>> rg.var(x), rg.var(x, correction=0), x.var(unbiased=False), rg.var(x, ddof=0)
    (tensor(1.66666667), tensor(1.25), tensor(1.25), tensor(1.25))
    """
    axis, keepdims, ddof = _var_args(dim, unbiased, keepdim, correction, ddof, axis, keepdims, "var")
    axes = _axes(x, axis, "var")
    n = 1
    for a in axes:
        n *= np.shape(raw(x))[a]
    d = x - ops.mean(x, axes, keepdims=True) if n else x
    with np.errstate(divide="ignore", invalid="ignore"):  # n <= ddof gives inf (or nan), as PyTorch
        return ops.sum_(d * d, axes, keepdims=keepdims) / builtins.max(n - ddof, 0)


def _var_args(dim, unbiased, keepdim, correction, ddof, axis, keepdims, op):
    """(axis, keepdims, correction) from PyTorch's and NumPy's spellings of var/std's arguments."""
    if isinstance(dim, bool):  # PyTorch's var(input, unbiased) overload: x.var(False)
        dim, unbiased = None, dim
    if unbiased is not None and not isinstance(unbiased, (bool, np.bool_)):
        raise TypeError(f"{op}: unbiased must be a bool (it is PyTorch's second positional argument), "
                        f"got {unbiased!r}; pass the divisor's correction as correction= (or ddof=)")
    given = [name for name, v in (("unbiased", unbiased), ("correction", correction), ("ddof", ddof))
             if v is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: pass only one of {', '.join(given)} (they all set the divisor n - correction)")
    if unbiased is not None:
        corr = 1 if unbiased else 0
    else:
        corr = correction if correction is not None else ddof if ddof is not None else 1
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: pass dim= or axis=, not both")
    if keepdims is not None and keepdim:
        raise TypeError(f"{op}: pass keepdim= or keepdims=, not both")
    return (axis if dim is None else dim), bool(keepdim if keepdims is None else keepdims), corr


def logsumexp(x: ArrayLike, axis: Axis = None, keepdims: bool | None = False, *, dim: Axis = None,
              keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``axis``, without overflow.

    >>> import retrograd as rg
    >>> float(rg.logsumexp(rg.tensor([1000.0, 1000.0])))
    1000.6931471805599
    """
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    return ops.logsumexp(x, _axes(x, axis, "logsumexp"), keepdims=keepdims)


def _one_axis(x, axis, op) -> int:
    return _axis(axis, _ndim(x), op)


def _along(prim, x, axis, op):
    """``prim`` along one axis; a 0-d tensor is treated as a vector of one element (as PyTorch)."""
    ax = _one_axis(x, axis, op)
    if _ndim(x) == 0:
        return ops.reshape(prim(ops.reshape(x, (1,)), -1), ())
    return prim(x, ax)


def softmax(x: ArrayLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis`` (the last by default), without overflow.

    >>> import retrograd as rg
    >>> rg.softmax(rg.tensor([0.0, 0.0]))
    tensor([0.5, 0.5])
    """
    return _along(ops.softmax, x, axis if dim is None else dim, "softmax")


def log_softmax(x: ArrayLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``axis`` (the last by default).

    >>> import retrograd as rg
    >>> rg.log_softmax(rg.tensor([0.0, 0.0]))
    tensor([-0.69314718, -0.69314718])
    """
    return _along(ops.log_softmax, x, axis if dim is None else dim, "log_softmax")


def _int_result(x, values):
    if isinstance(values, Tensor):  # traced by rg.jit
        return values
    return _wrap(np.asarray(values), None) if isinstance(x, Tensor) else values


def _arg_extreme(fn, x, axis, keepdims, dim, keepdim, op):
    axis, keepdims = _pick(axis, keepdims, dim, keepdim)
    a = values_of(x)
    if axis is not None:
        axis = _axes(x, axis, op)
        axis = axis[0] + a.ndim if axis else None
    out = fn(a, axis=axis, keepdims=keepdims) if a.ndim else np.zeros((), np.int64)
    return _int_result(x, out.astype(np.int64) if isinstance(out, Tensor) else np.asarray(out, dtype=np.int64))


def argmax(x: ArrayLike, axis: int | None = None, keepdims: bool | None = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the largest value, overall or along ``dim`` (``keepdim`` as PyTorch; not differentiable).

    >>> import retrograd as rg
    >>> rg.argmax(rg.tensor([1.0, 5.0, 2.0])), rg.argmax(rg.tensor([[1.0, 5.0]]), dim=1, keepdim=True)
    (tensor(1), tensor([[1]]))
    """
    return _arg_extreme(np.argmax, x, axis, keepdims, dim, keepdim, "argmax")


def argmin(x: ArrayLike, axis: int | None = None, keepdims: bool | None = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the smallest value, overall or along ``dim`` (not differentiable).

    >>> import retrograd as rg
    >>> rg.argmin(rg.tensor([1.0, 5.0, 2.0]))
    tensor(0)
    """
    return _arg_extreme(np.argmin, x, axis, keepdims, dim, keepdim, "argmin")


# ----- shapes ------------------------------------------------------------------------
def reshape(x: ArrayLike, shape: int | Shape) -> Tensor:
    """Same values in a new shape (one entry may be -1).

    >>> import retrograd as rg
    >>> rg.reshape(rg.tensor([1.0, 2.0, 3.0, 4.0]), (2, 2)).shape
    (2, 2)
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    return ops.reshape(x, shape)


def transpose(x: ArrayLike, *dims: int | Sequence[int], axes: Sequence[int] | None = None) -> Tensor:
    """Swap two axes (PyTorch's ``transpose(x, dim0, dim1)``), or permute them (NumPy's).

    ``rg.transpose(x, 0, 1)`` swaps axes 0 and 1 whatever the number of dimensions;
    ``rg.transpose(x, (2, 0, 1))`` and ``rg.transpose(x, axes=(2, 0, 1))`` permute (naming
    every axis); ``rg.transpose(x)`` reverses the axes.

    >>> import retrograd as rg
    >>> rg.transpose(rg.tensor([[1.0, 2.0]])).shape
    (2, 1)
    >>> rg.transpose(rg.zeros(2, 3, 4), 0, 2).shape
    (4, 3, 2)
    """
    if axes is not None:
        if dims:
            raise TypeError("transpose: give the axes either positionally or as axes=, not both")
        return permute(x, axes)
    if len(dims) == 2 and all(isinstance(a, (int, np.integer)) for a in dims):
        return swapaxes(x, *dims)  # type: ignore[arg-type]  # two ints, checked on the line above
    if len(dims) > 1:
        return permute(x, dims)  # type: ignore[arg-type]  # ints (permute checks them)
    perm = dims[0] if dims else None
    if perm is None:
        nd = _ndim(x)
        return ops.transpose(x, tuple(range(nd))[::-1])
    return permute(x, perm)


def permute(x: ArrayLike, axes: int | Sequence[int]) -> Tensor:
    """Reorder the axes: ``axes`` names every axis once (PyTorch's ``permute``).

    >>> import retrograd as rg
    >>> rg.permute(rg.zeros(2, 3, 4), (2, 0, 1)).shape
    (4, 2, 3)
    """
    nd = _ndim(x)
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    if len(axes) != nd:
        raise ShapeError(f"permute: the tensor has {nd} dimension(s) but {len(axes)} axes were given "
                         f"({axes}); name every axis once, e.g. {tuple(range(nd))[::-1]}")
    perm = tuple(_axis(a, nd, "permute") + builtins.max(nd, 1) for a in axes)
    if len(set(perm)) != nd:
        raise ShapeError(f"permute: axes {axes} repeat an axis; name every axis of the {nd} once")
    return ops.transpose(x, perm)


def swapaxes(x: ArrayLike, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes.

    >>> import retrograd as rg
    >>> rg.swapaxes(rg.tensor([[[1.0, 2.0]]]), 0, 2).shape
    (2, 1, 1)
    """
    nd = _ndim(x)
    a = _axis(axis1, nd, "swapaxes") + builtins.max(nd, 1)
    b = _axis(axis2, nd, "swapaxes") + builtins.max(nd, 1)
    if nd == 0:
        return ops.reshape(x, ())
    perm = list(range(nd))
    perm[a], perm[b] = perm[b], perm[a]
    return ops.transpose(x, tuple(perm))


def squeeze(x: ArrayLike, axis: Axis = None, *, dim: Axis = None) -> Tensor:
    """Remove size-1 axes (all of them, or the one(s) given; PyTorch's ``dim=`` is accepted too).

    >>> import retrograd as rg
    >>> rg.squeeze(rg.tensor([[1.0], [2.0]])).shape
    (2,)
    """
    axis = axis if dim is None else dim
    shape = np.shape(raw(x))
    if axis is None:
        new = tuple(n for n in shape if n != 1)
    else:
        axes = {a % builtins.max(len(shape), 1) for a in _axes(x, axis, "squeeze")}
        for a in axes:
            if shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} has size {shape[a]}, not 1 (shape {shape})")
        new = tuple(n for i, n in enumerate(shape) if i not in axes)
    return ops.reshape(x, new)


def unsqueeze(x: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Insert a size-1 axis at ``axis`` (NumPy's ``expand_dims``; PyTorch's ``dim=`` too).

    >>> import retrograd as rg
    >>> rg.unsqueeze(rg.tensor([1.0, 2.0]), 0).shape
    (1, 2)
    """
    axis = axis if dim is None else dim
    if axis is None:
        raise TypeError("unsqueeze: give the axis where the new size-1 axis goes, e.g. unsqueeze(x, 0)")
    shape = list(np.shape(raw(x)))
    nd = len(shape) + 1
    shape.insert(_axis(axis, nd, "unsqueeze") + nd, 1)
    return ops.reshape(x, tuple(shape))


expand_dims = unsqueeze


def flatten(x: ArrayLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes from ``start_dim`` to ``end_dim`` (inclusive) into one (PyTorch's ``flatten``).

    >>> import retrograd as rg
    >>> rg.flatten(rg.zeros(2, 3, 4), 1).shape
    (2, 12)
    """
    shape = np.shape(raw(x))
    nd = len(shape)
    if nd == 0:
        _axis(start_dim, 0, "flatten"), _axis(end_dim, 0, "flatten")
        return ops.reshape(x, (1,))
    a = _axis(start_dim, nd, "flatten") + nd
    b = _axis(end_dim, nd, "flatten") + nd
    if a > b:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return ops.reshape(x, shape[:a] + (int(np.prod(shape[a:b + 1])),) + shape[b + 1:])


def broadcast_to(x: ArrayLike, shape: Shape) -> Tensor:
    """Repeat ``x`` along size-1 and new leading axes to ``shape`` (NumPy rules).

    >>> import retrograd as rg
    >>> rg.broadcast_to(rg.tensor([1.0, 2.0]), (3, 2)).shape
    (3, 2)
    """
    return ops.broadcast_to(x, tuple(int(s) for s in shape))


def _index(idx):
    """The one normal form of an index, read the same way forward and backward.

    Always a tuple; Tensors, lists and tuples inside it become arrays.
    """
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            i = i.data
        elif isinstance(i, (list, tuple)):  # a sequence inside the index is an index array (NumPy, PyTorch)
            i = np.asarray(i)
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise TypeError(f"getitem: index arrays must hold integers or booleans, got dtype {i.dtype}")
        out.append(i)
    return tuple(out)


def getitem(x: ArrayLike, idx: Any) -> Tensor:
    """``x[idx]`` with basic and integer-array indexing; repeated indices accumulate gradients.

    An integer next to index arrays selects first, as in PyTorch (NumPy counts it among the
    arrays, which can move the result's axes to the front): ``x[0, :, [1, 2]]`` of a (3, 4, 5)
    tensor has shape (4, 2).

    >>> import retrograd as rg
    >>> rg.getitem(rg.tensor([1.0, 2.0, 3.0]), [0, 0, 2])
    tensor([1., 1., 3.])
    >>> rg.zeros(3, 4, 5)[0, :, [1, 2]].shape
    (4, 2)
    """
    idx = _index(idx)
    if _mixes_integers_and_arrays(idx):
        first, then = _integers_first(idx)
        return ops.getitem(ops.getitem(x, first), then)
    return ops.getitem(x, idx)


def _is_int(i) -> bool:
    return (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))) or (
        isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu")


def _mixes_integers_and_arrays(idx) -> bool:
    return (any(isinstance(i, np.ndarray) and not _is_int(i) for i in idx)
            and any(_is_int(i) for i in idx))


def _integers_first(idx):
    """Split an index into (integers and slices, then the arrays): PyTorch's reading of it."""
    first, then = [], []
    for i in idx:
        if _is_int(i):
            first.append(int(i))
        elif isinstance(i, np.ndarray):  # an index array (a boolean one spans i.ndim axes)
            first.extend([slice(None)] * (i.ndim if i.dtype.kind == "b" else 1))
            then.append(i)
        elif i is None:
            first.append(None)
            then.append(slice(None))
        elif i is Ellipsis:
            first.append(Ellipsis)
            then.append(Ellipsis)
        else:  # a slice
            first.append(i)
            then.append(slice(None))
    return tuple(first), tuple(then)


def concatenate(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (PyTorch's ``dim=`` is accepted too).

    >>> import retrograd as rg
    >>> rg.concatenate([rg.tensor([1.0]), rg.tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    >>> rg.cat([rg.zeros(2, 1), rg.ones(2, 1)], dim=1).shape
    (2, 2)
    """
    axis = axis if dim is None else dim
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    nd = _ndim(tensors[0])
    if nd == 0:
        raise ShapeError("concatenate: 0-d tensors cannot be concatenated; use stack")
    ax = _axis(axis, nd, "concatenate")
    return ops.concatenate(*tensors, axis=ax)


cat = concat = concatenate


def stack(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of the same shape along a new axis (PyTorch's ``dim=`` is accepted too).

    >>> import retrograd as rg
    >>> rg.stack([rg.tensor(1.0), rg.tensor(2.0)])
    tensor([1., 2.])
    >>> rg.stack([rg.zeros(2), rg.ones(2)], dim=1).shape
    (2, 2)
    """
    axis = axis if dim is None else dim
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    return ops.stack(*tensors, axis=_axis(axis, _ndim(tensors[0]) + 1, "stack"))
