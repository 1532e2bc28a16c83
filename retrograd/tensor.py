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

import numpy as np

from . import (
    conversion as _fc,
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
    tensor as tensor,
    wrap,
)
from .errors import shape_error


class _TensorMethods:
    """The methods of :class:`retrograd.core.Tensor` that need the array functions (installed below).

    Each is a thin call of the function of the same name (see functions_*.py, conversion.py).
    """

    def size(self, dim=None):
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
    def exp(self): return _unary(ops.exp, self)
    def log(self): return _unary(ops.log, self)
    def sqrt(self): return _unary(ops.sqrt, self)
    def sin(self): return _unary(ops.sin, self)
    def cos(self): return _unary(ops.cos, self)
    def tan(self): return _unary(ops.tan, self)
    def tanh(self): return _unary(ops.tanh, self)
    def sigmoid(self): return _unary(ops.sigmoid, self)
    def relu(self): return _unary(ops.relu, self)
    def abs(self): return _unary(ops.absolute, self)
    def pow(self, exponent): return _binary(ops.power, self, exponent)
    def matmul(self, other): return _binary(ops.matmul, self, other)
    def maximum(self, other): return _binary(ops.maximum, self, other)
    def minimum(self, other): return _binary(ops.minimum, self, other)

    def clip(self, min=None, max=None): return _f.clip(self, min, max)
    clamp = clip

    # ----- in-place methods (PyTorch names; see retrograd.inplace for the rules) -----------------
    def add_(self, other, *, alpha=1):
        """``self += alpha * other`` in place; returns self.

        >>> import retrograd as rg
        >>> rg.tensor([1.0, 2.0]).add_(1)
        tensor([2., 3.])
        """
        return _ip.binary_(self, other, "add", alpha)

    def sub_(self, other, *, alpha=1):
        """``self -= alpha * other`` in place; returns self."""
        return _ip.binary_(self, other, "sub", alpha)

    def mul_(self, other):
        """``self *= other`` in place; returns self."""
        return _ip.binary_(self, other, "mul")

    def div_(self, other):
        """``self /= other`` in place; returns self."""
        return _ip.binary_(self, other, "div")

    def neg_(self):
        """``self = -self`` in place; returns self."""
        return _ip.unary_(self, "neg", np.negative, lambda old: -old)

    def zero_(self):
        """Every element becomes 0, in place; returns self.

        >>> import retrograd as rg
        >>> rg.ones(2).zero_()
        tensor([0., 0.])
        """
        return _ip.fill_(self, 0)

    def fill_(self, value):
        """Every element becomes ``value``, in place; returns self."""
        return _ip.fill_(self, value)

    def copy_(self, src):
        """Copy ``src``'s values (broadcast to this shape, cast to this dtype) into self; returns self."""
        return _ip.copy_(self, src)

    def clip_(self, min=None, max=None):
        """Limit values to ``[min, max]`` in place; returns self."""
        return _ip.unary_(self, "clip", lambda a: np.clip(a, min, max), lambda old: _f.clip(old, min, max))
    clamp_ = clip_

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None, dtype=None):
        return _f.sum(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _f.mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """PyTorch's ``max``: over all elements, ``(values, indices)`` along ``dim``, or the
        elementwise maximum with another tensor. ``axis=`` (NumPy) gives values only.

        >>> import retrograd as rg
        >>> t = rg.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> t.max(), t.max(dim=1).indices, t.max(axis=1)
        (tensor(7.), tensor([1, 0]), tensor([5., 7.]))
        """
        return _f.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """PyTorch's ``min``: see :meth:`max`."""
        return _f.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=None, *, axis=None, keepdims=False):
        """Largest values over ``dim`` (values only; tied maxima share the gradient)."""
        return _f.amax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def amin(self, dim=None, keepdim=None, *, axis=None, keepdims=False):
        """Smallest values over ``dim`` (values only; tied minima share the gradient)."""
        return _f.amin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def var(self, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None, correction=None):
        return _f.var(self, axis, ddof, keepdims, dim=dim, keepdim=keepdim, correction=correction)

    def logsumexp(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _f.logsumexp(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def softmax(self, axis=-1, *, dim=None): return _f.softmax(self, axis if dim is None else dim)
    def log_softmax(self, axis=-1, *, dim=None): return _f.log_softmax(self, axis if dim is None else dim)
    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _f.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _f.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape): return _f.reshape(self, _shape_args(shape))
    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the axes from ``start_dim`` to ``end_dim`` into one (all of them by default).

        >>> import retrograd as rg
        >>> rg.zeros(2, 3, 4).flatten(1).shape
        (2, 12)
        """
        return _f.flatten(self, start_dim, end_dim)
    def transpose(self, *axes): return _f.transpose(self, *axes)
    def permute(self, *axes): return _f.permute(self, _shape_args(axes))
    def squeeze(self, axis=None, *, dim=None): return _f.squeeze(self, axis if dim is None else dim)
    def unsqueeze(self, axis=None, *, dim=None): return _f.unsqueeze(self, axis if dim is None else dim)
    def broadcast_to(self, *shape): return _f.broadcast_to(self, _shape_args(shape))

    def expand(self, *sizes):
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
    def device(self):
        """Where the data lives: always ``device(type='cpu')``."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        """Always False: retrograd computes on the CPU."""
        return False

    def to(self, *args, **kwargs): return _fc.to(self, *args, **kwargs)
    def cpu(self): return self
    def clone(self): return _fc.clone(self)
    def contiguous(self): return _fc.contiguous(self)
    def is_contiguous(self) -> bool: return bool(self.data.flags.c_contiguous)
    def type_as(self, other): return _fc.type_as(self, other)
    def float(self): return _fc.to_dtype(self, np.float32)
    def double(self): return _fc.to_dtype(self, np.float64)
    def half(self): return _fc.to_dtype(self, np.float16)
    def long(self): return _fc.to_dtype(self, np.int64)
    def int(self): return _fc.to_dtype(self, np.int32)
    def bool(self): return _fc.to_dtype(self, np.bool_)
    def dim(self) -> int: return self.data.ndim
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
    def bitwise_and(self, other): return _fl.bitwise_and(self, other)
    def bitwise_or(self, other): return _fl.bitwise_or(self, other)
    def bitwise_xor(self, other): return _fl.bitwise_xor(self, other)
    def bitwise_not(self): return _fl.bitwise_not(self)
    def logical_and(self, other): return _fl.logical_and(self, other)
    def logical_or(self, other): return _fl.logical_or(self, other)
    def logical_xor(self, other): return _fl.logical_xor(self, other)
    def logical_not(self): return _fl.logical_not(self)
    def floor(self): return _fm.floor(self)
    def ceil(self): return _fm.ceil(self)
    def round(self, decimals=0): return _fm.round(self, decimals)
    def trunc(self): return _fm.trunc(self)
    def sign(self): return _fm.sign(self)
    def fmod(self, other): return _fm.fmod(self, other)
    def remainder(self, other): return _fm.remainder(self, other)
    def floor_divide(self, other): return _fm.floor_divide(self, other)
    def div(self, other, *, rounding_mode=None): return _fm.div(self, other, rounding_mode=rounding_mode)
    divide = div
    def isnan(self): return _fl.isnan(self)
    def isinf(self): return _fl.isinf(self)
    def isfinite(self): return _fl.isfinite(self)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _fl.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _fl.allclose(self, other, rtol, atol, equal_nan)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return _fl.nan_to_num(self, nan, posinf, neginf)
    def any(self, dim=None, keepdim=False, **kw): return _fl.any(self, dim, keepdim, **kw)
    def all(self, dim=None, keepdim=False, **kw): return _fl.all(self, dim, keepdim, **kw)

    # ----- shapes ------------------------------------------------------------------------
    def unflatten(self, dim, sizes): return _fs.unflatten(self, dim, sizes)
    def expand_as(self, other): return self.expand(other.shape)
    def repeat(self, *sizes): return _fs.repeat(self, *sizes)
    def tile(self, *dims): return _fs.tile(self, _shape_args(dims))
    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _fs.repeat_interleave(self, repeats, dim, output_size=output_size)
    def chunk(self, chunks, dim=0): return _fs.chunk(self, chunks, dim)
    def split(self, split_size, dim=0): return _fs.split(self, split_size, dim)
    def tensor_split(self, indices_or_sections, dim=0): return _fs.tensor_split(self, indices_or_sections, dim)
    def flip(self, *dims): return _fs.flip(self, _shape_args(dims))
    def roll(self, shifts, dims=None): return _fs.roll(self, shifts, dims)
    def movedim(self, source, destination): return _fs.movedim(self, source, destination)
    moveaxis = movedim
    def narrow(self, dim, start, length): return _fs.narrow(self, dim, start, length)
    def tril(self, diagonal=0): return _fs.tril(self, diagonal)
    def triu(self, diagonal=0): return _fs.triu(self, diagonal)
    def diag(self, diagonal=0): return _fs.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return _fs.diagonal(self, offset, dim1, dim2)
    def trace(self): return _fs.trace(self)

    # ----- indexing ----------------------------------------------------------------------
    def gather(self, dim, index): return _fi.gather(self, dim, index)
    def take_along_dim(self, indices, dim=None): return _fi.take_along_dim(self, indices, dim)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _fi.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return _fi.scatter_add(self, dim, index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _fi.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_select(self, dim, index): return _fi.index_select(self, dim, index)
    def index_add(self, dim, index, source, *, alpha=1): return _fi.index_add(self, dim, index, source, alpha=alpha)
    def masked_fill(self, mask, value): return _fi.masked_fill(self, mask, value)
    def masked_select(self, mask): return _fi.masked_select(self, mask)
    def nonzero(self, *, as_tuple=False): return _fi.nonzero(self, as_tuple=as_tuple)

    # ----- maths -------------------------------------------------------------------------
    def log1p(self): return _unary(ops.log1p, self)
    def expm1(self): return _unary(ops.expm1, self)
    def log2(self): return _unary(ops.log2, self)
    def log10(self): return _unary(ops.log10, self)
    def exp2(self): return _unary(ops.exp2, self)
    def rsqrt(self): return _unary(ops.rsqrt, self)
    def sinh(self): return _unary(ops.sinh, self)
    def cosh(self): return _unary(ops.cosh, self)
    def asin(self): return _unary(ops.asin, self)
    def acos(self): return _unary(ops.acos, self)
    def atan(self): return _unary(ops.atan, self)
    arcsin, arccos, arctan = asin, acos, atan
    def erf(self): return _unary(ops.erf, self)
    def square(self): return _fm.square(self)
    def reciprocal(self): return _fm.reciprocal(self)
    def atan2(self, other): return _fm.atan2(self, other)
    arctan2 = atan2
    def hypot(self, other): return _fm.hypot(self, other)
    def logaddexp(self, other): return _fm.logaddexp(self, other)
    def lerp(self, end, weight): return _fm.lerp(self, end, weight)
    def std(self, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None, correction=None, unbiased=None):
        return _fm.std(self, axis, ddof, keepdims, dim=dim, keepdim=keepdim, correction=correction,
                       unbiased=unbiased)
    def prod(self, dim=None, keepdim=False, *, dtype=None): return _fm.prod(self, dim, keepdim, dtype=dtype)
    def cumsum(self, dim, *, dtype=None): return _fm.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return _fm.cumprod(self, dim, dtype=dtype)
    def cummax(self, dim): return _fm.cummax(self, dim)
    def cummin(self, dim): return _fm.cummin(self, dim)
    def logcumsumexp(self, dim): return _fm.logcumsumexp(self, dim)
    def sort(self, dim=-1, descending=False, *, stable=False): return _fm.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False):
        return _fm.argsort(self, dim, descending, stable=stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _fm.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return _fm.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return _fm.median(self, dim, keepdim)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return _fm.norm(self, p, dim, keepdim, dtype)
    def mm(self, other): return _fm.mm(self, other)
    def bmm(self, other): return _fm.bmm(self, other)
    def outer(self, other): return _fm.outer(self, other)
    # ===== end of the breadth block ========================================================


def _shape_args(args):
    """Accept both ``t.reshape(2, 3)`` and ``t.reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _compare(ufunc, a, b):
    ad = a.data
    bd = b.data if isinstance(b, Tensor) else operand(b, ufunc.__name__)
    try:
        return wrap(np.asarray(ufunc(ad, bd)), None)
    except ValueError as exc:
        raise shape_error(ufunc.__name__, [ad, bd], {}, exc) from None


add_methods(_TensorMethods)
