"""Maths with PyTorch's names: more elementwise functions, rounding and remainders, std, prod,
scans (cumsum, cumprod, cummax, cummin, logcumsumexp), sorting (sort, argsort, topk,
kthvalue, median), norms, einsum, tensordot, mm, bmm, outer.

Sorting-like ops compute their indices with NumPy and take the values with ``gather``, so
their gradients (of every order) are those of ``getitem``. They return PyTorch's named
tuples ``(values, indices)``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops, return_types
from .backend import get_default_dtype
from .conversion import to_dtype
from .core import Tensor, result_type, wrap as _wrap
from .dims import norm_dim
from .errors import ShapeError
from .functions import _binary_fn, _elementwise, _pick, clip, var
from .functions_index import gather
from .hints import ArrayLike, Axis, DTypeLike
from .ops.primitive import raw, values_of

# ----- elementwise ----------------------------------------------------------------------
log1p = _elementwise(ops.log1p, "log1p", "rg.log1p(rg.tensor(0.0))\n    tensor(0.)")
expm1 = _elementwise(ops.expm1, "expm1", "rg.expm1(rg.tensor(0.0))\n    tensor(0.)")
log2 = _elementwise(ops.log2, "log2", "rg.log2(rg.tensor(8.0))\n    tensor(3.)")
log10 = _elementwise(ops.log10, "log10", "rg.log10(rg.tensor(100.0))\n    tensor(2.)")
exp2 = _elementwise(ops.exp2, "exp2", "rg.exp2(rg.tensor(3.0))\n    tensor(8.)")
rsqrt = _elementwise(ops.rsqrt, "rsqrt", "rg.rsqrt(rg.tensor(4.0))\n    tensor(0.5)")
sinh = _elementwise(ops.sinh, "sinh", "rg.sinh(rg.tensor(0.0))\n    tensor(0.)")
cosh = _elementwise(ops.cosh, "cosh", "rg.cosh(rg.tensor(0.0))\n    tensor(1.)")
asin = _elementwise(ops.asin, "asin", "rg.asin(rg.tensor(0.0))\n    tensor(0.)")
acos = _elementwise(ops.acos, "acos", "rg.acos(rg.tensor(1.0))\n    tensor(0.)")
atan = _elementwise(ops.atan, "atan", "rg.atan(rg.tensor(0.0))\n    tensor(0.)")
erf = _elementwise(ops.erf, "erf", "rg.erf(rg.tensor(0.0))\n    tensor(0.)")
floor = _elementwise(ops.floor, "floor", "rg.floor(rg.tensor([-1.5, 1.5]))\n    tensor([-2.,  1.])")
ceil = _elementwise(ops.ceil, "ceil", "rg.ceil(rg.tensor([-1.5, 1.5]))\n    tensor([-1.,  2.])")
trunc = _elementwise(ops.trunc, "trunc", "rg.trunc(rg.tensor([-1.5, 1.5]))\n    tensor([-1.,  1.])")
sign = _elementwise(ops.sign, "sign", "rg.sign(rg.tensor([-2.0, 0.0, 3.0]))\n    tensor([-1.,  0.,  1.])")
arcsin, arccos, arctan, fix = asin, acos, atan, trunc

_atan2 = _binary_fn(ops.atan2, "atan2", "rg.atan2(rg.tensor(1.0), 1.0)\n    tensor(0.78539816)")


def atan2(input: ArrayLike, other: ArrayLike) -> Tensor:
    """The angle of the point (other, input), elementwise; integer and boolean inputs give the
    default float dtype, as PyTorch's (NumPy would give float16 for bools).

    >>> import retrograd as rg
    >>> rg.atan2(rg.tensor(1.0), 1.0), rg.atan2(rg.tensor([True]), rg.tensor([True])).dtype
    (tensor(0.78539816), dtype('float64'))
    """
    if result_type(input, other).kind in "biu":
        input, other = (v if isinstance(v, (bool, int, float)) else to_dtype(v, get_default_dtype())
                        for v in (input, other))
    return _atan2(input, other)
hypot = _binary_fn(ops.hypot, "hypot", "rg.hypot(rg.tensor(3.0), 4.0)\n    tensor(5.)")
logaddexp = _binary_fn(ops.logaddexp, "logaddexp", "rg.logaddexp(rg.tensor(0.0), 0.0)\n    tensor(0.69314718)")
fmod = _binary_fn(ops.fmod, "fmod", "rg.fmod(rg.tensor([-3.0, 3.0]), 2)\n    tensor([-1.,  1.])")
remainder = _binary_fn(ops.remainder, "remainder", "rg.remainder(rg.tensor([-3.0, 3.0]), 2)\n    tensor([1., 1.])")
floor_divide = _binary_fn(ops.floor_divide, "floor_divide",
                          "rg.floor_divide(rg.tensor([-3, 3]), 2)\n    tensor([-2,  1])")
arctan2 = atan2


def round(x: ArrayLike, decimals: int = 0) -> Tensor:
    """Round half to even (as PyTorch and NumPy), to ``decimals`` places; gradient 0.

    >>> import retrograd as rg
    >>> rg.round(rg.tensor([0.5, 1.5, 2.25]))
    tensor([0., 2., 2.])
    """
    return ops.round_(x, decimals=int(decimals)) if decimals else ops.round_(x)


def square(x: ArrayLike) -> Tensor:
    """x * x.

    >>> import retrograd as rg
    >>> rg.square(rg.tensor(3.0))
    tensor(9.)
    """
    return ops.mul(x, x)


def reciprocal(x: ArrayLike) -> Tensor:
    """1 / x (a float result, also for integer input).

    >>> import retrograd as rg
    >>> rg.reciprocal(rg.tensor(4.0))
    tensor(0.25)
    """
    return ops.div(1.0, x)


def lerp(start: ArrayLike, end: ArrayLike, weight: ArrayLike) -> Tensor:
    """``start + weight * (end - start)``; ``weight`` is a number or a tensor.

    >>> import retrograd as rg
    >>> rg.lerp(rg.tensor(1.0), rg.tensor(3.0), 0.25)
    tensor(1.5)
    """
    return start + weight * (end - start)  # type: ignore[return-value]  # plain arrays in, plain arrays out


def div(x: ArrayLike, y: ArrayLike, *, rounding_mode: str | None = None) -> Tensor:
    """x / y; ``rounding_mode="trunc"`` rounds towards zero, ``"floor"`` down (gradient 0 then).

    >>> import retrograd as rg
    >>> rg.div(rg.tensor([-7, 7]), 2, rounding_mode="trunc"), rg.div(rg.tensor(-7.0), 2, rounding_mode="floor")
    (tensor([-3,  3]), tensor(-4.))
    """
    if rounding_mode is None:
        return _true_div(x, y)
    if rounding_mode == "floor":
        return floor_divide(x, y)
    if rounding_mode == "trunc":
        return _trunc_div(x, y)
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")


_true_div = _binary_fn(ops.div, "true_divide", "rg.true_divide(rg.tensor(3.0), 2)\n    tensor(1.5)")
_trunc_div = _binary_fn(ops.trunc_divide, "trunc_divide",
                        "rg.div(rg.tensor(-3), 2, rounding_mode='trunc')\n    tensor(-1)")
divide = div
true_divide = _true_div


# ----- reductions -----------------------------------------------------------------------
def std(x: ArrayLike, dim: Axis = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, ddof: int | None = None, axis: Axis = None,
        keepdims: bool | None = None) -> Tensor:
    """Standard deviation ``sqrt(var)``: PyTorch's semantics, ``correction=1`` (unbiased) by default.

    ``unbiased=False`` or ``correction=0`` (or NumPy's ``ddof=0``) divide by ``n``; see :func:`var`.

    >>> import retrograd as rg
    >>> rg.std(rg.tensor([1.0, 3.0])), rg.std(rg.tensor([1.0, 3.0]), correction=0)
    (tensor(1.41421356), tensor(1.))
    """
    return ops.sqrt(var(x, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
                        keepdims=keepdims))


def _one_dim(x, dim, op):
    return norm_dim(np.ndim(raw(x)), dim, op) - builtins.max(np.ndim(raw(x)), 1)


def prod(x: ArrayLike, dim: Axis = None, keepdim: bool | None = False, *, dtype: DTypeLike = None,
         axis: Axis = None, keepdims: bool | None = None) -> Tensor:
    """Product over ``dim`` (all elements by default); exact gradients where an element is 0.

    >>> import retrograd as rg
    >>> rg.prod(rg.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    tensor([ 2., 12.])
    """
    dim, keepdim = _pick(axis, keepdims, dim, keepdim) if axis is not None else (dim, keepdim)
    if dtype is not None:
        x = to_dtype(x, dtype)
    if np.ndim(raw(x)) == 0:
        return x if not isinstance(x, Tensor) else ops.reshape(x, ())  # type: ignore[return-value]  # plain arrays in, plain arrays out
    if dim is None:
        out = ops.prod(ops.reshape(x, (-1,)), -1)
        return ops.reshape(out, (1,) * np.ndim(raw(x))) if keepdim else out
    return ops.prod(x, _one_dim(x, dim, "prod"), keepdims=bool(keepdim))


def _scan(prim, x, dim, op, dtype=None):
    if dtype is not None:
        x = to_dtype(x, dtype)
    if np.ndim(raw(x)) == 0:
        norm_dim(0, dim, op)
        return ops.reshape(prim(ops.reshape(x, (1,)), -1), ())
    return prim(x, _one_dim(x, dim, op))


def cumsum(x: ArrayLike, dim: int, *, dtype: DTypeLike = None) -> Tensor:
    """Running sum along ``dim``.

    >>> import retrograd as rg
    >>> rg.cumsum(rg.tensor([1, 2, 3]), 0)
    tensor([1, 3, 6])
    """
    return _scan(ops.cumsum, x, dim, "cumsum", dtype)


def cumprod(x: ArrayLike, dim: int, *, dtype: DTypeLike = None) -> Tensor:
    """Running product along ``dim``; exact gradients where an element is 0.

    >>> import retrograd as rg
    >>> rg.cumprod(rg.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 2., 6.])
    """
    return _scan(ops.cumprod, x, dim, "cumprod", dtype)


def logcumsumexp(x: ArrayLike, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along ``dim``, without overflow.

    >>> import retrograd as rg
    >>> rg.logcumsumexp(rg.tensor([0.0, 0.0]), 0)
    tensor([0.        , 0.69314718])
    """
    return _scan(ops.logcumsumexp, x, dim, "logcumsumexp")


def _indices_result(x, idx):
    if isinstance(idx, Tensor):  # traced by rg.jit
        return idx if idx.dtype == np.int64 else idx.astype(np.int64)
    return _wrap(np.asarray(idx, dtype=np.int64), None)


def _cum_extreme(x, dim, op, ufunc, kind):
    xr = values_of(x)
    if xr.ndim == 0:
        norm_dim(0, dim, op)
        return kind(x if isinstance(x, Tensor) else _wrap(xr, None), _indices_result(x, np.zeros((), np.int64)))
    d = norm_dim(xr.ndim, dim, op)
    best = ufunc.accumulate(xr, axis=d) if xr.shape[d] else xr
    pos = np.arange(xr.shape[d]).reshape((-1,) + (1,) * (xr.ndim - d - 1))
    hit = (xr == best) | (np.isnan(xr) if xr.dtype.kind == "f" else False)
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d) if xr.shape[d] else np.zeros(xr.shape, np.int64)
    return kind(gather(x, d, idx), _indices_result(x, idx))


