"""The core: Tensor (its state), Node, grad mode and version counters, the leaf every layer imports.

Everything above it builds on these few names. ``apply(prim, args, params)`` (with its fast
forms ``apply_unary`` and ``apply_binary``) runs a primitive on the arrays behind its
arguments and records a :class:`Node` when an argument requires grad; ``wrap(array, node)``
makes a Tensor around an array. Methods that need higher layers are installed onto
:class:`Tensor` by the layer that owns them (``backward`` by :mod:`retrograd.autograd`, the
operators and PyTorch-named methods by :mod:`retrograd.tensor`), as JAX installs its array
methods: the core imports nothing above :mod:`retrograd.ops`.

>>> import retrograd as rg
>>> w = rg.tensor(3.0, requires_grad=True, name="w")
>>> J = (2 + 3 * w) ** 2
>>> J.backward()
>>> w.grad
tensor(66.)
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from .backend import check_device, get_default_dtype, to_array
from .errors import shape_error
from .ops.convert import cast as _cast
from .ops.primitive import Box, Primitive, set_apply

_F = TypeVar("_F", bound=Callable[..., Any])

_ndarray = np.ndarray
_new = object.__new__
_NUMBER_TYPES = (int, float, np.ndarray, np.generic)


# ----- grad mode -------------------------------------------------------------------------
class _GradMode(threading.local):
    """Whether operations are recorded, per thread (as PyTorch's grad mode), with the
    values to restore when the ``with`` blocks that changed it end."""

    def __init__(self) -> None:
        self.enabled = True
        self.saved: list[bool] = []


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward (in this thread).

    >>> import retrograd as rg
    >>> with rg.no_grad(): print(rg.is_grad_enabled())
    False
    """
    return _mode.enabled


class _GradModeContext(contextlib.ContextDecorator):
    """Set grad mode on entering a ``with`` block (or a decorated call), restore it on leaving."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> _GradModeContext:
        _mode.saved.append(_mode.enabled)
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _mode.enabled = _mode.saved.pop()
        return False


class set_grad_enabled:
    """Turn recording on or off: as a plain call, a ``with`` block or a decorator (this thread only).

    As in PyTorch, calling it switches the mode at once; used with ``with``, the mode
    before the call comes back at the end of the block; as a decorator, only calls of the
    decorated function run in the mode.

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.set_grad_enabled(False): (w * 3).requires_grad
    False
    >>> _ = rg.set_grad_enabled(False); rg.is_grad_enabled()
    False
    >>> _ = rg.set_grad_enabled(True); rg.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _mode.enabled
        _mode.enabled = self.mode

    def __call__(self, fn: _F) -> _F:
        _mode.enabled = self.prev  # decorating must not change the mode of the caller
        return _GradModeContext(self.mode)(fn)

    def __enter__(self) -> set_grad_enabled:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _mode.enabled = self.prev
        return False

    def clone(self) -> _GradModeContext:
        """A fresh context with the same mode (PyTorch's API)."""
        return _GradModeContext(self.mode)


class no_grad(_GradModeContext):
    """Context manager and decorator: nothing inside is recorded for backward.

    In-place updates of parameters go inside it (``p -= lr * p.grad``).

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.no_grad(): y = w * 3
    >>> y.requires_grad
    False
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_GradModeContext):
    """Context manager and decorator: record for backward, even inside ``no_grad``.

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.no_grad():
    ...     with rg.enable_grad(): y = w * 3
    >>> y.requires_grad
    True
    """

    def __init__(self) -> None:
        super().__init__(True)


class inference_mode(_GradModeContext):
    """PyTorch's ``torch.inference_mode``: here the same as :class:`no_grad`; ``mode=False``
    records for backward, even inside ``no_grad`` (as PyTorch's). Context manager and decorator.

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.inference_mode(): y = w * 3
    >>> y.requires_grad
    False
    """

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode)


# ----- version counters ------------------------------------------------------------------
# Every in-place write advances one global count of writes, ``_epoch``, and stamps the
# written tensor's counter with it. A node remembers the count at its creation: if no write
# happened since (the common case, one integer comparison), nothing it saved can have changed;
# otherwise the counters of the tensors it read tell whether one of them was written after it.
_epoch = 0


class VersionCounter:
    """How many times a tensor's memory was written in place (shared by a tensor and its views).

    ``last`` is the global write count at the latest write; ``views`` holds weak references
    to the tensors that share the memory, so a recorded write can refuse to leave a view stale.
    """

    __slots__ = ("__weakref__", "last", "version", "views")

    def __init__(self) -> None:
        self.version = 0
        self.last = -1
        self.views: dict[int, weakref.ref[Tensor]] | None = None


def version_counter(t: Tensor) -> VersionCounter:
    """The version counter of Tensor ``t``, made on first use."""
    vc = getattr(t, "_vc", None)
    if vc is None:
        vc = VersionCounter()
        t._vc = vc
        if t._node is not None:  # the node that made t saved t's array as its output
            node_extra(t._node).out_vc = vc
    return vc


def bump_version(t: Tensor) -> None:
    """Record one in-place write of ``t``'s memory (``t._version`` goes up by one)."""
    global _epoch
    vc = version_counter(t)
    _epoch += 1
    vc.version += 1
    vc.last = _epoch


def share_version(view: Tensor, base: Tensor) -> None:
    """``view`` shares ``base``'s memory: give both one counter (as PyTorch's views)."""
    vc = version_counter(base)
    view._vc = vc
    if view._node is not None:
        node_extra(view._node).out_vc = vc
    if vc.views is None:
        vc.views = {}  # id -> weak reference (a WeakSet would compare tensors with ==)
    vc.views[id(view)] = weakref.ref(view)
    vc.views[id(base)] = weakref.ref(base)


def current_epoch() -> int:
    """The global count of in-place writes so far."""
    return _epoch

class NodeExtra:
    """What only some nodes carry: gradient hooks, a retained gradient, the output's counter."""

    __slots__ = ("hooks", "out_vc", "retain")

    def __init__(self) -> None:
        self.hooks: dict[int, Callable[[Any], Any]] | None = None
        self.retain: weakref.ref[Tensor] | None = None
        self.out_vc: VersionCounter | None = None


def node_extra(node: Node) -> NodeExtra:
    """The node's extras, made on first use."""
    extra = node.extra
    if extra is None:
        extra = NodeExtra()
        node.extra = extra
    return extra


class Node:
    """One recorded primitive call: the ``grad_fn`` of the Tensor it produced.

    The public, read-only view (what ``rg.learn`` and other readers of a graph use):
    ``inputs`` (the arguments as given, Tensors or constants), ``params`` (the keyword
    parameters), ``name`` (the primitive's), ``freed`` and ``evaluate(*arrays)`` (the
    primitive's forward on plain arrays, nothing recorded). The engine's own fields:
    ``parents``, the ``(argnum, Tensor)`` pairs that need a gradient, ``saved``, the plain
    arrays of the arguments, ``out``, the plain output array.

    >>> import retrograd as rg
    >>> x = rg.tensor([1.0, 2.0], requires_grad=True)
    >>> n = (x * 3).grad_fn
    >>> n.name, n.inputs[0] is x, n.inputs[1], n.params, n.freed
    ('mul', True, 3, {}, False)
    >>> n.evaluate(np.array([5.0]), 2.0)
    array([10.])
    """

    __slots__ = ("__weakref__", "_inputs", "_params", "epoch", "extra", "out", "parents", "prim", "saved")

    def __init__(self, prim: Primitive, inputs: tuple[Any, ...], parents: tuple[tuple[int, Tensor], ...],
                 saved: Any, params: dict[str, Any], out: Any) -> None:
        self.prim = prim
        self._inputs: Any = inputs  # a tuple; FreedInputs or None once freed
        self.parents = parents
        self.saved = saved
        self._params = params
        self.out = out
        self.extra: NodeExtra | None = None  # a NodeExtra once a hook, retain_grad or a version counter needs one
        self.epoch = _epoch    # the in-place write count when the node saved its arrays

    @property
    def inputs(self) -> Any:
        """The arguments of the call as given: Tensors and constants, in order.

        After a backward pass without ``retain_graph`` a small graph keeps its structure: the
        Tensors become ``FreedInput`` records (see :mod:`retrograd.autograd`); a large graph's
        freed node has ``None``.
        """
        return self._inputs

    @property
    def params(self) -> dict[str, Any]:
        """The keyword parameters of the call (``{"keepdims": False}`` for a sum)."""
        return self._params

    @property
    def name(self) -> str:
        """The primitive's name, e.g. ``"mul"``."""
        name: str = self.prim.name
        return name

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` released this node."""
        return self.saved is None

    def evaluate(self, *arrays: Any) -> Any:
        """The primitive's forward value on plain arrays, with this node's parameters; nothing is recorded."""
        return self.prim.impl(*arrays, **self._params)

    def replay(self, *args: Any) -> Any:
        """The same primitive applied again to ``args`` (Tensors are recorded, as any operation is),
        with this node's parameters: how the learning layer redraws a graph freed by ``backward()``.

        >>> import retrograd as rg
        >>> n = (rg.tensor(2.0, requires_grad=True) * 3).grad_fn
        >>> n.replay(rg.tensor(4.0, requires_grad=True), 3)
        tensor(12., grad_fn=<mul>)
        """
        return self.prim(*args, **self._params)

    def __repr__(self) -> str:
        return f"<{self.prim.name} backward>"


class Tensor(Box):
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
    _vc: VersionCounter
    _hooks: dict[int, Callable[[Any], Any]]
    _history: list[tuple[int, Tensor]]

    if TYPE_CHECKING:  # installed by the layers above: operators and methods (retrograd.tensor), backward
        def __getattr__(self, name: str) -> Any: ...
        def __getitem__(self, idx: Any) -> Tensor: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> None:
        data = to_array(data, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients, got dtype {data.dtype}; "
                "pass dtype=rg.float64 (or float32)")
        self.data = data
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._node: Node | None = None
        self.name = name

    # ----- attributes -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape tuple, as NumPy's."""
        shape: tuple[int, ...] = self.data.shape
        return shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return int(self.data.ndim)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of the data."""
        dt: np.dtype[Any] = self.data.dtype
        return dt

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an operation on tensors that require grad."""
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        """The graph node that produced this tensor (None for leaves)."""
        return self._node

    def numel(self) -> int:
        """Number of elements."""
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.data.shape[0])

    def item(self) -> float:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, this one has shape {self.shape}")
        value: float = self.data.item()
        return value

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        data: np.ndarray = self.data
        return data

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                             "use .any() or .all() on .numpy()")
        return bool(self.data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        return self.data if dtype is None else self.data.astype(dtype)

    def __iter__(self) -> Iterator[Tensor]:
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

    # ----- autograd (backward, register_hook and retain_grad: installed by retrograd.autograd) -----
    @property
    def _version(self) -> int:
        """How many times this tensor's memory was written in place (PyTorch's ``_version``).

        >>> import retrograd as rg
        >>> t = rg.zeros(2); t += 1; t._version
        1
        """
        vc = getattr(self, "_vc", None)
        return 0 if vc is None else int(vc.version)

    def detach(self) -> Tensor:
        """The same data as a new leaf that does not require grad (memory and version shared)."""
        t = wrap(self.data, None)
        share_version(t, self)
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


def wrap(data: Any, node: Node | None = None) -> Tensor:
    """A Tensor around an existing array (not copied); ``node`` is its grad_fn (or None).

    >>> import numpy as np
    >>> wrap(np.array([1.0, 2.0]))
    tensor([1., 2.])
    """
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = node is not None
    t._node = node
    t.name = None
    return t


def operand(x: Any, op_name: str) -> Any:
    """Check a non-Tensor operand of ``op_name``: numbers and numeric arrays pass, lists become arrays.

    >>> operand([1, 2], "add")
    array([1, 2])
    """
    if isinstance(x, _NUMBER_TYPES) and not isinstance(x, (str, bytes)):
        if isinstance(x, _ndarray) and x.dtype.kind not in "fiub":
            raise TypeError(f"{op_name}: unsupported operand: an array of dtype {x.dtype}")
        return x
    if isinstance(x, (list, tuple)):
        return to_array(x, what=op_name)
    raise TypeError(f"{op_name}: unsupported operand of type {type(x).__name__} ({x!r:.40}); "
                    "expected a Tensor, a number or a numeric array")


def apply(prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Tensor:
    """Run ``prim`` forward on the arrays behind ``args``; record a node if an argument requires grad.

    The one way a primitive call becomes a Tensor (``prim(*args)`` with a Tensor argument comes
    here too); :func:`apply_unary` and :func:`apply_binary` are its fast forms.

    >>> from retrograd import ops
    >>> x = tensor([1.0, 2.0], requires_grad=True)
    >>> y = apply(ops.mul, (x, 3.0), {}); y.grad_fn.name, y
    ('mul', tensor([3., 6.], grad_fn=<mul>))
    """
    saved = [a.data if isinstance(a, Tensor) else a for a in args]
    try:
        out = prim.impl(*saved, **params)
    except (ValueError, IndexError, TypeError) as exc:
        raise shape_error(prim.name, saved, params, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t: Tensor | None = None
    if _mode.enabled:
        parents = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad)
        if parents:
            t = wrap(out, Node(prim, args, parents, saved, params, out))
    if t is None:
        t = wrap(out, None)
    if out.base is not None:  # a view (reshape, transpose, basic indexing): share the version counter
        for a in args:
            if isinstance(a, Tensor) and np.may_share_memory(out, a.data):
                share_version(t, a)
                break
    return t


def apply_unary(prim: Primitive, x: Tensor) -> Tensor:
    """:func:`apply` for a primitive of one Tensor argument and no parameters (the fast path).

    >>> from retrograd import ops
    >>> apply_unary(ops.neg, tensor(2.0))
    tensor(-2.)
    """
    try:
        out = prim.impl(x.data)
    except (ValueError, TypeError) as exc:
        raise shape_error(prim.name, [x.data], {}, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t.data = out
    t.grad = t.name = None
    if x.requires_grad and _mode.enabled:
        t.requires_grad = True
        t._node = Node(prim, (x,), ((0, x),), (x.data,), _NO_PARAMS, out)
    else:
        t.requires_grad = False
        t._node = None
    return t


_NO_PARAMS: dict[str, Any] = {}


# ----- type promotion (PyTorch's torch.result_type) ----------------------------------------
def _category(dt: np.dtype[Any]) -> int:
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}.get(dt.kind, 2)


def _promote_types(a: Any, b: Any) -> Any:
    """PyTorch's ``promote_types``: within a category the wider dtype, across categories the higher
    one (int32 with float32 is float32, where NumPy says float64)."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    ca, cb = _category(a), _category(b)
    if ca == cb or max(ca, cb) == 3:
        return np.promote_types(a, b)
    return a if ca > cb else b


def promote_types(type1: Any, type2: Any) -> np.dtype[Any]:
    """The smallest dtype both promote to, by PyTorch's rule (``torch.promote_types``).

    >>> import retrograd as rg
    >>> rg.promote_types(rg.int32, rg.float32), rg.promote_types(rg.int32, rg.int64)
    (dtype('float32'), dtype('int64'))
    """
    out: np.dtype[Any] = np.dtype(_promote_types(np.dtype(type1), np.dtype(type2)))
    return out


def _combine(higher: Any, lower: Any) -> Any:
    # PyTorch's combine_categories: the lower-priority operands raise the category, not the width.
    if higher is None:
        return lower
    if lower is None:
        return higher
    ch, cl = _category(higher), _category(lower)
    if ch == 3 or (ch == 2 and cl < 3):
        return higher
    if cl == 3:
        return np.promote_types(higher, np.complex64)
    if ch == 0 or cl == 2:
        return _promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype[Any]:
    """The dtype PyTorch gives an arithmetic op of these operands (``torch.result_type``).

    Tensors with dimensions decide within a category (bool < integer < float < complex); 0-d
    tensors and then Python numbers only raise the category, never the width: a float32 tensor
    times a 0-d float64 tensor is float32, an int32 tensor times 2.5 is the default float.

    >>> import retrograd as rg
    >>> rg.result_type(rg.ones(3, dtype=rg.float32), rg.tensor(2.0)), rg.result_type(rg.tensor([1, 2]), 2.5)
    (dtype('float32'), dtype('float64'))
    """
    dim = zero = number = None
    for x in operands:
        if isinstance(x, bool):
            number = _promote_types(number, np.dtype(bool))
        elif isinstance(x, int):
            number = _promote_types(number, np.dtype(np.int64))
        elif isinstance(x, float):
            number = _promote_types(number, get_default_dtype())
        elif isinstance(x, complex):
            number = _promote_types(number, np.dtype(np.complex128))
        else:
            if isinstance(x, (list, tuple)):
                x = to_array(x, what="result_type")
            dt = x.dtype
            if x.ndim:
                dim = _promote_types(dim, dt)
            else:
                zero = _promote_types(zero, dt)
    out: np.dtype[Any] = np.dtype(_combine(dim, _combine(zero, number)))
    return out


def _as_dtype(x: Any, dtype: Any) -> Any:
    """``x`` (a Tensor or an array) in ``dtype``: a recorded cast for Tensors, so gradients come back
    in ``x``'s own dtype; Python numbers are left alone (NumPy keeps them weak, as PyTorch)."""
    if isinstance(x, (bool, int, float, complex)) or x.dtype == dtype:
        return x
    if isinstance(x, Tensor):
        return _cast(x, dtype)
    return np.asarray(x, dtype=dtype)


def promote(*operands: Any, compare: bool = False) -> tuple[Any, ...]:
    """The operands of a binary op converted to their PyTorch :func:`result_type` (Python numbers
    stay numbers); an operand already of that dtype is returned as is.

    ``compare=True`` (comparisons, as PyTorch's): only operands of a lower category are cast
    (an int compared with a float32 tensor becomes float32), floats are compared at full width.

    >>> import retrograd as rg
    >>> a, b = promote(rg.ones(2, dtype=rg.float32), rg.tensor(2.0)); b.dtype
    dtype('float32')
    """
    ops_ = tuple(to_array(x, what="promote") if isinstance(x, (list, tuple))
                 else float(x) if type(x) is np.float64  # a Python float to PyTorch (it subclasses float)
                 else x for x in operands)
    dt = result_type(*ops_)
    if compare:
        cat = _category(dt)
        return tuple(x if isinstance(x, (bool, int, float, complex)) or _category(x.dtype) == cat
                     else _as_dtype(x, dt) for x in ops_)
    if np.result_type(*(x if isinstance(x, (bool, int, float, complex)) else x.dtype for x in ops_)) == dt:
        # NumPy's promotion agrees: cast only what gradients flow to (they come back in its dtype).
        return tuple(_as_dtype(x, dt) if isinstance(x, Tensor) and x.requires_grad and x.dtype.kind == "f"
                     else x for x in ops_)
    return tuple(_as_dtype(x, dt) for x in ops_)


def _binary_promoted(prim: Primitive, a: Any, b: Any) -> Tensor:
    """The slow path of :func:`apply_binary`: operands of different dtypes (or unusual operands)."""
    if type(a) is Tensor and type(b) is Tensor:  # two eager tensors: the casts are looked up
        ad, bd = a.data, b.data
        key = (ad.dtype, ad.ndim == 0, a.requires_grad, bd.dtype, bd.ndim == 0, b.requires_grad)
        plan = _PLANS.get(key)
        if plan is not None:
            return apply(prim, (_cast_to(a, plan[0]), _cast_to(b, plan[1])), _NO_PARAMS)
        pa, pb = promote(a, b)
        _PLANS[key] = (None if pa is a else pa.dtype, None if pb is b else pb.dtype)
        return apply(prim, (pa, pb), _NO_PARAMS)
    if not isinstance(a, Tensor):
        a = a if isinstance(a, (bool, int, float)) else operand(a, prim.name)
    if not isinstance(b, Tensor):
        b = b if isinstance(b, (bool, int, float)) else operand(b, prim.name)
    a, b = promote(a, b)
    return apply(prim, (a, b), _NO_PARAMS)


#: (dtype, is 0-d, requires grad) of two tensors -> the dtype each is cast to (None: as is).
_PLANS: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _cast_to(x: Tensor, dtype: Any) -> Tensor:
    if dtype is None:
        return x
    if not x.requires_grad:
        return wrap(x.data.astype(dtype), None)
    return _cast(x, dtype)  # type: ignore[no-any-return]  # recorded: the gradient comes back in x's dtype


def apply_binary(prim: Primitive, a: Any, b: Any) -> Tensor:
    """:func:`apply` for a primitive of two arguments (Tensors or numbers) and no parameters.

    The hot path of every arithmetic operator.

    >>> from retrograd import ops
    >>> apply_binary(ops.add, 1.0, tensor(2.0))
    tensor(3.)
    """
    # Kept flat on purpose. Same dtypes or a Python number: NumPy's promotion is PyTorch's (NumPy
    # keeps Python numbers weak); anything else goes through PyTorch's result_type.
    if isinstance(a, Tensor):
        ad = a.data
        a_rg = a.requires_grad
        if isinstance(b, Tensor):
            bd = b.data
            if ad.dtype is not bd.dtype:
                return _binary_promoted(prim, a, b)
            b_rg = b.requires_grad
        elif type(b) is float or type(b) is int:
            bd = b
            b_rg = False
        else:
            return _binary_promoted(prim, a, b)
    elif isinstance(b, Tensor) and (type(a) is float or type(a) is int):
        ad = a
        a_rg = False
        bd = b.data
        b_rg = b.requires_grad
    else:
        return _binary_promoted(prim, a, b)
    try:
        out = prim.impl(ad, bd)
    except (ValueError, TypeError) as exc:
        raise shape_error(prim.name, [ad, bd], {}, exc) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t.data = out
    t.grad = t.name = None
    if (a_rg or b_rg) and _mode.enabled:
        t.requires_grad = True
        parents = ((0, a), (1, b)) if a_rg and b_rg else (((0, a),) if a_rg else ((1, b),))
        t._node = Node(prim, (a, b), parents, (ad, bd), _NO_PARAMS, out)
    else:
        t.requires_grad = False
        t._node = None
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None,
           device: Any = None) -> Tensor:
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


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
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




def add_methods(source: type) -> None:
    """Install the methods, properties and operators defined in class ``source`` onto :class:`Tensor`.

    How the layers above the core give Tensor its methods (``backward`` from autograd, the
    operators and PyTorch-named methods from :mod:`retrograd.tensor`) without the core
    importing them.

    >>> class _Extra:
    ...     def twice(self): return self * 2
    >>> add_methods(_Extra); tensor(3.0).twice()
    tensor(6.)
    >>> del Tensor.twice
    """
    for name, value in vars(source).items():
        if name in _NOT_METHODS or (name == "__hash__" and value is None):  # __eq__ without __hash__
            continue
        fn: Any = value.fget if isinstance(value, property) else value
        if hasattr(fn, "__qualname__") and not fn.__qualname__.startswith("Tensor."):  # aliases keep theirs
            fn.__qualname__ = f"Tensor.{name}"  # as if defined in the class (docs, reprs)
            fn.__module__ = __name__
        setattr(Tensor, name, value)


_NOT_METHODS = frozenset({"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                          "__annotations__", "__firstlineno__", "__static_attributes__"})

set_apply(apply)  # primitives called with a Tensor argument come to apply
