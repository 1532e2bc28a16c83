"""Indexing functions with PyTorch's names: gather, scatter, scatter_add, scatter_reduce,
index_select, index_add, masked_fill, masked_select, nonzero, take_along_dim, one_hot.

All are compositions of ``getitem`` (a gather), ``index_add`` (its adjoint, a scatter-add)
and ``where``, so every derivative of every order comes from those primitives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .core import Tensor
from .dims import norm_dim
from .errors import ShapeError
from .hints import ArrayLike
from .ops.primitive import raw, values_of


def _shape(x) -> tuple:
    return np.shape(raw(x))


def _int_index(index, op) -> np.ndarray:
    idx = values_of(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers (int64), got dtype {idx.dtype}")
    return idx


def _grid(index, dim, size, op):
    """The advanced index that reads ``x[..., index[...], ...]`` along ``dim`` at every position of ``index``."""
    if not isinstance(index, Tensor) and (np.any(index < 0) or np.any(index >= size)):  # traced: unknown
        bad = index[(index < 0) | (index >= size)].reshape(-1)[0]
        raise IndexError(f"{op}: index {bad} is out of range for dimension {dim} of size {size}")
    nd = index.ndim
    return tuple(index if d == dim else
                 np.arange(index.shape[d]).reshape((-1,) + (1,) * (nd - d - 1))
                 for d in range(nd))


def _check_gather_shapes(xs, idx, dim, op, src=None):
    if len(xs) != idx.ndim and not (len(xs) == 0 and idx.ndim <= 1):
        raise ShapeError(f"{op}: index must have as many dimensions as the input ({len(xs)}), "
                         f"got shape {idx.shape}")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > xs[d]:
            raise ShapeError(f"{op}: index shape {idx.shape} is larger than the input shape {xs} "
                             f"in dimension {d}")
        if src is not None and idx.shape[d] > src[d]:
            raise ShapeError(f"{op}: index shape {idx.shape} is larger than the src shape {src} in dimension {d}")


def gather(x: ArrayLike, dim: int, index: ArrayLike) -> Tensor:
    """``out[i][j] = x[index[i][j]][j]`` for ``dim=0`` (and so on): values picked along ``dim``.

    >>> import retrograd as rg
    >>> rg.gather(rg.tensor([[1, 2], [3, 4]]), 1, rg.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    """
    xs = _shape(x)
    idx = _int_index(index, "gather")
    if not xs:
        x, xs = ops.reshape(x, (1,)), (1,)
        idx = idx.reshape(-1)
        return ops.reshape(gather(x, 0, idx), np.shape(raw(index)))
    d = norm_dim(len(xs), dim, "gather")
    _check_gather_shapes(xs, idx, d, "gather")
    return ops.getitem(x, _grid(idx, d, xs[d], "gather"))


def take_along_dim(x: ArrayLike, indices: ArrayLike, dim: int | None = None) -> Tensor:
    """Values of ``x`` at ``indices`` along ``dim`` (flattened when ``dim`` is None); the other
    dimensions broadcast (NumPy's ``take_along_axis``).

    >>> import retrograd as rg
    >>> t = rg.tensor([[10, 30, 20]])
    >>> rg.take_along_dim(t, rg.argsort(t, dim=1), dim=1)
    tensor([[10, 20, 30]])
    """
    idx = _int_index(indices, "take_along_dim")
    if dim is None:
        return gather(ops.reshape(x, (-1,)), 0, idx.reshape(-1))
    xs = _shape(x)
    d = norm_dim(len(xs), dim, "take_along_dim")
    if idx.ndim != len(xs):
        raise ShapeError(f"take_along_dim: indices must have as many dimensions as the input "
                         f"({len(xs)}), got shape {idx.shape}")
    rest_x = xs[:d] + (1,) + xs[d + 1:]
    rest_i = idx.shape[:d] + (1,) + idx.shape[d + 1:]
    b = list(np.broadcast_shapes(rest_x, rest_i))
    bx, bi = tuple(b[:d] + [xs[d]] + b[d + 1:]), tuple(b[:d] + [idx.shape[d]] + b[d + 1:])
    if bx != xs:
        x = ops.broadcast_to(x, bx)
    return gather(x, d, np.broadcast_to(idx, bi))


def _scatter_setup(x, dim, index, src, op):
    xs = _shape(x)
    idx = _int_index(index, op)
    d = norm_dim(len(xs), dim, op)
    ss = _shape(src) if src is not None else None
    _check_gather_shapes(xs, idx, d, op, ss)
    grid = _grid(idx, d, xs[d] if xs else 1, op)
    if src is not None and ss != idx.shape:
        src = ops.getitem(src, tuple(slice(0, n) for n in idx.shape))
    return xs, idx, grid, src


def _same_dtype(v, x):
    """``v`` (a number or Tensor) as the dtype of ``x``, as PyTorch keeps the input's dtype."""
    dt = raw(x).dtype
    if isinstance(v, Tensor):
        return v if v.dtype == dt else _cast(v, dt)
    return np.asarray(v, dtype=dt)


def _cast(v, dt):
    return ops.cast(v, dt) if dt.kind == "f" and v.dtype.kind == "f" else Tensor(raw(v).astype(dt))


def scatter(x: ArrayLike, dim: int, index: ArrayLike, src: ArrayLike | None = None, *,
            value: ArrayLike | None = None, reduce: str | None = None) -> Tensor:
    """A copy of ``x`` with ``src`` (a tensor, or a number) written at ``index`` along ``dim``.

    Where ``index`` repeats a position, the last write wins (PyTorch leaves that unspecified).

    >>> import retrograd as rg
    >>> rg.scatter(rg.zeros(2, 3), 1, rg.tensor([[2], [0]]), rg.tensor([[1.0], [2.0]]))
    tensor([[0., 0., 1.],
            [2., 0., 0.]])
    """
    if reduce is not None:
        raise ValueError("scatter: reduce= is deprecated in PyTorch; use scatter_reduce (or scatter_add)")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if not isinstance(src, Tensor) and np.ndim(src) == 0:
        xs, idx, grid, _ = _scatter_setup(x, dim, index, None, "scatter")
        mask = np.zeros(xs, dtype=bool)
        mask[grid] = True
        return ops.where(mask, _same_dtype(src, x), x)
    xs, idx, grid, src = _scatter_setup(x, dim, index, src, "scatter")
    src = _same_dtype(src, x)
    # The last write to each position wins: only those elements of src reach the output.
    order = np.full(xs, -1)
    order[grid] = np.arange(idx.size).reshape(idx.shape)
    wins = np.zeros(idx.size, dtype=bool)
    wins[order[order >= 0]] = True
    wins = wins.reshape(idx.shape)
    mask = order >= 0
    if not wins.all():
        src = ops.where(wins, src, np.zeros((), raw(x).dtype))
    return ops.where(mask, ops.index_add(src, grid, xs), x)


def scatter_add(x: ArrayLike, dim: int, index: ArrayLike, src: ArrayLike) -> Tensor:
    """A copy of ``x`` with ``src`` added at ``index`` along ``dim`` (repeated positions accumulate).

    >>> import retrograd as rg
    >>> rg.scatter_add(rg.zeros(3), 0, rg.tensor([0, 0, 2]), rg.tensor([1.0, 2.0, 5.0]))
    tensor([3., 0., 5.])
    """
    xs, _idx, grid, src = _scatter_setup(x, dim, index, src, "scatter_add")
    return x + ops.index_add(_same_dtype(src, x), grid, xs)


def scatter_reduce(x: ArrayLike, dim: int, index: ArrayLike, src: ArrayLike, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into a copy of ``x`` at ``index`` along ``dim``: ``reduce`` is ``"sum"``,
    ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"`` (ties share the gradient equally, as PyTorch;
    ``"prod"`` has exact gradients where a value is 0).

    >>> import retrograd as rg
    >>> rg.scatter_reduce(rg.zeros(2), 0, rg.tensor([0, 0, 1]), rg.tensor([1.0, 3.0, 5.0]), "amax",
    ...                   include_self=False)
    tensor([3., 5.])
    """
    if reduce not in ("sum", "mean", "amax", "amin", "prod"):
        raise ValueError(f"scatter_reduce: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got {reduce!r}")
    xs, idx, grid, src = _scatter_setup(x, dim, index, src, "scatter_reduce")
    src = _same_dtype(src, x)
    dt = raw(x).dtype
    if dt.kind != "f":  # integers: no gradients, so plain NumPy (and integer results, as PyTorch)
        return _wrap_like(x, _scatter_reduce_ints(np.asarray(raw(x)), grid, np.asarray(raw(src)), reduce,
                                                  include_self))
    hit = np.zeros(xs, dtype=bool)
    hit[grid] = True
    zero = np.zeros((), dt)
    self_w = np.ones(xs, dt) if include_self else np.where(hit, 0, 1).astype(dt)
    if reduce == "sum":
        return x * self_w + ops.index_add(src, grid, xs)
    if reduce == "prod":
        return ops.where(hit, _scattered_products(src, idx, dim, xs) * (x if include_self else 1), x)
    if reduce == "mean":
        count = np.zeros(xs, np.int64)
        np.add.at(count, grid, 1)
        count = count + (1 if include_self else 0)
        total = x * self_w + ops.index_add(src, grid, xs)
        return ops.where(hit, total / np.maximum(count, 1).astype(dt), x)
    # amax / amin: the winners (ties included) share the output equally, so that the value is
    # the extreme and the gradient is split among the tied elements, as in PyTorch.
    ufunc = np.maximum if reduce == "amax" else np.minimum
    best = raw(x) if include_self else np.full(xs, -np.inf if reduce == "amax" else np.inf, dt)
    best = ops.ufunc_at(best, grid, raw(src), ufunc.__name__)
    src_wins = raw(src) == best[grid]
    self_wins = (raw(x) == best) & (self_w > 0)
    count = ops.ufunc_at(self_wins.astype(dt), grid, src_wins.astype(dt), "add")
    share = 1 / np.where(count > 0, count, 1)
    picked = ops.index_add(ops.where(src_wins, src, zero), grid, xs) * share
    out = picked + ops.where(self_wins, x, zero) * share
    return ops.where(hit, out, x)


def _scatter_reduce_ints(x, grid, src, reduce, include_self):
    hit = np.zeros(x.shape, dtype=bool)
    hit[grid] = True
    if reduce in ("sum", "mean"):
        out = np.where(hit & (not include_self), 0, x)
        np.add.at(out, grid, src)
        if reduce == "mean":
            count = np.zeros(x.shape, np.int64)
            np.add.at(count, grid, 1)
            out = np.where(hit, out // np.maximum(count + include_self, 1), x)  # floor, as PyTorch
        return out.astype(x.dtype)
    if reduce == "prod":
        out = np.where(hit & (not include_self), 1, x)
        np.multiply.at(out, grid, src)
        return out.astype(x.dtype)
    ufunc = np.maximum if reduce == "amax" else np.minimum
    info = np.iinfo(x.dtype) if x.dtype.kind in "iu" else None
    start = (info.min if reduce == "amax" else info.max) if info else (reduce != "amax")
    out = np.where(hit & (not include_self), start, x).astype(x.dtype)
    ufunc.at(out, grid, src)
    return out


def _wrap_like(x, arr):
    return Tensor(arr) if isinstance(x, Tensor) else arr


def _scattered_products(src, idx, dim, xs):
    """For every position of ``xs``, the product of the ``src`` values scattered to it along ``dim``
    (1 where none is), as a product over a dense one-hot axis: exact gradients also at zeros."""
    d = norm_dim(len(xs), dim, "scatter_reduce")
    n = xs[d]
    onehot = idx[..., None] == np.arange(n)                          # index.shape + (n,)
    dt = raw(src).dtype
    picked = ops.where(onehot, ops.reshape(src, idx.shape + (1,)), np.ones((), dt))
    prods = ops.prod(picked, d - idx.ndim - 1)                       # index.shape without d, + (n,)
    nd = idx.ndim
    perm = tuple(range(d)) + (nd - 1,) + tuple(range(d, nd - 1))
    prods = ops.transpose(prods, perm)                               # index.shape with n at d
    corner = tuple(slice(0, m) for m in np.shape(raw(prods)))
    return ops.index_add(prods, corner, xs)                          # zeros outside: never selected


def index_select(x: ArrayLike, dim: int, index: ArrayLike) -> Tensor:
    """The entries ``index`` (1-D) of dimension ``dim``.

    >>> import retrograd as rg
    >>> rg.index_select(rg.tensor([[1, 2], [3, 4]]), 0, rg.tensor([1, 1]))
    tensor([[3, 4],
            [3, 4]])
    """
    xs = _shape(x)
    idx = _int_index(index, "index_select").reshape(-1)
    if not xs:
        if idx.size != 1:
            raise ShapeError("index_select: a 0-d input takes exactly one index")
        return ops.reshape(ops.getitem(ops.reshape(x, (1,)), (idx,)), ())
    d = norm_dim(len(xs), dim, "index_select")
    if np.any((idx < -xs[d]) | (idx >= xs[d])):
        raise IndexError(f"index_select: index out of range for dimension {dim} of size {xs[d]}")
    return ops.getitem(x, (slice(None),) * d + (idx,))


def index_add(x: ArrayLike, dim: int, index: ArrayLike, source: ArrayLike, *, alpha: float = 1) -> Tensor:
    """A copy of ``x`` with ``alpha * source`` added at the entries ``index`` of dimension ``dim``.

    >>> import retrograd as rg
    >>> rg.index_add(rg.zeros(3), 0, rg.tensor([0, 0, 2]), rg.tensor([1.0, 2.0, 5.0]))
    tensor([3., 0., 5.])
    """
    xs = _shape(x)
    idx = _int_index(index, "index_add").reshape(-1)
    d = norm_dim(len(xs), dim, "index_add")
    expected = xs[:d] + (idx.size,) + xs[d + 1:]
    if _shape(source) != expected:
        raise ShapeError(f"index_add: source has shape {_shape(source)}; expected {expected}")
    if np.any((idx < -xs[d]) | (idx >= xs[d])):
        raise IndexError(f"index_add: index out of range for dimension {dim} of size {xs[d]}")
    src = _same_dtype(source, x)
    if alpha != 1:
        src = src * alpha
    return x + ops.index_add(src, (slice(None),) * d + (idx,), xs)


def masked_fill(x: ArrayLike, mask: ArrayLike, value: ArrayLike) -> Tensor:
    """A copy of ``x`` with ``value`` (a number or 0-d tensor) where the boolean ``mask`` is true.

    >>> import retrograd as rg
    >>> rg.masked_fill(rg.tensor([1.0, 2.0]), rg.tensor([True, False]), 0.0)
    tensor([0., 2.])
    """
    m = np.asarray(raw(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a boolean tensor, got dtype {m.dtype}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    out = ops.where(m, _same_dtype(value, x), x)
    if _shape(out) != _shape(x):
        raise ShapeError(f"masked_fill: mask of shape {m.shape} does not broadcast to the input's shape {_shape(x)}")
    return out


def masked_select(x: ArrayLike, mask: ArrayLike) -> Tensor:
    """The elements of ``x`` where the boolean ``mask`` is true, as a 1-D tensor (both broadcast).

    >>> import retrograd as rg
    >>> rg.masked_select(rg.tensor([1.0, 2.0, 3.0]), rg.tensor([True, False, True]))
    tensor([1., 3.])
    """
    m = np.asarray(raw(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"masked_select: mask must be a boolean tensor, got dtype {m.dtype}")
    shape = np.broadcast_shapes(_shape(x), m.shape)
    if _shape(x) != shape:
        x = ops.broadcast_to(x, shape)
    return ops.getitem(x, (np.broadcast_to(m, shape),))


def nonzero(x: ArrayLike, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim.

    >>> import retrograd as rg
    >>> rg.nonzero(rg.tensor([0, 3, 0, 5]))
    tensor([[1],
            [3]])
    """
    a = np.asarray(raw(x))
    if as_tuple:
        return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor(np.argwhere(a).astype(np.int64))


def one_hot(tensor: ArrayLike, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot rows (int64), ``num_classes`` wide (the largest index + 1 by default).

    >>> import retrograd as rg
    >>> rg.one_hot(rg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = _int_index(tensor, "one_hot")
    if num_classes == -1:
        if idx.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got {idx.min()} ... {idx.max()}")
    return Tensor((idx[..., None] == np.arange(num_classes)).astype(np.int64))