def cummax(x: ArrayLike, dim: int) -> return_types.cummax:
    """Running maximum along ``dim`` and where it was attained (the latest index at ties).

    >>> import retrograd as rg
    >>> rg.cummax(rg.tensor([1.0, 3.0, 2.0]), 0)
    cummax(values=tensor([1., 3., 3.]), indices=tensor([0, 1, 1]))
    """
    return _cum_extreme(x, dim, "cummax", np.maximum, return_types.cummax)


def cummin(x: ArrayLike, dim: int) -> return_types.cummin:
    """Running minimum along ``dim`` and where it was attained (the latest index at ties).

    >>> import retrograd as rg
    >>> rg.cummin(rg.tensor([3.0, 1.0, 2.0]), 0)
    cummin(values=tensor([3., 1., 1.]), indices=tensor([0, 1, 1]))
    """
    return _cum_extreme(x, dim, "cummin", np.minimum, return_types.cummin)


# ----- sorting --------------------------------------------------------------------------
def _argsort(xr, d, descending):
    if not descending:
        return np.argsort(xr, axis=d, kind="stable")
    # Descending and stable (ties keep their order, NaN first as in PyTorch): sort the reversed
    # array ascending, reverse the result, and map positions back.
    n = xr.shape[d]
    rev = np.flip(xr, axis=d)
    return (n - 1) - np.flip(np.argsort(rev, axis=d, kind="stable"), axis=d)


