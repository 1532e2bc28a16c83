"""The Tensor's operators and PyTorch-named methods, installed onto :class:`retrograd.core.Tensor`.

The core holds the Tensor's state; the methods here call the array functions (``functions*.py``,
``conversion``, ``inplace``), so they live at the functions layer and are installed onto the
class when this module is imported (``import retrograd`` does). ``retrograd.tensor.Tensor`` is
the core's class.

>>> import retrograd as rg
>>> w = rg.tensor(3.0, requires_grad=True, name="w")
>>> J = (2 + 3 * w) ** 2
>>> J.backward()
>>> w.grad
tensor(66.)
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from . import (
    conversion as _fc,
    creation as _cr,
    functions as _f,
    functions_index as _fi,
    functions_logic as _fl,
    functions_math as _fm,
    functions_shape as _fs,
    inplace as _ip,
    ops,
)
from .backend import CPU
from .core import (
    Tensor as Tensor,
    add_methods,
    apply_binary as _binary,
    apply_unary as _unary,
    as_tensor as as_tensor,
    from_numpy as from_numpy,
    operand,
    promote,
    tensor as tensor,
    wrap,
)
from .errors import shape_error
from .hints import ArrayLike, Axis, DeviceLike, DTypeLike, Shape

if TYPE_CHECKING:  # the type checker reads the methods as Tensor's (they are installed onto it)
    _Base = Tensor
else:
    _Base = object


class _TensorMethods(_Base):
    """The methods of :class:`retrograd.core.Tensor` that need the array functions (installed below).

    Each is a thin call of the function of the same name (see functions_*.py, conversion.py).
    """

    def size(self, dim: Axis = None) -> Any:
        """The shape (PyTorch's ``size()``), or one dimension of it."""
        if dim is None:
            return self.data.shape
        if self.data.ndim == 0:
            raise _f.AxisError(f"size: axis {dim} is out of range for a tensor with 0 dimension(s); "
                               "a 0-d tensor has no sizes (its shape is ())")
        return self.data.shape[_f._axis(dim, self.data.ndim, "size")]

    # ----- operators ---------------------------------------------------------------
    def __add__(self, other): return _binary(ops.add, self, other)
    def __radd__(self, other): return _binary(ops.add, other, self)
    def __sub__(self, other): return _binary(ops.sub, self, other)
    def __rsub__(self, other): return _binary(ops.sub, other, self)
    def __mul__(self, other): return _binary(ops.mul, self, other)
    def __rmul__(self, other): return _binary(ops.mul, other, self)
    def __truediv__(self, other): return _binary(ops.div, self, other)
    def __rtruediv__(self, other): return _binary(ops.div, other, self)
    def __pow__(self, other): return _binary(ops.power, self, other)
    def __rpow__(self, other): return _binary(ops.power, other, self)
    def __matmul__(self, other): return _binary(ops.matmul, self, other)
    def __rmatmul__(self, other): return _binary(ops.matmul, other, self)
    def __neg__(self): return _unary(ops.neg, self)
    def __pos__(self): return self
    def __abs__(self): return _unary(ops.absolute, self)
    def __getitem__(self, idx): return _f.getitem(self, idx)

    # In-place operators: the same object, its memory written (see retrograd.inplace).
    def __iadd__(self, other): return _ip.binary_(self, other, "add")
    def __isub__(self, other): return _ip.binary_(self, other, "sub")
    def __imul__(self, other): return _ip.binary_(self, other, "mul")
    def __itruediv__(self, other): return _ip.binary_(self, other, "div")
    def __setitem__(self, idx, value): _ip.setitem(self, idx, value)

    # Comparisons are not differentiable: they give boolean tensors.
    def __lt__(self, other): return _compare(np.less, self, other)
    def __le__(self, other): return _compare(np.less_equal, self, other)
    def __gt__(self, other): return _compare(np.greater, self, other)
    def __ge__(self, other): return _compare(np.greater_equal, self, other)
    def __eq__(self, other): return _compare(np.equal, self, other)
    def __ne__(self, other): return _compare(np.not_equal, self, other)

    # ----- methods (PyTorch names) ---------------------------------------------------
    def exp(self) -> Tensor: return _unary(ops.exp, self)
    def log(self) -> Tensor: return _unary(ops.log, self)
    def sqrt(self) -> Tensor: return _unary(ops.sqrt, self)
    def sin(self) -> Tensor: return _unary(ops.sin, self)
    def cos(self) -> Tensor: return _unary(ops.cos, self)
    def tan(self) -> Tensor: return _unary(ops.tan, self)
    def tanh(self) -> Tensor: return _unary(ops.tanh, self)
    def sigmoid(self) -> Tensor: return _unary(ops.sigmoid, self)
    def relu(self) -> Tensor: return _unary(ops.relu, self)
    def abs(self) -> Tensor: return _unary(ops.absolute, self)
    def pow(self, exponent: Any) -> Tensor: return _binary(ops.power, self, exponent)
    def matmul(self, other: ArrayLike) -> Tensor: return _binary(ops.matmul, self, other)
    def maximum(self, other: ArrayLike) -> Tensor: return _binary(ops.maximum, self, other)
    def minimum(self, other: ArrayLike) -> Tensor: return _binary(ops.minimum, self, other)

    def clip(self, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Tensor:
        return _f.clip(self, min, max)
    clamp = clip

    # ----- in-place methods (PyTorch names; see retrograd.inplace for the rules) -----------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self += alpha * other`` in place; returns self.

        >>> import retrograd as rg
        >>> rg.tensor([1.0, 2.0]).add_(1)
        tensor([2., 3.])
        """
        return _ip.binary_(self, other, "add", alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self -= alpha * other`` in place; returns self."""
        return _ip.binary_(self, other, "sub", alpha)

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place; returns self."""
        return _ip.binary_(self, other, "mul")

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place; returns self."""
        return _ip.binary_(self, other, "div")

    def neg_(self) -> Tensor:
        """``self = -self`` in place; returns self."""
        return _ip.unary_(self, "neg", np.negative, lambda old: -old)

    def zero_(self) -> Tensor:
        """Every element becomes 0, in place; returns self.

        >>> import retrograd as rg
        >>> rg.ones(2).zero_()
        tensor([0., 0.])
        """
        return _ip.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        """Every element becomes ``value``, in place; returns self."""
        return _ip.fill_(self, value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src``'s values (broadcast to this shape, cast to this dtype) into self; returns self."""
        return _ip.copy_(self, src)

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]`` in place; returns self."""
        return _ip.unary_(self, "clip", lambda a: np.clip(a, min, max), lambda old: _f.clip(old, min, max))
    clamp_ = clip_

    def sum(self, axis: Axis = None, keepdims: builtins.bool | None = False, *, dim: Axis = None,
            keepdim: builtins.bool | None = None, dtype: DTypeLike = None) -> Tensor:
        return _f.sum(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, axis: Axis = None, keepdims: builtins.bool | None = False, *, dim: Axis = None,
             keepdim: builtins.bool | None = None) -> Tensor:
        return _f.mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(self, dim: Axis | ArrayLike = None, keepdim: builtins.bool | None = False, *, axis: Axis = None,
            keepdims: builtins.bool | None = None) -> Any:
        """PyTorch's ``max``: over all elements, ``(values, indices)`` along ``dim``, or the
        elementwise maximum with another tensor. ``axis=`` (NumPy) gives values only.

        >>> import retrograd as rg
        >>> t = rg.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> t.max(), t.max(dim=1).indices, t.max(axis=1)
        (tensor(7.), tensor([1, 0]), tensor([5., 7.]))
        """
        return _f.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim: Axis | ArrayLike = None, keepdim: builtins.bool | None = False, *, axis: Axis = None,
            keepdims: builtins.bool | None = None) -> Any:
        """PyTorch's ``min``: see :meth:`max`."""
        return _f.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim: Axis = None, keepdim: builtins.bool | None = None, *, axis: Axis = None,
             keepdims: builtins.bool | None = False) -> Tensor:
        """Largest values over ``dim`` (values only; tied maxima share the gradient)."""
        return _f.amax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def amin(self, dim: Axis = None, keepdim: builtins.bool | None = None, *, axis: Axis = None,
             keepdims: builtins.bool | None = False) -> Tensor:
        """Smallest values over ``dim`` (values only; tied minima share the gradient)."""
        return _f.amin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def var(self, dim: Axis = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: builtins.int | None = None, ddof: builtins.int | None = None, axis: Axis = None,
            keepdims: builtins.bool | None = None) -> Tensor:
        return _f.var(self, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
                      keepdims=keepdims)

    def logsumexp(self, axis: Axis = None, keepdims: builtins.bool | None = False, *, dim: Axis = None,
                  keepdim: builtins.bool | None = None) -> Tensor:
        return _f.logsumexp(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> Tensor:
        return _f.softmax(self, axis if dim is None else dim)
    def log_softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> Tensor:
        return _f.log_softmax(self, axis if dim is None else dim)
    def argmax(self, axis: builtins.int | None = None, keepdims: builtins.bool | None = False, *,
               dim: builtins.int | None = None, keepdim: builtins.bool | None = None) -> Tensor:
        return _f.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis: builtins.int | None = None, keepdims: builtins.bool | None = False, *,
               dim: builtins.int | None = None, keepdim: builtins.bool | None = None) -> Tensor:
        return _f.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape: builtins.int | Shape) -> Tensor: return _f.reshape(self, _shape_args(shape))
    view = reshape

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Merge the axes from ``start_dim`` to ``end_dim`` into one (all of them by default).

        >>> import retrograd as rg
        >>> rg.zeros(2, 3, 4).flatten(1).shape
        (2, 12)
        """
        return _f.flatten(self, start_dim, end_dim)
    def transpose(self, *axes: Any) -> Tensor: return _f.transpose(self, *axes)
    def permute(self, *axes: Any) -> Tensor: return _f.permute(self, _shape_args(axes))
    def squeeze(self, axis: Axis = None, *, dim: Axis = None) -> Tensor:
        return _f.squeeze(self, axis if dim is None else dim)
    def unsqueeze(self, axis: builtins.int | None = None, *, dim: builtins.int | None = None) -> Tensor:
        return _f.unsqueeze(self, axis if dim is None else dim)
    def broadcast_to(self, *shape: Shape) -> Tensor: return _f.broadcast_to(self, _shape_args(shape))

    def expand(self, *sizes: Any) -> Tensor:
        """PyTorch's ``expand``: ``broadcast_to`` where a size of -1 keeps that axis.

        >>> import retrograd as rg
        >>> rg.zeros(2, 1).expand(-1, 3).shape
        (2, 3)
        """
        sizes = _shape_args(sizes)
        lead = len(sizes) - self.data.ndim
        return _f.broadcast_to(self, tuple(self.data.shape[i - lead] if n == -1 and i >= lead else n
                                           for i, n in enumerate(sizes)))

    @property
    def T(self) -> Tensor:
        """All axes reversed (NumPy's ``.T``)."""
        return _f.transpose(self)

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (matrix transpose over a batch)."""
        return _f.swapaxes(self, -1, -2)

    # ===== Breadth (issue 13): PyTorch's tensor methods, by family =======================
    # Each is a thin call of the function of the same name (see functions_*.py, conversion.py).

    # ----- conversion ------------------------------------------------------------------
    @property
    def device(self) -> Any:
        """Where the data lives: always ``device(type='cpu')``."""
        return CPU

    @property
    def is_cuda(self) -> builtins.bool:
        """Always False: retrograd computes on the CPU."""
        return False

    def to(self, *args: Any, **kwargs: Any) -> Any: return _fc.to(self, *args, **kwargs)
    def cpu(self) -> Tensor: return self
    def clone(self) -> Any: return _fc.clone(self)
    def contiguous(self) -> Any: return _fc.contiguous(self)
    def is_contiguous(self) -> builtins.bool: return bool(self.data.flags.c_contiguous)
    def type_as(self, other: ArrayLike) -> Any: return _fc.type_as(self, other)
    def float(self) -> Tensor: return _fc.to_dtype(self, np.float32)
    def double(self) -> Tensor: return _fc.to_dtype(self, np.float64)
    def half(self) -> Tensor: return _fc.to_dtype(self, np.float16)
    def long(self) -> Tensor: return _fc.to_dtype(self, np.int64)
    def int(self) -> Tensor: return _fc.to_dtype(self, np.int32)
    def bool(self) -> Tensor: return _fc.to_dtype(self, np.bool_)
    def dim(self) -> builtins.int: return self.data.ndim
    ndimension = dim

    # ----- boolean and integer arithmetic -------------------------------------------------
    def __and__(self, other): return _fl.bitwise_and(self, other)
    def __rand__(self, other): return _fl.bitwise_and(other, self)
    def __or__(self, other): return _fl.bitwise_or(self, other)
    def __ror__(self, other): return _fl.bitwise_or(other, self)
    def __xor__(self, other): return _fl.bitwise_xor(self, other)
    def __rxor__(self, other): return _fl.bitwise_xor(other, self)
    def __invert__(self): return _fl.bitwise_not(self)
    def __floordiv__(self, other): return _fm.floor_divide(self, other)
    def __rfloordiv__(self, other): return _fm.floor_divide(other, self)
    def __mod__(self, other): return _fm.remainder(self, other)
    def __rmod__(self, other): return _fm.remainder(other, self)
    def bitwise_and(self, other: Any) -> Tensor: return _fl.bitwise_and(self, other)
    def bitwise_or(self, other: Any) -> Tensor: return _fl.bitwise_or(self, other)
    def bitwise_xor(self, other: Any) -> Tensor: return _fl.bitwise_xor(self, other)
    def bitwise_not(self) -> Tensor: return _fl.bitwise_not(self)
    def logical_and(self, other: Any) -> Tensor: return _fl.logical_and(self, other)
    def logical_or(self, other: Any) -> Tensor: return _fl.logical_or(self, other)
    def logical_xor(self, other: Any) -> Tensor: return _fl.logical_xor(self, other)
    def logical_not(self) -> Tensor: return _fl.logical_not(self)
    def floor(self) -> Tensor: return _fm.floor(self)
    def ceil(self) -> Tensor: return _fm.ceil(self)
    def round(self, decimals: builtins.int = 0) -> Tensor: return _fm.round(self, decimals)
    def trunc(self) -> Tensor: return _fm.trunc(self)
    def sign(self) -> Tensor: return _fm.sign(self)
    def fmod(self, other: ArrayLike) -> Tensor: return _fm.fmod(self, other)
    def remainder(self, other: ArrayLike) -> Tensor: return _fm.remainder(self, other)
    def floor_divide(self, other: ArrayLike) -> Tensor: return _fm.floor_divide(self, other)
    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _fm.div(self, other, rounding_mode=rounding_mode)
    divide = div
    def isnan(self) -> Tensor: return _fl.isnan(self)
    def isinf(self) -> Tensor: return _fl.isinf(self)
    def isfinite(self) -> Tensor: return _fl.isfinite(self)
    def isclose(self, other: Any, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
                equal_nan: builtins.bool = False) -> Tensor:
        return _fl.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other: Any, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
                 equal_nan: builtins.bool = False) -> builtins.bool:
        return _fl.allclose(self, other, rtol, atol, equal_nan)
    def nan_to_num(self, nan: builtins.float = 0.0, posinf: builtins.float | None = None,
                   neginf: builtins.float | None = None) -> Tensor:
        return _fl.nan_to_num(self, nan, posinf, neginf)
    def any(self, dim: Axis = None, keepdim: builtins.bool = False, **kw: Any) -> Tensor:
        return _fl.any(self, dim, keepdim, **kw)
    def all(self, dim: Axis = None, keepdim: builtins.bool = False, **kw: Any) -> Tensor:
        return _fl.all(self, dim, keepdim, **kw)

    # ----- shapes ------------------------------------------------------------------------
    def unflatten(self, dim: builtins.int, sizes: Shape) -> Tensor: return _fs.unflatten(self, dim, sizes)
    def expand_as(self, other: Any) -> Tensor: return self.expand(other.shape)
    def repeat(self, *sizes: builtins.int | Shape) -> Tensor: return _fs.repeat(self, *sizes)
    def tile(self, *dims: Shape) -> Tensor: return _fs.tile(self, _shape_args(dims))
    def repeat_interleave(self, repeats: ArrayLike | None, dim: builtins.int | None = None, *,
                          output_size: builtins.int | None = None) -> Tensor:
        return _fs.repeat_interleave(self, repeats, dim, output_size=output_size)
    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _fs.chunk(self, chunks, dim)
    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _fs.split(self, split_size, dim)
    def tensor_split(self, indices_or_sections: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _fs.tensor_split(self, indices_or_sections, dim)
    def flip(self, *dims: Any) -> Tensor: return _fs.flip(self, _shape_args(dims))
    def roll(self, shifts: Any, dims: Any = None) -> Tensor: return _fs.roll(self, shifts, dims)
    def movedim(self, source: Any, destination: Any) -> Tensor: return _fs.movedim(self, source, destination)
    moveaxis = movedim
    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> Tensor:
        return _fs.narrow(self, dim, start, length)
    def tril(self, diagonal: builtins.int = 0) -> Tensor: return _fs.tril(self, diagonal)
    def triu(self, diagonal: builtins.int = 0) -> Tensor: return _fs.triu(self, diagonal)
    def diag(self, diagonal: builtins.int = 0) -> Tensor: return _fs.diag(self, diagonal)
    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
        return _fs.diagonal(self, offset, dim1, dim2)
    def trace(self) -> Tensor: return _fs.trace(self)

    # ----- indexing ----------------------------------------------------------------------
    def gather(self, dim: builtins.int, index: ArrayLike) -> Tensor: return _fi.gather(self, dim, index)
    def take_along_dim(self, indices: ArrayLike, dim: builtins.int | None = None) -> Tensor:
        return _fi.take_along_dim(self, indices, dim)
    def scatter(self, dim: builtins.int, index: ArrayLike, src: ArrayLike | None = None, *,
                value: ArrayLike | None = None, reduce: str | None = None) -> Tensor:
        return _fi.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim: builtins.int, index: ArrayLike, src: ArrayLike) -> Tensor:
        return _fi.scatter_add(self, dim, index, src)
    def scatter_reduce(self, dim: builtins.int, index: ArrayLike, src: ArrayLike, reduce: str, *,
                       include_self: builtins.bool = True) -> Tensor:
        return _fi.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_select(self, dim: builtins.int, index: ArrayLike) -> Tensor:
        return _fi.index_select(self, dim, index)
    def index_add(self, dim: builtins.int, index: ArrayLike, source: ArrayLike, *,
                  alpha: builtins.float = 1) -> Tensor:
        return _fi.index_add(self, dim, index, source, alpha=alpha)
    def masked_fill(self, mask: ArrayLike, value: ArrayLike) -> Tensor:
        return _fi.masked_fill(self, mask, value)
    def masked_select(self, mask: ArrayLike) -> Tensor: return _fi.masked_select(self, mask)
    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any: return _fi.nonzero(self, as_tuple=as_tuple)

    # ----- maths -------------------------------------------------------------------------
    def log1p(self) -> Tensor: return _unary(ops.log1p, self)
    def expm1(self) -> Tensor: return _unary(ops.expm1, self)
    def log2(self) -> Tensor: return _unary(ops.log2, self)
    def log10(self) -> Tensor: return _unary(ops.log10, self)
    def exp2(self) -> Tensor: return _unary(ops.exp2, self)
    def rsqrt(self) -> Tensor: return _unary(ops.rsqrt, self)
    def sinh(self) -> Tensor: return _unary(ops.sinh, self)
    def cosh(self) -> Tensor: return _unary(ops.cosh, self)
    def asin(self) -> Tensor: return _unary(ops.asin, self)
    def acos(self) -> Tensor: return _unary(ops.acos, self)
    def atan(self) -> Tensor: return _unary(ops.atan, self)
    arcsin, arccos, arctan = asin, acos, atan
    def erf(self) -> Tensor: return _unary(ops.erf, self)
    def square(self) -> Tensor: return _fm.square(self)
    def reciprocal(self) -> Tensor: return _fm.reciprocal(self)
    def atan2(self, other: ArrayLike) -> Tensor: return _fm.atan2(self, other)
    arctan2 = atan2
    def hypot(self, other: ArrayLike) -> Tensor: return _fm.hypot(self, other)
    def logaddexp(self, other: ArrayLike) -> Tensor: return _fm.logaddexp(self, other)
    def lerp(self, end: ArrayLike, weight: ArrayLike) -> Tensor: return _fm.lerp(self, end, weight)
    def std(self, dim: Axis = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: builtins.int | None = None, ddof: builtins.int | None = None, axis: Axis = None,
            keepdims: builtins.bool | None = None) -> Tensor:
        return _fm.std(self, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
                       keepdims=keepdims)
    def prod(self, dim: Axis = None, keepdim: builtins.bool | None = False, *,
             dtype: DTypeLike = None) -> Tensor:
        return _fm.prod(self, dim, keepdim, dtype=dtype)
    def cumsum(self, dim: builtins.int, *, dtype: DTypeLike = None) -> Tensor:
        return _fm.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim: builtins.int, *, dtype: DTypeLike = None) -> Tensor:
        return _fm.cumprod(self, dim, dtype=dtype)
    def cummax(self, dim: builtins.int) -> Any: return _fm.cummax(self, dim)
    def cummin(self, dim: builtins.int) -> Any: return _fm.cummin(self, dim)
    def logcumsumexp(self, dim: builtins.int) -> Tensor: return _fm.logcumsumexp(self, dim)
    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False, *,
             stable: builtins.bool = False) -> Any:
        return _fm.sort(self, dim, descending, stable=stable)
    def argsort(self, dim: builtins.int = -1, descending: builtins.bool = False, *,
                stable: builtins.bool = False) -> Tensor:
        return _fm.argsort(self, dim, descending, stable=stable)
    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
             sorted: builtins.bool = True) -> Any:
        return _fm.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        return _fm.kthvalue(self, k, dim, keepdim)
    def median(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        return _fm.median(self, dim, keepdim)
    def norm(self, p: str | builtins.float | None = 'fro', dim: Axis = None,
             keepdim: builtins.bool | None = False, dtype: DTypeLike = None) -> Tensor:
        return _fm.norm(self, p, dim, keepdim, dtype)
    def mm(self, other: Any) -> Tensor: return _fm.mm(self, other)
    def bmm(self, other: Any) -> Tensor: return _fm.bmm(self, other)
    def outer(self, other: Any) -> Tensor: return _fm.outer(self, other)
    # ===== end of the breadth block ========================================================

    # --- added by i13b (PyTorch ports: comparisons, *_as, new_*, small aliases) ---
    def eq(self, other: ArrayLike) -> Tensor: return _fl.eq(self, other)
    def ne(self, other: ArrayLike) -> Tensor: return _fl.ne(self, other)
    def lt(self, other: ArrayLike) -> Tensor: return _fl.lt(self, other)
    def le(self, other: ArrayLike) -> Tensor: return _fl.le(self, other)
    def gt(self, other: ArrayLike) -> Tensor: return _fl.gt(self, other)
    def ge(self, other: ArrayLike) -> Tensor: return _fl.ge(self, other)
    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
    def equal(self, other: ArrayLike) -> builtins.bool: return _fl.equal(self, other)

    def view_as(self, other: Any) -> Tensor:
        """This tensor with ``other``'s shape (PyTorch's ``view_as``; a reshape here).

        >>> import retrograd as rg
        >>> rg.arange(6).view_as(rg.zeros(2, 3)).shape
        (2, 3)
        """
        return _f.reshape(self, tuple(other.shape))
    reshape_as = view_as

    def new_zeros(self, *size: Any, dtype: DTypeLike = None, device: DeviceLike = None,
                  requires_grad: builtins.bool = False) -> Any:
        """Zeros of ``size`` with this tensor's dtype unless ``dtype`` is given (PyTorch's ``new_zeros``).

        >>> import retrograd as rg
        >>> rg.tensor([1, 2]).new_zeros(2, 2).dtype
        dtype('int64')
        """
        return _cr.zeros(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                         requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: DTypeLike = None, device: DeviceLike = None,
                 requires_grad: builtins.bool = False) -> Any:
        """Ones of ``size`` with this tensor's dtype unless ``dtype`` is given (PyTorch's ``new_ones``)."""
        return _cr.ones(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                        requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: DTypeLike = None, device: DeviceLike = None,
                  requires_grad: builtins.bool = False) -> Tensor:
        """An uninitialised (here: zero) tensor of ``size`` with this tensor's dtype (PyTorch's ``new_empty``)."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: DTypeLike = None, device: DeviceLike = None,
                 requires_grad: builtins.bool = False) -> Any:
        """``fill_value`` everywhere, with this tensor's dtype unless ``dtype`` is given (``new_full``)."""
        return _cr.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                        requires_grad=requires_grad)

    def new_tensor(self, data: Any, *, dtype: DTypeLike = None, device: DeviceLike = None,
                   requires_grad: builtins.bool = False) -> Any:
        """A copy of ``data`` with this tensor's dtype unless ``dtype`` is given (``new_tensor``).

        >>> import retrograd as rg
        >>> rg.zeros(1, dtype=rg.float32).new_tensor([1, 2])
        tensor([1., 2.], dtype=float32)
        """
        return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                      requires_grad=requires_grad)

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dimensions (PyTorch's ``t``).

        >>> import retrograd as rg
        >>> rg.zeros(2, 3).t().shape
        (3, 2)
        """
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, but this one has {self.ndim}; "
                             "use .transpose(dim0, dim1) or .mT")
        return _f.transpose(self) if self.ndim == 2 else self

    def neg(self) -> Tensor: return _unary(ops.neg, self)
    negative = neg
    def add(self, other: ArrayLike, *, alpha: Any = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)
    def sub(self, other: ArrayLike, *, alpha: Any = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)
    subtract = sub
    def mul(self, other: ArrayLike) -> Tensor: return self * other
    multiply = mul
    def true_divide(self, other: ArrayLike) -> Tensor: return self / other
    def dot(self, other: Any) -> Tensor: return _fm.dot(self, other)
    def where(self, condition: Any, other: Any) -> Tensor: return _f.where(condition, self, other)
    def clamp_min(self, min: ArrayLike) -> Tensor: return _fm.clamp_min(self, min)
    def clamp_max(self, max: ArrayLike) -> Tensor: return _fm.clamp_max(self, max)
    def select(self, dim: builtins.int, index: builtins.int) -> Tensor: return _fs.select(self, dim, index)
    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]: return _fs.unbind(self, dim)
    def swapaxes(self, axis0: Any, axis1: builtins.int) -> Tensor: return _f.swapaxes(self, axis0, axis1)
    swapdims = swapaxes
    def is_floating_point(self) -> builtins.bool: return self.dtype.kind == "f"
    def element_size(self) -> builtins.int: return self.dtype.itemsize

    @property
    def itemsize(self) -> builtins.int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> builtins.int:
        return int(self.data.nbytes)

    def cuda(self, device: DeviceLike = None, non_blocking: builtins.bool = False) -> Any:
        """Always an error: retrograd runs on the CPU only (use ``.to(device)`` with ``"cpu"``)."""
        raise RuntimeError("cuda(): retrograd runs on the CPU (NumPy) only; there is no CUDA device. "
                           "Use .cpu() or .to('cpu'), or leave the call out")
    # --- end of the i13b block ---


def _shape_args(args):
    """Accept both ``t.reshape(2, 3)`` and ``t.reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _compare(ufunc, a, b):
    ad = a.data
    bd = b.data if isinstance(b, Tensor) else operand(b, ufunc.__name__)
    if not isinstance(bd, (int, float)) and bd.dtype is not ad.dtype:
        ad, bd = promote(ad, bd, compare=True)  # compared as PyTorch compares
    try:
        return wrap(np.asarray(ufunc(ad, bd)), None)
    except ValueError as exc:
        raise shape_error(ufunc.__name__, [ad, bd], {}, exc) from None


add_methods(_TensorMethods)
