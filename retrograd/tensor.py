"""The Tensor: an ndarray, its gradient, and the node that made it.

>>> import retrograd as rg
>>> w = rg.tensor(3.0, requires_grad=True, name="w")
>>> J = (2 + 3 * w) ** 2
>>> J.backward()
>>> w.grad
tensor(66.)
"""

from __future__ import annotations

import numpy as np

from . import autograd, ops
from .autograd import Node, _mode as _grad_mode, run_backward
from .backend import CPU, check_device, to_array
from .errors import ShapeError, shape_error
from .ops.primitive import register_tensor

_ndarray = np.ndarray
_new = object.__new__
_NUMBER_TYPES = (int, float, np.ndarray, np.generic)


class Tensor:
    """A multi-dimensional array that remembers how it was computed.

    Make one with :func:`retrograd.tensor`. Arithmetic on Tensors builds a
    graph; ``.backward()`` fills the ``.grad`` of the leaves that require grad.

    >>> import retrograd as rg
    >>> x = rg.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward(); x.grad
    tensor([2., 4.])
    """

    # ``_vc`` (version counter), ``_hooks`` (leaf gradient hooks) and ``_history`` (graphs the
    # tensor had before recorded in-place writes) are set only on the tensors that need them.
    __slots__ = (
        "__weakref__",
        "_history",
        "_hooks",
        "_node",
        "_vc",
        "data",
        "grad",
        "name",
        "requires_grad",
    )
    __array_ufunc__ = None  # make NumPy hand `ndarray op Tensor` to our reflected operators
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        data = to_array(data, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients, got dtype {data.dtype}; "
                "pass dtype=rg.float64 (or float32)")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._node = None
        self.name = name

    # ----- attributes -------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The shape tuple, as NumPy's."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    @property
    def dtype(self):
        """The NumPy dtype of the data."""
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an operation on tensors that require grad."""
        return self._node is None

    @property
    def grad_fn(self):
        """The graph node that produced this tensor (None for leaves)."""
        return self._node

    def size(self, dim=None):
        """The shape (PyTorch's ``size()``), or one dimension of it."""
        if dim is None:
            return self.data.shape
        if self.data.ndim == 0:
            raise _f.AxisError(f"size: axis {dim} is out of range for a tensor with 0 dimension(s); "
                               "a 0-d tensor has no sizes (its shape is ())")
        return self.data.shape[_f._axis(dim, self.data.ndim, "size")]

    def numel(self) -> int:
        """Number of elements."""
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def item(self) -> float:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def tolist(self):
        """The values as (nested) Python lists."""
        return self.data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                             "use .any() or .all() on .numpy()")
        return bool(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = []
        if self.name is not None:
            extra.append(f"name={self.name!r}")
        if self.data.dtype not in (np.float64, np.int64, np.bool_):
            extra.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extra.append(f"grad_fn=<{self._node.prim.name}>")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extra) + ")"

    # ----- autograd ---------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is required when ``self`` is not a scalar (it is the vector
        of the vector-Jacobian product). The graph is freed afterwards unless
        ``retain_graph=True``; ``create_graph=True`` records the backward pass
        itself so the gradients can be differentiated again.

        >>> import retrograd as rg
        >>> x = rg.tensor(2.0, requires_grad=True)
        >>> (x ** 3).backward(); x.grad
        tensor(12.)
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn; "
                               "create the inputs with requires_grad=True")
        g = _root_gradient(self, gradient)
        if retain_graph is None:
            retain_graph = create_graph
        run_backward([self], [g], retain_graph=retain_graph, create_graph=create_graph)

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was written in place (PyTorch's ``_version``).

        >>> import retrograd as rg
        >>> t = rg.zeros(2); t += 1; t._version
        1
        """
        vc = getattr(self, "_vc", None)
        return 0 if vc is None else vc.version

    def register_hook(self, hook):
        """Call ``hook(grad)`` each time the gradient of this tensor is computed in backward.

        The hook may return a tensor that replaces the gradient (for the rest of the walk
        and for ``.grad``); ``handle.remove()`` unregisters it. Works on leaves and on
        intermediate tensors, as PyTorch's ``Tensor.register_hook``.

        >>> import retrograd as rg
        >>> x = rg.tensor(2.0, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * 3).backward(); x.grad
        tensor(30.)
        >>> h.remove()
        """
        return autograd.register_hook(self, hook)

    def retain_grad(self) -> Tensor:
        """Keep the gradient of this non-leaf tensor in ``.grad`` at the next backward."""
        autograd.retain(self)
        return self

    def detach(self) -> Tensor:
        """The same data as a new leaf that does not require grad (memory and version shared)."""
        t = _wrap(self.data, None)
        autograd.share_version(t, self)
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if not self.is_leaf:
            raise RuntimeError("requires_grad_() can only change leaves; use .detach() first")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating point tensors can require gradients, got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def named(self, name: str) -> Tensor:
        """Give this tensor a name (shown in explanations and drawings); returns self.

        >>> import retrograd as rg
        >>> (rg.tensor(2.0) * 3).named("a").name
        'a'
        """
        self.name = name
        return self

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

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, ddof=None, axis=None,
            keepdims=None):
        return _f.var(self, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
                      keepdims=keepdims)

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
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, ddof=None, axis=None,
            keepdims=None):
        return _fm.std(self, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
                       keepdims=keepdims)
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

    # --- added by i13b (PyTorch ports: comparisons, *_as, new_*, small aliases) ---
    def eq(self, other): return _fl.eq(self, other)
    def ne(self, other): return _fl.ne(self, other)
    def lt(self, other): return _fl.lt(self, other)
    def le(self, other): return _fl.le(self, other)
    def gt(self, other): return _fl.gt(self, other)
    def ge(self, other): return _fl.ge(self, other)
    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
    def equal(self, other) -> bool: return _fl.equal(self, other)

    def view_as(self, other):
        """This tensor with ``other``'s shape (PyTorch's ``view_as``; a reshape here).

        >>> import retrograd as rg
        >>> rg.arange(6).view_as(rg.zeros(2, 3)).shape
        (2, 3)
        """
        return _f.reshape(self, tuple(other.shape))
    reshape_as = view_as

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size`` with this tensor's dtype unless ``dtype`` is given (PyTorch's ``new_zeros``).

        >>> import retrograd as rg
        >>> rg.tensor([1, 2]).new_zeros(2, 2).dtype
        dtype('int64')
        """
        return _cr.zeros(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                         requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of ``size`` with this tensor's dtype unless ``dtype`` is given (PyTorch's ``new_ones``)."""
        return _cr.ones(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                        requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """An uninitialised (here: zero) tensor of ``size`` with this tensor's dtype (PyTorch's ``new_empty``)."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """``fill_value`` everywhere, with this tensor's dtype unless ``dtype`` is given (``new_full``)."""
        return _cr.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                        requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A copy of ``data`` with this tensor's dtype unless ``dtype`` is given (``new_tensor``).

        >>> import retrograd as rg
        >>> rg.zeros(1, dtype=rg.float32).new_tensor([1, 2])
        tensor([1., 2.], dtype=float32)
        """
        return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                      requires_grad=requires_grad)

    def t(self):
        """Transpose of a tensor with at most 2 dimensions (PyTorch's ``t``).

        >>> import retrograd as rg
        >>> rg.zeros(2, 3).t().shape
        (3, 2)
        """
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, but this one has {self.ndim}; "
                             "use .transpose(dim0, dim1) or .mT")
        return _f.transpose(self) if self.ndim == 2 else self

    def neg(self): return _unary(ops.neg, self)
    negative = neg
    def add(self, other, *, alpha=1): return self + (other if alpha == 1 else other * alpha)
    def sub(self, other, *, alpha=1): return self - (other if alpha == 1 else other * alpha)
    subtract = sub
    def mul(self, other): return self * other
    multiply = mul
    def true_divide(self, other): return self / other
    def dot(self, other): return _fm.dot(self, other)
    def where(self, condition, other): return _f.where(condition, self, other)
    def clamp_min(self, min): return _fm.clamp_min(self, min)
    def clamp_max(self, max): return _fm.clamp_max(self, max)
    def select(self, dim, index): return _fs.select(self, dim, index)
    def unbind(self, dim=0): return _fs.unbind(self, dim)
    def swapaxes(self, axis0, axis1): return _f.swapaxes(self, axis0, axis1)
    swapdims = swapaxes
    def is_floating_point(self) -> bool: return self.dtype.kind == "f"
    def element_size(self) -> int: return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return int(self.data.nbytes)

    def cuda(self, device=None, non_blocking=False):
        """Always an error: retrograd runs on the CPU only (use ``.to(device)`` with ``"cpu"``)."""
        raise RuntimeError("cuda(): retrograd runs on the CPU (NumPy) only; there is no CUDA device. "
                           "Use .cpu() or .to('cpu'), or leave the call out")
    # --- end of the i13b block ---


def _shape_args(args):
    """Accept both ``t.reshape(2, 3)`` and ``t.reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _wrap(data, node):
    """A Tensor around an existing array; ``node`` is its grad_fn (or None)."""
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = node is not None
    t._node = node
    t.name = None
    return t


def _operand(x, op_name):
    """Check a non-Tensor operand: numbers and numeric arrays only."""
    if isinstance(x, _NUMBER_TYPES) and not isinstance(x, (str, bytes)):
        if isinstance(x, _ndarray) and x.dtype.kind not in "fiub":
            raise TypeError(f"{op_name}: unsupported operand: an array of dtype {x.dtype}")
        return x
    if isinstance(x, (list, tuple)):
        return to_array(x, what=op_name)
    raise TypeError(f"{op_name}: unsupported operand of type {type(x).__name__} ({x!r:.40}); "
                    "expected a Tensor, a number or a numeric array")


def apply(prim, args, params):
    """Run ``prim`` forward on the arrays behind ``args``; record a node if needed."""
    saved = [a.data if isinstance(a, Tensor) else a for a in args]
    try:
        out = prim.impl(*saved, **params)
    except (ValueError, IndexError, TypeError) as exc:
        raise shape_error(prim.name, saved, params, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t = None
    if _grad_mode.enabled:
        parents = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad)
        if parents:
            t = _wrap(out, Node(prim, args, parents, saved, params, out))
    if t is None:
        t = _wrap(out, None)
    if out.base is not None:  # a view (reshape, transpose, basic indexing): share the version counter
        for a in args:
            if isinstance(a, Tensor) and np.may_share_memory(out, a.data):
                autograd.share_version(t, a)
                break
    return t


def _unary(prim, x):
    try:
        out = prim.impl(x.data)
    except (ValueError, TypeError) as exc:
        raise shape_error(prim.name, [x.data], {}, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t.data = out
    t.grad = t.name = None
    if x.requires_grad and _grad_mode.enabled:
        t.requires_grad = True
        t._node = Node(prim, (x,), ((0, x),), (x.data,), _NO_PARAMS, out)
    else:
        t.requires_grad = False
        t._node = None
    return t


_NO_PARAMS: dict = {}


def _binary(prim, a, b):
    # The hot path of every arithmetic operator: kept flat on purpose.
    if isinstance(a, Tensor):
        ad = a.data
        a_rg = a.requires_grad
    else:
        ad = a = a if type(a) is float or type(a) is int else _operand(a, prim.name)
        a_rg = False
    if isinstance(b, Tensor):
        bd = b.data
        b_rg = b.requires_grad
    else:
        bd = b = b if type(b) is float or type(b) is int else _operand(b, prim.name)
        b_rg = False
    try:
        out = prim.impl(ad, bd)
    except (ValueError, TypeError) as exc:
        raise shape_error(prim.name, [ad, bd], {}, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t.data = out
    t.grad = t.name = None
    if (a_rg or b_rg) and _grad_mode.enabled:
        t.requires_grad = True
        parents = ((0, a), (1, b)) if a_rg and b_rg else (((0, a),) if a_rg else ((1, b),))
        t._node = Node(prim, (a, b), parents, (ad, bd), _NO_PARAMS, out)
    else:
        t.requires_grad = False
        t._node = None
    return t


def _compare(ufunc, a, b):
    ad = a.data
    bd = b.data if isinstance(b, Tensor) else _operand(b, ufunc.__name__)
    try:
        return _wrap(np.asarray(ufunc(ad, bd)), None)
    except ValueError as exc:
        raise shape_error(ufunc.__name__, [ad, bd], {}, exc) from None


def _root_gradient(t, gradient):
    """The starting cotangent of a backward pass, checked against ``t``."""
    if gradient is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"backward(): grad can be implicitly created only for scalar outputs, but this "
                f"tensor has shape {t.shape}; pass gradient= (a tensor of shape {t.shape}), "
                "or reduce the output first, e.g. y.sum().backward()")
        return np.ones_like(t.data)
    g = gradient.data if isinstance(gradient, Tensor) else to_array(gradient, t.data.dtype, what="gradient")
    if g.shape != t.shape:
        raise ShapeError(f"backward(): gradient has shape {g.shape} but the tensor has shape {t.shape}")
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
    return g


def tensor(data, requires_grad=False, dtype=None, name=None, device=None) -> Tensor:
    """Make a Tensor from a number, a (nested) list or an ndarray.

    Python floats and float lists get the default dtype (float64, see
    ``rg.set_default_dtype``); Python ints and integer lists get int64 and
    bools bool, as in PyTorch; NumPy arrays keep their dtype unless ``dtype``
    is given. Strings and object arrays raise TypeError. ``device`` may only
    be ``"cpu"``.

    >>> import retrograd as rg
    >>> rg.tensor([1.0, 2.0], requires_grad=True, name="w")
    tensor([1., 2.], name='w', requires_grad=True)
    >>> rg.tensor([1, 2]).dtype
    dtype('int64')
    """
    check_device(device)
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()  # as torch.tensor: never share memory with the caller's array
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor that shares memory with ``array`` (PyTorch's ``torch.from_numpy``).

    Writes to either side show in the other; the dtype is the array's.

    >>> import numpy as np, retrograd as rg
    >>> a = np.zeros(2); t = rg.from_numpy(a); a[0] = 5.0; t
    tensor([5., 0.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a Tensor, sharing memory when it can (PyTorch's ``torch.as_tensor``).

    A Tensor or an ndarray of the requested dtype is shared as is; anything else
    (lists, numbers, another dtype) is converted into new memory.

    >>> import numpy as np, retrograd as rg
    >>> a = np.ones(2); rg.as_tensor(a).numpy() is a
    True
    """
    check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or np.dtype(dtype) == data.data.dtype:
            return data
        return Tensor(data.data.astype(dtype))
    return Tensor(data, dtype=dtype)


register_tensor(Tensor, apply)

from . import (  # noqa: E402  (these modules import Tensor from here)
    conversion as _fc,
    creation as _cr,
    functions as _f,
    functions_index as _fi,
    functions_logic as _fl,
    functions_math as _fm,
    functions_shape as _fs,
    inplace as _ip,
)
