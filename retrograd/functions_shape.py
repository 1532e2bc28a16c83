"""Shape functions with PyTorch's names: unflatten, repeat, tile, repeat_interleave, chunk, split,
tensor_split, flip, roll, movedim, narrow, pad, tril, triu, diag, diagonal, trace, meshgrid,
atleast_1d/2d/3d (``flatten`` and ``Tensor.expand`` live in functions.py and tensor.py).

All are compositions of the shape primitives (reshape, transpose, broadcast_to, getitem,
index_add, concatenate, where), so every derivative, of every order, comes from theirs.
"""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .core import Tensor
from .dims import norm_dim, norm_dims
from .errors import ShapeError
from .hints import ArrayLike, Shape
from .ops.primitive import raw


def _shape(x) -> tuple:
    return np.shape(raw(x))


def _sizes(args: Sequence[Any]) -> tuple[int, ...]:
    """Accept ``f(x, 2, 3)`` and ``f(x, (2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, np.ndarray)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def _slice_on(ndim, dim, sl):
    return (slice(None),) * dim + (sl,) + (slice(None),) * (ndim - dim - 1)


def unflatten(x: ArrayLike, dim: int, sizes: Shape) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one entry may be -1).

    >>> import retrograd as rg
    >>> rg.unflatten(rg.zeros(2, 12), 1, (3, -1)).shape
    (2, 3, 4)
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "unflatten")
    sizes = _sizes((sizes,))
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1:
        raise ValueError("unflatten: only one size may be -1")
    if -1 in sizes:
        if known == 0 or shape[d] % known:
            raise ShapeError(f"unflatten: cannot split dimension {dim} of size {shape[d]} into {sizes}")
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    if int(np.prod(sizes)) != shape[d]:
        raise ShapeError(f"unflatten: sizes {sizes} multiply to {int(np.prod(sizes))}, "
                         f"not to the size {shape[d]} of dimension {dim}")
    return ops.reshape(x, shape[:d] + sizes + shape[d + 1:])


def repeat(x: ArrayLike, *sizes: int | Shape) -> Tensor:
    """Tile ``x``: repeat it ``sizes[i]`` times along dimension i (PyTorch's ``Tensor.repeat``).

    ``sizes`` may be longer than ``x.ndim``: new leading dimensions are added.

    >>> import retrograd as rg
    >>> rg.repeat(rg.tensor([1, 2]), 2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    sizes = _sizes(sizes)
    shape = _shape(x)
    if len(sizes) < len(shape):
        raise ShapeError(f"repeat: give at least one repeat count per dimension ({len(shape)}), "
                         f"got {len(sizes)}")
    if builtins.any(s < 0 for s in sizes):
        raise ValueError(f"repeat: repeat counts must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - len(shape)) + shape
    inter = tuple(v for n in shape for v in (1, n))
    big = tuple(v for r, n in zip(sizes, shape) for v in (r, n))
    y = ops.broadcast_to(ops.reshape(x, inter), big)
    return ops.reshape(y, tuple(r * n for r, n in zip(sizes, shape)))


def tile(x: ArrayLike, dims: Shape) -> Tensor:
    """Repeat ``x`` ``dims[i]`` times along each dimension; missing leading counts are 1.

    >>> import retrograd as rg
    >>> rg.tile(rg.tensor([[1, 2]]), (2,))
    tensor([[1, 2, 1, 2]])
    """
    dims = _sizes((dims,))
    nd = len(_shape(x))
    return repeat(x, (1,) * (nd - len(dims)) + dims)


def repeat_interleave(x: ArrayLike, repeats: ArrayLike | None = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``.

    Without ``dim`` the input is flattened first. ``rg.repeat_interleave(counts)`` alone gives
    each index repeated by its count, as in PyTorch.

    >>> import retrograd as rg
    >>> rg.repeat_interleave(rg.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    >>> rg.repeat_interleave(rg.tensor([[1, 2], [3, 4]]), rg.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    """
    if repeats is None:  # repeat_interleave(counts)
        counts = np.asarray(raw(x))
        return Tensor(np.repeat(np.arange(counts.size), counts.reshape(-1)))
    if dim is None:
        x, dim = ops.reshape(x, (-1,)), 0
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "repeat_interleave")
    reps = np.asarray(raw(repeats))
    if reps.dtype.kind not in "iu":
        raise TypeError(f"repeat_interleave: repeats must be integers, got dtype {reps.dtype}")
    if np.any(reps < 0):
        raise ValueError("repeat_interleave: repeats must be non-negative")
    if not shape:
        x, shape, d = ops.reshape(x, (1,)), (1,), 0
    if reps.size == 1:
        r = int(reps.reshape(()))
        y = ops.reshape(x, shape[:d + 1] + (1,) + shape[d + 1:])
        y = ops.broadcast_to(y, shape[:d + 1] + (r,) + shape[d + 1:])
        return ops.reshape(y, shape[:d] + (shape[d] * r,) + shape[d + 1:])
    if reps.shape != (shape[d],):
        raise ShapeError(f"repeat_interleave: repeats has shape {reps.shape}; it needs one count per "
                         f"element of dimension {dim} ({shape[d]})")
    index = np.repeat(np.arange(shape[d]), reps)
    return ops.getitem(x, _slice_on(len(shape), d, index))


def chunk(x: ArrayLike, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of equal size (the last may be smaller, and fewer may come back).

    >>> import retrograd as rg
    >>> [c.tolist() for c in rg.chunk(rg.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
    """
    if int(chunks) <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "chunk")
    n = shape[d]
    size = -(-n // int(chunks)) if n else 0
    if size == 0:
        return tuple(ops.getitem(x, _slice_on(len(shape), d, slice(0, 0))) for _ in range(int(chunks)))
    return split(x, size, dim)


def split(x: ArrayLike, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Split into pieces of ``split_size`` (an int) or of the given sizes (a list).

    >>> import retrograd as rg
    >>> [c.tolist() for c in rg.split(rg.arange(5), [1, 4])]
    [[0], [1, 2, 3, 4]]
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "split")
    n = shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and n:
            raise ValueError(f"split: split_size must be positive, got {size}")
        bounds = list(range(0, n, size)) + [n] if n else [0, 0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n or builtins.any(s < 0 for s in sizes):
            raise ShapeError(f"split: sizes {sizes} must be non-negative and add up to {n}, the size of "
                             f"dimension {dim}")
        bounds = list(np.cumsum([0] + sizes))
    return tuple(ops.getitem(x, _slice_on(len(shape), d, slice(int(a), int(b))))
                 for a, b in itertools.pairwise(bounds))


def tensor_split(x: ArrayLike, indices_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """NumPy's ``array_split``: ``n`` near-equal sections, or cut at the given indices.

    >>> import retrograd as rg
    >>> [c.tolist() for c in rg.tensor_split(rg.arange(5), 3)]
    [[0, 1], [2, 3], [4]]
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "tensor_split")
    n = shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"tensor_split: the number of sections must be positive, got {k}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds = list(np.cumsum([0] + sizes))
    else:
        cuts = [int(i) for i in np.asarray(raw(indices_or_sections)).reshape(-1)]
        bounds = [0] + cuts + [n]
    return tuple(ops.getitem(x, _slice_on(len(shape), d, slice(int(a), builtins.max(int(a), int(b)))))
                 for a, b in itertools.pairwise(bounds))


def flip(x: ArrayLike, dims: int | Sequence[int]) -> Tensor:
    """Reverse the order of elements along ``dims``.

    >>> import retrograd as rg
    >>> rg.flip(rg.tensor([1, 2, 3]), 0)
    tensor([3, 2, 1])
    """
    shape = _shape(x)
    dims = norm_dims(len(shape), dims, "flip")
    if not shape:
        return ops.reshape(x, ())
    idx = tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(len(shape)))
    return ops.getitem(x, idx)


def roll(x: ArrayLike, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
    """Shift elements along ``dims`` cyclically (flattened first when ``dims`` is None).

    >>> import retrograd as rg
    >>> rg.roll(rg.tensor([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    """
    if dims is None:
        shape = _shape(x)
        return ops.reshape(roll(ops.reshape(x, (-1,)), shifts, 0), shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: give one shift per dim, got shifts {shifts} and dims {dims}")
    shape = _shape(x)
    for s, dim in zip(shifts, dims):
        d = norm_dim(len(shape), dim, "roll")
        if not shape:
            continue
        n = shape[d]
        s = int(s) % n if n else 0
        if s == 0:
            continue
        nd = len(shape)
        x = ops.concatenate(ops.getitem(x, _slice_on(nd, d, slice(n - s, None))),
                            ops.getitem(x, _slice_on(nd, d, slice(0, n - s))), axis=d - nd)
    return x  # type: ignore[return-value]  # plain arrays in, plain arrays out


def movedim(x: ArrayLike, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination``; the others keep their order.

    >>> import retrograd as rg
    >>> rg.movedim(rg.zeros(2, 3, 4), 0, -1).shape
    (3, 4, 2)
    """
    nd = len(_shape(x))
    src, dst = norm_dims(nd, source, "movedim"), norm_dims(nd, destination, "movedim")
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {source} and destination {destination} differ in length")
    rest = [i for i in range(nd) if i not in src]
    perm: list[int | None] = [None] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(rest)
    perm = [p if p is not None else next(it) for p in perm]
    return ops.transpose(x, tuple(perm)) if nd else ops.reshape(x, ())


moveaxis = movedim


def narrow(x: ArrayLike, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start : start + length`` of dimension ``dim`` (``start`` may be negative).

    >>> import retrograd as rg
    >>> rg.narrow(rg.arange(6), 0, 2, 3)
    tensor([2, 3, 4])
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "narrow")
    n = shape[d]
    start = int(raw(start))
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range for dimension {dim} of size {n}")
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise ValueError(f"narrow: start ({start}) + length ({length}) exceeds dimension {dim} of size {n}")
    return ops.getitem(x, _slice_on(len(shape), d, slice(start, start + int(length))))


def pad(x: ArrayLike, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions (PyTorch's ``F.pad``): ``pad`` is
    ``(left_last, right_last, left_2nd_last, right_2nd_last, ...)``.

    ``mode`` is ``"constant"`` (with ``value``, 0 by default), ``"reflect"`` or ``"replicate"``.
    Negative constant padding crops.

    >>> import retrograd as rg
    >>> rg.pad(rg.tensor([1.0, 2.0, 3.0]), (1, 2))
    tensor([0., 1., 2., 3., 0., 0.])
    >>> rg.pad(rg.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    pad = tuple(int(p) for p in pad)
    shape = _shape(x)
    nd = len(shape)
    if len(pad) % 2 or len(pad) // 2 > nd:
        raise ValueError(f"pad: pad must have an even length of at most 2 * ndim ({2 * nd}), got {pad}")
    pairs = [(nd - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    if mode == "constant":
        return _pad_constant(x, shape, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: unknown mode {mode!r}; use 'constant', 'reflect', 'replicate' or 'circular'")
    if value not in (None, 0):
        raise ValueError(f"pad: value= is only used by mode='constant', not {mode!r}")
    for d, lo, hi in pairs:
        n = shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise ValueError(f"pad: reflect padding ({lo}, {hi}) must be smaller than the size {n} of "
                             f"dimension {d}")
        if n == 0 and (lo or hi):
            raise ValueError(f"pad: cannot {mode}-pad the empty dimension {d}")
        i = np.arange(-lo, n + hi)
        if mode == "reflect":
            period = 2 * (n - 1) if n > 1 else 1
            i = np.abs(i) % period if n > 1 else np.zeros_like(i)
            i = np.where(i >= n, period - i, i)
        elif mode == "replicate":
            i = np.clip(i, 0, n - 1)
        else:
            i = i % n
        x = ops.getitem(x, _slice_on(nd, d, i))
    return x  # type: ignore[return-value]  # plain arrays in, plain arrays out


def _pad_constant(x, shape, pairs, value):
    nd = len(shape)
    crop, place, grow = [slice(None)] * nd, [slice(None)] * nd, list(shape)
    for d, lo, hi in pairs:
        start, stop = builtins.max(-lo, 0), shape[d] - builtins.max(-hi, 0)
        if stop < start:
            raise ShapeError(f"pad: padding ({lo}, {hi}) leaves a negative size for dimension {d}")
        crop[d] = slice(start, stop)
        grow[d] = shape[d] + lo + hi
        place[d] = slice(builtins.max(lo, 0), builtins.max(lo, 0) + stop - start)
    if builtins.any(lo < 0 or hi < 0 for _, lo, hi in pairs):
        x = ops.getitem(x, tuple(crop))
    out = ops.index_add(x, tuple(place), tuple(grow))
    if value != 0:
        mask = np.ones(grow, dtype=bool)
        mask[tuple(place)] = False
        out = ops.where(mask, np.asarray(raw(value), dtype=raw(out).dtype), out)
    return out


def _tri(x, diagonal, op, keep):
    shape = _shape(x)
    if len(shape) < 2:
        raise ShapeError(f"{op}: needs a tensor with at least 2 dimensions, got shape {shape}")
    mask = keep(np.ones(shape[-2:], dtype=bool), int(diagonal))
    return ops.where(mask, x, np.zeros((), raw(x).dtype))


def tril(x: ArrayLike, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below ``diagonal``) of the last two dimensions; zeros above.

    >>> import retrograd as rg
    >>> rg.tril(rg.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    return _tri(x, diagonal, "tril", np.tril)


def triu(x: ArrayLike, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above ``diagonal``) of the last two dimensions; zeros below.

    >>> import retrograd as rg
    >>> rg.triu(rg.ones(2, 2))
    tensor([[1., 1.],
            [0., 1.]])
    """
    return _tri(x, diagonal, "triu", np.triu)


def _diag_index(rows, cols, offset):
    n = builtins.max(0, builtins.min(rows, cols - offset) if offset >= 0 else builtins.min(rows + offset, cols))
    r = np.arange(n) + builtins.max(-offset, 0)
    return r, r + offset


def diagonal(x: ArrayLike, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the ``dim1``, ``dim2`` planes, as a new last dimension.

    >>> import retrograd as rg
    >>> rg.diagonal(rg.tensor([[1, 2], [3, 4]]))
    tensor([1, 4])
    """
    shape = _shape(x)
    nd = len(shape)
    if nd < 2:
        raise ShapeError(f"diagonal: needs at least 2 dimensions, got shape {shape}")
    a, b = norm_dim(nd, dim1, "diagonal"), norm_dim(nd, dim2, "diagonal")
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 are the same dimension ({dim1})")
    perm = tuple(i for i in range(nd) if i not in (a, b)) + (a, b)
    y = ops.transpose(x, perm) if perm != tuple(range(nd)) else x
    r, c = _diag_index(shape[a], shape[b], int(offset))
    return ops.getitem(y, (Ellipsis, r, c))


def diag(x: ArrayLike, diagonal: int = 0) -> Tensor:
    """A 1-D tensor's values on a diagonal of a square matrix, or a matrix's diagonal as 1-D.

    >>> import retrograd as rg
    >>> rg.diag(rg.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    shape = _shape(x)
    k = int(diagonal)
    if len(shape) == 1:
        n = shape[0] + builtins.abs(k)
        r, c = _diag_index(n, n, k)
        return ops.index_add(x, (r, c), (n, n))
    if len(shape) == 2:
        return globals()["diagonal"](x, k)
    raise ShapeError(f"diag: expects a 1-D or 2-D tensor, got shape {shape}")


def trace(x: ArrayLike) -> Tensor:
    """Sum of the main diagonal of a matrix.

    >>> import retrograd as rg
    >>> rg.trace(rg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    if len(_shape(x)) != 2:
        raise ShapeError(f"trace: expects a 2-D tensor, got shape {_shape(x)}")
    return ops.sum_(diagonal(x), (-1,))


def meshgrid(*tensors: ArrayLike, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (``indexing="ij"`` as PyTorch's default, or ``"xy"``).

    >>> import retrograd as rg
    >>> a, b = rg.meshgrid(rg.tensor([1, 2]), rg.tensor([3, 4, 5]))
    >>> a.shape, b.shape
    ((2, 3), (2, 3))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = []
    for t in tensors:
        if len(_shape(t)) > 1:
            raise ShapeError(f"meshgrid: expects 0-d or 1-D tensors, got shape {_shape(t)}")
        sizes.append(int(np.prod(_shape(t))))
    n = len(sizes)
    swap = indexing == "xy" and n >= 2
    out_shape = list(sizes)
    if swap:
        out_shape[0], out_shape[1] = out_shape[1], out_shape[0]
    grids = []
    for i, t in enumerate(tensors):
        pos = (1 - i if i < 2 else i) if swap else i
        view = [1] * n
        view[pos] = sizes[i]
        grids.append(ops.broadcast_to(ops.reshape(t, tuple(view)), tuple(out_shape)))
    return tuple(grids)


def _atleast(nd, args, where_new):
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    out = []
    for t in args:
        shape = _shape(t)
        if len(shape) < nd:
            shape = where_new(shape)
        out.append(ops.reshape(t, shape) if shape != _shape(t) else t)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*tensors: ArrayLike) -> Any:
    """Views with at least one dimension (0-d becomes shape (1,)).

    >>> import retrograd as rg
    >>> rg.atleast_1d(rg.tensor(1.0)).shape
    (1,)
    """
    return _atleast(1, tensors, lambda s: (1,))


def atleast_2d(*tensors: ArrayLike) -> Any:
    """Views with at least two dimensions (1-D of size n becomes (1, n)).

    >>> import retrograd as rg
    >>> rg.atleast_2d(rg.tensor([1.0, 2.0])).shape
    (1, 2)
    """
    return _atleast(2, tensors, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*tensors: ArrayLike) -> Any:
    """Views with at least three dimensions: (n,) -> (1, n, 1), (m, n) -> (m, n, 1).

    >>> import retrograd as rg
    >>> rg.atleast_3d(rg.zeros(2, 3)).shape
    (2, 3, 1)
    """
    return _atleast(3, tensors, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


def select(x: ArrayLike, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of dimension ``dim``, which disappears (PyTorch's ``select``:
    ``x.select(1, 2)`` is ``x[:, 2]``).

    >>> import retrograd as rg
    >>> rg.select(rg.arange(6).reshape(2, 3), 1, -1)
    tensor([2, 5])
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "select")
    n, i = shape[d], int(raw(index))
    if not -n <= i < n:
        raise IndexError(f"select: index {i} is out of range for dimension {dim} of size {n}")
    return ops.getitem(x, (slice(None),) * d + (i % n,))


def unbind(x: ArrayLike, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim`` as a tuple of tensors without that dimension (PyTorch's ``unbind``).

    >>> import retrograd as rg
    >>> rg.unbind(rg.tensor([[1, 2], [3, 4]]), 1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    shape = _shape(x)
    d = norm_dim(len(shape), dim, "unbind")
    return tuple(select(x, d, i) for i in range(shape[d]))