def argsort(x: ArrayLike, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """Indices that sort ``x`` along ``dim`` (ties keep their order; NaN sorts last, first when descending).

    >>> import retrograd as rg
    >>> rg.argsort(rg.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    xr = values_of(x)
    if xr.ndim == 0:
        norm_dim(0, dim, "argsort")
        return _indices_result(x, np.zeros((), np.int64))
    return _indices_result(x, _argsort(xr, norm_dim(xr.ndim, dim, "argsort"), descending))


def sort(x: ArrayLike, dim: int = -1, descending: bool = False, *, stable: bool = False) -> return_types.sort:
    """Sorted values along ``dim`` and their original indices: ``(values, indices)``.

    >>> import retrograd as rg
    >>> rg.sort(rg.tensor([3.0, 1.0, 2.0]))
    sort(values=tensor([1., 2., 3.]), indices=tensor([1, 2, 0]))
    """
    xr = values_of(x)
    if xr.ndim == 0:
        norm_dim(0, dim, "sort")
        return return_types.sort(x, _indices_result(x, np.zeros((), np.int64)))
    d = norm_dim(xr.ndim, dim, "sort")
    idx = _argsort(xr, d, descending)
    return return_types.sort(gather(x, d, idx), _indices_result(x, idx))


def topk(x: ArrayLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> return_types.topk:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first.

    >>> import retrograd as rg
    >>> rg.topk(rg.tensor([1.0, 5.0, 3.0]), 2)
    topk(values=tensor([5., 3.]), indices=tensor([1, 2]))
    """
    xr = values_of(x)
    d = norm_dim(xr.ndim, dim, "topk")
    n = xr.shape[d] if xr.ndim else 1
    if not 0 <= k <= n:
        raise IndexError(f"topk: k ({k}) is out of range for dimension {dim} of size {n}")
    if xr.ndim == 0:
        return return_types.topk(x, _indices_result(x, np.zeros((), np.int64)))
    idx = np.take(_argsort(xr, d, largest), np.arange(k), axis=d)
    return return_types.topk(gather(x, d, idx), _indices_result(x, idx))


def kthvalue(x: ArrayLike, k: int, dim: int = -1, keepdim: bool = False) -> return_types.kthvalue:
    """The ``k``-th smallest value (1-based) along ``dim`` and its index.

    >>> import retrograd as rg
    >>> rg.kthvalue(rg.tensor([3.0, 1.0, 2.0]), 2)
    kthvalue(values=tensor(2.), indices=tensor(2))
    """
    xr = values_of(x)
    d = norm_dim(xr.ndim, dim, "kthvalue")
    n = xr.shape[d] if xr.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue: k ({k}) is out of range for dimension {dim} of size {n}")
    if xr.ndim == 0:
        return return_types.kthvalue(x, _indices_result(x, np.zeros((), np.int64)))
    idx = np.take(_argsort(xr, d, False), [k - 1], axis=d)
    return _pick_one(x, d, idx, keepdim, return_types.kthvalue)


def _pick_one(x, d, idx, keepdim, kind):
    values = gather(x, d, idx)
    if not keepdim:
        values = ops.reshape(values, np.shape(raw(values))[:d] + np.shape(raw(values))[d + 1:])
        idx = np.squeeze(idx, axis=d)
    return kind(values, _indices_result(x, idx))


def median(x: ArrayLike, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (of all values, or along ``dim`` with its index, as PyTorch); NaN propagates.

    >>> import retrograd as rg
    >>> rg.median(rg.tensor([4.0, 1.0, 3.0, 2.0]))
    tensor(2.)
    >>> rg.median(rg.tensor([[4.0, 1.0, 3.0]]), dim=1)
    median(values=tensor([3.]), indices=tensor([2]))
    """
    xr = values_of(x)
    if dim is None:
        if xr.size == 0:
            raise ValueError("median: the input is empty")
        return median(ops.reshape(x, (-1,)), 0).values
    if xr.ndim == 0:
        norm_dim(0, dim, "median")
        return return_types.median(x, _indices_result(x, np.zeros((), np.int64)))
    d = norm_dim(xr.ndim, dim, "median")
    n = xr.shape[d]
    if n == 0:
        raise IndexError(f"median: dimension {dim} is empty")
    idx = np.take(_argsort(xr, d, False), [(n - 1) // 2], axis=d)
    if xr.dtype.kind == "f":
        nan = np.isnan(xr)
        has = nan.any(axis=d, keepdims=True)
        idx = np.where(has, np.argmax(nan, axis=d, keepdims=True), idx)
    return _pick_one(x, d, idx, keepdim, return_types.median)


# ----- norms ----------------------------------------------------------------------------
def _safe_root(s, p):
    """``s ** (1/p)`` with a zero (not nan or inf) gradient where ``s`` is 0."""
    zero = raw(s) == 0
    if not isinstance(zero, Tensor) and not np.any(zero):  # traced (rg.jit): the safe form always
        return ops.sqrt(s) if p == 2 else s ** (1.0 / p)
    one = np.ones((), raw(s).dtype)
    safe = ops.where(zero, one, s)
    root = ops.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return ops.where(zero, np.zeros((), raw(s).dtype), root)


def _axes_of(x, dim, op):
    nd = np.ndim(raw(x))
    if dim is None:
        return tuple(range(-nd, 0))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return tuple(sorted({norm_dim(nd, d, op) - builtins.max(nd, 1) for d in dims})) if nd else ()


def vector_norm(x: ArrayLike, ord: float = 2, dim: Axis = None, keepdim: bool | None = False, *,
                dtype: DTypeLike = None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements by default): ``sum(|x|**ord)**(1/ord)``,
    ``max|x|`` for ``inf``, ``min|x|`` for ``-inf``, the count of non-zeros for 0.
    The gradient of the 2-norm at 0 is 0, as in PyTorch.

    >>> import retrograd as rg
    >>> rg.linalg.vector_norm(rg.tensor([3.0, 4.0]))
    tensor(5.)
    """
    if dtype is not None:
        x = to_dtype(x, dtype)
    if values_of(x).dtype.kind != "f":
        raise TypeError(f"norm: expected a floating point tensor, got dtype {raw(x).dtype}; use .float()")
    axes = _axes_of(x, dim, "norm")
    keep = bool(keepdim)
    a = ops.absolute(x)
    if ord == math.inf:
        return ops.amax(a, axes, keepdims=keep)
    if ord == -math.inf:
        return ops.amin(a, axes, keepdims=keep)
    if ord == 0:
        return ops.sum_(ops.sign(a), axes, keepdims=keep)  # counts the non-zeros; gradient 0
    if ord == 1:
        return ops.sum_(a, axes, keepdims=keep)
    if ord == 2:
        return _safe_root(ops.sum_(x * x, axes, keepdims=keep), 2)
    if not isinstance(ord, (int, float)):
        raise ValueError(f"vector_norm: ord must be a number, got {ord!r}")
    zero = raw(x) == 0
    if isinstance(zero, Tensor) or np.any(zero):  # |x| ** p, a zero gradient (not nan) where x is 0, as PyTorch
        dt = raw(x).dtype
        a = ops.where(zero, np.zeros((), dt), ops.where(zero, np.ones((), dt), a) ** float(ord))
    else:
        a = a ** float(ord)
    return _safe_root(ops.sum_(a, axes, keepdims=keep), float(ord))


def matrix_norm(x: ArrayLike, ord: str | float = "fro", dim: Sequence[int] = (-2, -1),
                keepdim: bool | None = False, *, dtype: DTypeLike = None) -> Tensor:
    """A matrix norm over the two dimensions ``dim``: ``"fro"``, 1, -1, ``inf``, ``-inf``
    (2, -2 and ``"nuc"`` need an SVD, which retrograd does not differentiate yet).

    >>> import retrograd as rg
    >>> rg.linalg.matrix_norm(rg.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
    tensor(6.)
    """
    nd = np.ndim(raw(x))
    if nd < 2:
        raise ShapeError(f"matrix_norm: needs at least 2 dimensions, got shape {np.shape(raw(x))}")
    r, c = (norm_dim(nd, d, "matrix_norm") for d in dim)
    if ord == "fro":
        return vector_norm(x, 2, (r, c), keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"matrix_norm: ord={ord!r} needs singular values, which are not supported "
                                  "yet; use 'fro', 1, -1, inf or -inf")
    if ord not in (1, -1, math.inf, -math.inf):
        raise ValueError(f"matrix_norm: unknown ord {ord!r}")
    if dtype is not None:
        x = to_dtype(x, dtype)
    summed, kept = (r, c) if ord in (1, -1) else (c, r)
    s = ops.sum_(ops.absolute(x), (summed - nd,), keepdims=True)
    pick = ops.amax if ord in (1, math.inf) else ops.amin
    out = pick(s, (kept - nd,), keepdims=True)
    if not keepdim:
        shape = tuple(n for i, n in enumerate(np.shape(raw(out))) if i not in (r, c))
        out = ops.reshape(out, shape)
    return out


def linalg_norm(x: ArrayLike, ord: str | float | None = None, dim: Axis = None, keepdim: bool | None = False,
                *, dtype: DTypeLike = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm (``dim`` an int, or a 1-D input, or ``ord=None``
    over all elements) or a matrix norm (``dim`` a pair, or a 2-D input with ``ord`` given).

    >>> import retrograd as rg
    >>> rg.linalg.norm(rg.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor(5.)
    """
    nd = np.ndim(raw(x))
    if isinstance(dim, (int, np.integer)) or (dim is not None and len(dim) == 1):
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]  # a str: vector_norm says so
    if dim is None and (ord is None or nd == 1):
        return vector_norm(x, 2 if ord is None else ord, None, keepdim, dtype=dtype)  # type: ignore[arg-type]  # as above
    if dim is None:
        if nd != 2:
            raise ShapeError(f"linalg.norm: with ord={ord!r} and no dim the input must be 1-D or 2-D, got {nd}-D")
        dim = (-2, -1)
    return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)


def norm(x: ArrayLike, p: str | float | None = "fro", dim: Axis = None, keepdim: bool | None = False,
         dtype: DTypeLike = None) -> Tensor:
    """``torch.norm``: the 2-norm (``p="fro"`` or 2) or another vector ``p``-norm over ``dim``
    (all elements by default).

    >>> import retrograd as rg
    >>> rg.norm(rg.tensor([3.0, 4.0])), rg.norm(rg.tensor([3.0, -4.0]), 1)
    (tensor(5.), tensor(7.))
    """
    if p == "nuc":
        raise NotImplementedError("norm: p='nuc' needs singular values, which are not supported yet")
    return vector_norm(x, 2 if p in ("fro", None) else p, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]  # a str: vector_norm says so


# ----- products -------------------------------------------------------------------------
def einsum(equation: str, *operands: ArrayLike) -> Tensor:
    """Einstein summation (``"ij,jk->ik"``, ``"...ij->...ji"``, implicit outputs, diagonals).

    >>> import retrograd as rg
    >>> rg.einsum("ij,j->i", rg.tensor([[1.0, 2.0], [3.0, 4.0]]), rg.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise ValueError(f"einsum: the equation names {len(ins)} operand(s) but {len(operands)} were given")
    for s in ins + [out]:
        bad = set(s.replace("...", "")) - set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if bad:
            raise ValueError(f"einsum: subscripts must be letters, got {''.join(sorted(bad))!r} in {equation!r}")
    used = set(eq) - set(".,->")
    free = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    ell_n = 0
    for s, x in zip(ins, operands):
        named = len(s.replace("...", ""))
        nd = np.ndim(raw(x))
        if "..." in s:
            ell_n = builtins.max(ell_n, nd - named)
        elif nd != named:
            raise ShapeError(f"einsum: operand '{s}' has {nd} dimension(s) but {named} subscript(s)")
    ell = "".join(free[:ell_n])
    specs = []
    for s, x in zip(ins, operands):
        if "..." in s:
            k = np.ndim(raw(x)) - len(s.replace("...", ""))
            s = s.replace("...", ell[ell_n - k:] if k else "")
        specs.append(s)
    if arrow:
        out = out.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for s in specs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    sizes: dict[str, int] = {}
    for s, x in zip(specs, operands):
        for c, n in zip(s, np.shape(raw(x))):
            if sizes.get(c, 1) != 1 and n not in (1, sizes[c]):
                raise ShapeError(f"einsum: subscript '{c}' has size {sizes[c]} in one operand and {n} in another")
            sizes[c] = builtins.max(sizes.get(c, 1), n) if c in sizes else n
    for c in out:
        if c not in sizes:
            raise ValueError(f"einsum: output subscript '{c}' does not appear in the inputs")
    args = []
    for s, x in zip(specs, operands):
        full = tuple(sizes[c] for c in s)
        if np.shape(raw(x)) != full:
            x = ops.broadcast_to(x, full)
        args.append(x)
    return ops.einsum(*args, spec=",".join(specs) + "->" + out)


def tensordot(a: ArrayLike, b: ArrayLike, dims: int | Sequence[Any] = 2) -> Tensor:
    """Sum products over the last ``dims`` axes of ``a`` and the first of ``b`` (or over the
    axes given as a pair of lists).

    >>> import retrograd as rg
    >>> rg.tensordot(rg.ones(2, 3), rg.ones(3, 4), dims=1).shape
    (2, 4)
    """
    na, nb = np.ndim(raw(a)), np.ndim(raw(b))
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > builtins.min(na, nb):
            raise ShapeError(f"tensordot: dims={dims} is out of range for tensors with {na} and {nb} dimensions")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = ([dims[0]] if isinstance(dims[0], int) else list(dims[0]),
                  [dims[1]] if isinstance(dims[1], int) else list(dims[1]))
        da = [norm_dim(na, d, "tensordot") for d in da]
        db = [norm_dim(nb, d, "tensordot") for d in db]
        if len(da) != len(db):
            raise ShapeError(f"tensordot: the two lists of dims differ in length: {dims}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(da, db):
        if np.shape(raw(a))[i] != np.shape(raw(b))[j]:
            raise ShapeError(f"tensordot: dimension {i} of a (size {np.shape(raw(a))[i]}) does not match "
                             f"dimension {j} of b (size {np.shape(raw(b))[j]})")
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [c for j, c in enumerate(sb) if j not in db]
    return ops.einsum(a, b, spec="".join(sa) + "," + "".join(sb) + "->" + "".join(out))


def mm(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting, as PyTorch's ``mm``).

    >>> import retrograd as rg
    >>> rg.mm(rg.ones(2, 3), rg.ones(3, 4)).shape
    (2, 4)
    """
    if np.ndim(raw(a)) != 2 or np.ndim(raw(b)) != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got shapes {np.shape(raw(a))} and {np.shape(raw(b))}")
    return ops.matmul(a, b)


def bmm(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting).

    >>> import retrograd as rg
    >>> rg.bmm(rg.ones(5, 2, 3), rg.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    sa, sb = np.shape(raw(a)), np.shape(raw(b))
    if len(sa) != 3 or len(sb) != 3 or sa[0] != sb[0]:
        raise ShapeError(f"bmm: expects two 3-D tensors with the same batch size, got shapes {sa} and {sb}")
    return ops.matmul(a, b)


def outer(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Outer product of two 1-D tensors: ``out[i, j] = a[i] * b[j]``.

    >>> import retrograd as rg
    >>> rg.outer(rg.tensor([1.0, 2.0]), rg.tensor([1.0, 10.0]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    if np.ndim(raw(a)) != 1 or np.ndim(raw(b)) != 1:
        raise ShapeError(f"outer: expects two 1-D tensors, got shapes {np.shape(raw(a))} and {np.shape(raw(b))}")
    return ops.mul(ops.reshape(a, (-1, 1)), ops.reshape(b, (1, -1)))


def dot(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Inner product of two 1-D tensors of the same length (PyTorch's ``dot``: no broadcasting).

    >>> import retrograd as rg
    >>> rg.dot(rg.tensor([1.0, 2.0]), rg.tensor([3.0, 4.0]))
    tensor(11.)
    """
    sa, sb = np.shape(raw(a)), np.shape(raw(b))
    if len(sa) != 1 or len(sb) != 1 or sa != sb:
        raise ShapeError(f"dot: expects two 1-D tensors of the same length, got shapes {sa} and {sb}")
    return ops.matmul(a, b)


def clamp_min(x: ArrayLike, min: ArrayLike) -> Tensor:
    """``max(x, min)`` elementwise (PyTorch's ``clamp_min``); see :func:`retrograd.clip`.

    >>> import retrograd as rg
    >>> rg.clamp_min(rg.tensor([-1.0, 2.0]), 0.0)
    tensor([0., 2.])
    """
    return clip(x, min, None)


def clamp_max(x: ArrayLike, max: ArrayLike) -> Tensor:
    """``min(x, max)`` elementwise (PyTorch's ``clamp_max``); see :func:`retrograd.clip`.

    >>> import retrograd as rg
    >>> rg.clamp_max(rg.tensor([-1.0, 2.0]), 0.0)
    tensor([-1.,  0.])
    """
    return clip(x, None, max)
