"""Tracing: run a function once on stand-in values and record every primitive it calls.

A ``Tracer`` is a Tensor that stands for a value of a traced function (an argument, or
something computed from one). It carries the concrete value it has in the tracing run, so
shapes, dtypes and constants work as usual, but any operation on it is *recorded* in the
current ``Trace`` as an equation: a primitive with its arguments (``Eqn.kind == "prim"``),
or a plain NumPy call that is not differentiated, like the masks of the vjp rules
(``raw(x) > 0``; ``Eqn.kind == "np"``). Operations on values that do not depend on the
arguments run as usual and become constants: constant folding for free.

Asking a Tracer for its concrete value (``bool``, ``float``, ``.item()``, ``np.asarray``)
raises ``TracingError``, naming the line: the traced program must not depend on values
through Python control flow (use ``rg.where``, or make the argument static).

The transforms (``grad``, ``vjp``, ``jvp``, ``jacobian``, ...) differentiate a traced
function on the tape itself (``tape_vjp``, ``tape_jvp``), calling the very same vjp and jvp
rules with Tracers, so the backward pass is recorded as equations too: that is what
``rg.jit`` turns into straight-line code. ``x.data`` (and ``raw(x)``) of a Tracer is the
value with its gradient stopped, as the eager ``.data`` is a constant for differentiation.

>>> import numpy as np, retrograd as rg
>>> with Trace() as tr:
...     x = tr.input(np.array([1.0, -2.0]), "x")
...     y = rg.relu(x) * 3
>>> [e.name for e in tr.eqns]
['relu', 'mul']
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType
from typing import Any

import numpy as np

from . import ops
from .core import Tensor, apply as _eager_apply, promote
from .forward import BROADCASTING, _to_shape
from .ops.primitive import Primitive, set_apply

__all__ = [
    "Eqn",
    "Trace",
    "Tracer",
    "TracingError",
    "active_trace",
    "stop_gradient",
    "tape_jvp",
    "tape_vjp",
]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class TracingError(RuntimeError):
    """A traced function needed a concrete value that tracing does not have (see ``rg.jit``)."""


def _user_line() -> str:
    """``file:line: code`` of the innermost frame outside retrograd and NumPy."""
    import linecache
    f: FrameType | None = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not (os.path.abspath(fn).startswith(_PACKAGE_DIR) or f"{os.sep}numpy{os.sep}" in fn
                or fn.startswith("<rg.jit")):
            line = linecache.getline(fn, f.f_lineno).strip()
            return f"{fn}:{f.f_lineno}" + (f": {line}" if line else "")
        f = f.f_back
    return "<unknown line>"


def concretization_error(what: str) -> TracingError:
    """The error for a Python decision that needs a traced value (JAX's ConcretizationTypeError)."""
    return TracingError(
        f"rg.jit: {what} needs the concrete value of a traced array, at {_user_line()}. "
        "Inside a jitted function values are unknown while tracing: pick values with "
        "rg.where(cond, a, b) instead of `if`, or pass the argument that the decision depends on "
        "in static_argnums (it then must be a hashable Python value; a new value traces again).")


# ----- the tape -------------------------------------------------------------------------
class Eqn:
    """One recorded operation: ``out = fn(*args, **params)``.

    ``kind`` is ``"prim"`` (a Primitive, differentiable), ``"np"`` (a NumPy function, not
    differentiated) or ``"method"`` (``astype``). ``ctx`` is ``(eqn, argnum)`` when the
    equation belongs to the backward rule of another equation (for comments in the code).
    """

    __slots__ = ("args", "ctx", "fn", "index", "kind", "name", "out", "params")

    def __init__(self, kind, fn, args, params, out, ctx, index):
        self.kind, self.fn, self.args, self.params, self.out = kind, fn, args, params, out
        self.ctx, self.index = ctx, index
        #: the primitive's or NumPy function's name
        self.name = fn.name if kind == "prim" else (fn if kind == "method" else fn.__name__)

    def tracers(self):
        """The Tracers among the arguments and parameters (index tuples may hold some)."""
        return [t for t in _walk((self.args, tuple(self.params.values()))) if isinstance(t, Tracer)]

    def __repr__(self):
        return f"<eqn {self.name}>"


def _walk(x):
    if isinstance(x, (tuple, list)):
        for e in x:
            yield from _walk(e)
    elif isinstance(x, slice):
        yield from _walk((x.start, x.stop, x.step))
    else:
        yield x


_state = threading.local()


def active_trace():
    """The Trace being recorded in this thread, or None.

    >>> active_trace() is None
    True
    """
    return getattr(_state, "trace", None)


_install_lock = threading.Lock()
_installed = [0]


def _dispatch_apply(prim, args, params):
    """``Primitive.__call__`` on Tensors: record when a Tracer is involved, else the eager apply."""
    for a in args:
        if isinstance(a, Tracer):
            return bind(prim, args, params)
    if params and any(isinstance(t, Tracer) for t in _walk(tuple(params.values()))):
        return bind(prim, args, params)
    return _eager_apply(prim, args, params)


def _dispatch_plain(prim, args, params):
    """``Primitive.__call__`` without Tensor arguments: a Tracer may still sit in an index tuple."""
    if any(isinstance(t, Tracer) for t in _walk((args, tuple(params.values())))):
        return bind(prim, args, params)
    return prim.impl(*args, **params)


class Trace:
    """A tape of equations, active (in this thread) inside ``with Trace() as tr:``.

    >>> import numpy as np
    >>> with Trace() as tr:
    ...     x = tr.input(np.float64(2.0), "x")
    ...     y = x * x + 1
    >>> len(tr.eqns), y.val
    (2, array(5.))
    """

    def __init__(self, nested=False):
        self.nested = nested  # may start inside another trace (rg.vmap traces f inside rg.jit)
        self.eqns: list[Eqn] = []
        self.inputs: list[Tracer] = []
        self.captured: dict = {}   # id(Tensor) -> (Tensor, Tracer): closed-over Tensors, read at run time
        self.ctx = None
        self.live = False
        self._outer = None

    def __enter__(self):
        self._outer = active_trace()
        if self._outer is not None and not self.nested:
            raise TracingError("a Trace is already active in this thread; nested jit calls are inlined")
        _state.trace = self
        self.live = True
        with _install_lock:
            if _installed[0] == 0:
                set_apply(_dispatch_apply, _dispatch_plain)
            _installed[0] += 1
        return self

    def __exit__(self, *exc):
        self.live = False
        _state.trace = self._outer
        with _install_lock:
            _installed[0] -= 1
            if _installed[0] == 0:
                set_apply(_eager_apply)
        return False

    def input(self, value, name=None) -> Tracer:
        """A new argument of the traced function, standing for ``value``'s shape and dtype."""
        t = _new_tracer(self, np.asarray(value), None)
        t.name = name
        self.inputs.append(t)
        return t

    def capture(self, tensor) -> Tracer:
        """The Tracer standing for a closed-over Tensor (its data is read each time the code runs)."""
        hit = self.captured.get(id(tensor))
        if hit is None:
            t = _new_tracer(self, tensor.val if type(tensor) is Tracer else tensor.data, None)
            t.name = tensor.name
            hit = self.captured[id(tensor)] = (tensor, t)
        return hit[1]

    def record(self, kind, fn, args, params, out_value) -> Tracer:
        eqn = Eqn(kind, fn, args, params, None, self.ctx, len(self.eqns))
        out = _new_tracer(self, out_value, eqn)
        eqn.out = out
        self.eqns.append(eqn)
        return out


def _concrete(x, trace):
    """Replace Tracers (and Tensors) in nested arguments by their values."""
    if isinstance(x, Tracer):
        if x.trace is not trace or not trace.live:
            raise TracingError("rg.jit: a traced value escaped its function (a Tracer was kept in a "
                               "global or a closure and used after tracing); return it instead")
        return x.val
    if isinstance(x, Tensor):
        return x.data
    if type(x) is tuple or type(x) is list:
        return type(x)(_concrete(e, trace) for e in x)
    if isinstance(x, slice):
        return slice(_concrete(x.start, trace), _concrete(x.stop, trace), _concrete(x.step, trace))
    return x


def _captures(a, trace) -> bool:
    """Whether ``a`` is read from outside ``trace``: a closed-over Tensor or, in a nested trace, a
    value of the enclosing one (rg.vmap inside rg.jit)."""
    if type(a) is Tracer:
        return a.trace is not trace and trace.nested and a.trace.live
    return isinstance(a, Tensor)


def bind(prim, args, params):
    """Apply primitive ``prim`` to arguments of which some are Tracers: record it, return a Tracer."""
    trace = getattr(_state, "trace", None)
    if trace is None:
        raise TracingError("rg.jit: a traced value escaped its function and was used after tracing; "
                           "return it instead of keeping it")
    vals = []
    for a in args:
        if type(a) is Tracer:
            if a.trace is not trace:
                if _captures(a, trace):
                    vals = None  # a value of an enclosing trace: captured, see below
                    break
                _concrete(a, trace)  # raises: a Tracer of another trace
            vals.append(a.val)
        elif isinstance(a, Tensor):
            vals = None  # a closed-over Tensor: captured, see below
            break
        elif type(a) in (tuple, list, slice):
            vals.append(_concrete(a, trace))
        else:
            vals.append(a)
    if vals is None:
        args = tuple(trace.capture(a) if _captures(a, trace) else a for a in args)
        vals = [_concrete(a, trace) for a in args]
    out = prim.impl(*vals, **{k: _concrete(v, trace) for k, v in params.items()}) if params else prim.impl(*vals)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    return trace.record("prim", prim, args, params, out)


def _bind_numpy(kind, fn, args, kwargs):
    trace = active_trace()
    if trace is None:
        raise TracingError("rg.jit: a traced value escaped its function and was used after tracing")
    args = tuple(trace.capture(a) if _captures(a, trace) else a for a in args)
    vals = _concrete(list(args), trace)
    kvals = {k: _concrete(v, trace) for k, v in kwargs.items()}
    out = getattr(vals[0], fn)(*vals[1:], **kvals) if kind == "method" else fn(*vals, **kvals)
    if isinstance(out, (np.ndarray, np.generic, bool, int, float)):
        return trace.record(kind, fn, tuple(args), kwargs, np.asarray(out))
    raise TracingError(f"rg.jit: NumPy's {getattr(fn, '__name__', fn)} on a traced array returns a "
                       f"{type(out).__name__}, which tracing cannot follow, at {_user_line()}")


# NumPy ufuncs that are retrograd primitives: applied to a Tracer they are differentiated.
_UFUNC_PRIMS = {np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul, np.true_divide: ops.div,
                np.power: ops.power, np.negative: ops.neg, np.exp: ops.exp, np.log: ops.log,
                np.sqrt: ops.sqrt, np.sin: ops.sin, np.cos: ops.cos, np.tan: ops.tan, np.tanh: ops.tanh,
                np.absolute: ops.absolute, np.maximum: ops.maximum, np.minimum: ops.minimum,
                np.matmul: ops.matmul}

stop_gradient = Primitive("stop_gradient", lambda x: x, vjp=[None], jvp=[None],
                          doc="x, as a constant for differentiation (JAX's stop_gradient).")
identity = Primitive("identity", lambda x: x, vjp=[lambda g, out, x: g], jvp=[lambda t, out, x: t],
                     doc="x itself, as a new variable (the fresh input of a transform inside a trace).")


def _new_tracer(trace, value, eqn):
    t = object.__new__(Tracer)
    t.val = value
    t.trace = trace
    t.eqn = eqn
    t.grad = t.name = t._node = None
    t.requires_grad = True  # any traced value may be differentiated by a transform
    t._sg = None
    t.grad_of = None
    return t


def _no_cast(self, other) -> bool:
    """Whether ``promote(self, other)`` would return both as they are: another Tracer of the same
    dtype, or a Python float or int with a float Tracer (the common case, tested first)."""
    t = type(other)
    if t is Tracer:
        return other.val.dtype is self.val.dtype
    return (t is float or t is int) and self.val.dtype.kind == "f"


def _binop(prim):
    # PyTorch's type promotion, as the eager operators (apply_binary): mixed dtypes are cast first.
    def op(self, other):
        return bind(prim, (self, other) if _no_cast(self, other) else promote(self, other), {})

    def rop(self, other):
        return bind(prim, (other, self) if _no_cast(self, other) else promote(other, self), {})
    return op, rop


def _cmp(ufunc):
    return lambda self, other: _bind_numpy("np", ufunc, promote(self, other, compare=True), {})


def _unop(prim):
    return lambda self: bind(prim, (self,), {})


class Tracer(Tensor):
    """A Tensor standing for a value of a function being traced (see the module docstring).

    ``val`` is its value in the tracing run, ``eqn`` the equation that made it (None for
    an input of the trace).
    """

    __slots__ = ("_sg", "eqn", "grad_of", "trace", "val")
    val: Any
    trace: Any

    # ----- what it looks like -------------------------------------------------------------
    @property
    def data(self):
        """The value with its gradient stopped (the eager ``.data`` is a constant too)."""
        if self._sg is None or self._sg.trace is not active_trace():
            sg = bind(stop_gradient, (self,), {})
            sg._sg = sg
            if sg.trace is not self.trace:
                return sg  # read inside a nested trace (rg.vmap in rg.jit): not kept
            self._sg = sg
        return self._sg

    shape = property(lambda self: self.val.shape, doc="The shape tuple.")
    ndim = property(lambda self: self.val.ndim, doc="Number of dimensions.")
    dtype = property(lambda self: self.val.dtype, doc="The NumPy dtype.")
    is_leaf = property(lambda self: True)
    grad_fn = property(lambda self: None)

    def size(self, dim=None):
        return self.val.shape if dim is None else self.val.shape[dim]

    def numel(self):
        return self.val.size

    def __len__(self):
        if self.val.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.val.shape[0]

    def __iter__(self):
        if self.val.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.val.shape[0]))

    def __repr__(self):
        nm = f", name={self.name!r}" if self.name else ""
        return f"Tracer(shape={self.val.shape}, dtype={self.val.dtype}{nm})"

    # ----- no concrete values while tracing -------------------------------------------------
    def __bool__(self):
        raise concretization_error("a Python condition (if, while, and/or, bool())")

    def __float__(self):
        raise concretization_error("float()")

    def __int__(self):
        raise concretization_error("int()")

    def __index__(self):
        raise concretization_error("using a traced value as a Python int (range, an index, a shape)")

    def item(self):
        raise concretization_error(".item()")

    def tolist(self):
        raise concretization_error(".tolist()")

    def numpy(self):
        raise concretization_error(".numpy()")

    def __array__(self, dtype=None, copy=None):
        raise concretization_error("converting to a NumPy array (np.asarray, np.array)")

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        raise TracingError("rg.jit: .backward() inside a jitted function is not supported; compute "
                           "gradients with rg.grad or rg.value_and_grad and return them")

    def detach(self):
        return bind(stop_gradient, (self,), {})

    def contiguous(self):
        """``self``: memory layout is the generated code's business, values are what count."""
        return self

    # ----- operations are recorded -----------------------------------------------------------
    __add__, __radd__ = _binop(ops.add)
    __sub__, __rsub__ = _binop(ops.sub)
    __mul__, __rmul__ = _binop(ops.mul)
    __truediv__, __rtruediv__ = _binop(ops.div)
    __pow__, __rpow__ = _binop(ops.power)
    __matmul__, __rmatmul__ = _binop(ops.matmul)
    __neg__ = _unop(ops.neg)
    __abs__ = _unop(ops.absolute)
    exp, log, sqrt = _unop(ops.exp), _unop(ops.log), _unop(ops.sqrt)
    sin, cos, tan, tanh = _unop(ops.sin), _unop(ops.cos), _unop(ops.tan), _unop(ops.tanh)
    sigmoid, relu, abs = _unop(ops.sigmoid), _unop(ops.relu), _unop(ops.absolute)

    def pow(self, exponent): return bind(ops.power, (self, exponent), {})
    def matmul(self, other): return bind(ops.matmul, (self, other), {})
    def maximum(self, other): return bind(ops.maximum, (self, other), {})
    def minimum(self, other): return bind(ops.minimum, (self, other), {})

    __lt__, __le__ = _cmp(np.less), _cmp(np.less_equal)
    __gt__, __ge__ = _cmp(np.greater), _cmp(np.greater_equal)
    __eq__, __ne__ = _cmp(np.equal), _cmp(np.not_equal)
    __and__, __or__ = _cmp(np.logical_and), _cmp(np.logical_or)
    __rand__, __ror__ = _cmp(np.logical_and), _cmp(np.logical_or)
    __hash__ = Tensor.__hash__

    def __invert__(self):
        return _bind_numpy("np", np.logical_not, (self,), {})

    def astype(self, dtype, copy=True):
        """The values converted to ``dtype`` (not differentiated: use it for masks)."""
        return _bind_numpy("method", "astype", (self, np.dtype(dtype)), {})

    def any(self, axis=None, keepdims=False):
        kw = {"axis": axis, "keepdims": True} if keepdims else {"axis": axis}
        return _bind_numpy("np", np.any, (self,), kw)

    def all(self, axis=None, keepdims=False):
        kw = {"axis": axis, "keepdims": True} if keepdims else {"axis": axis}
        return _bind_numpy("np", np.all, (self,), kw)

    # ----- NumPy functions called on a Tracer -------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs or method == "at":
            raise TracingError(f"rg.jit: NumPy {ufunc.__name__}.{method} (or out=) writes in place into an "
                               f"array, which tracing cannot follow, at {_user_line()}; "
                               "write it as a function of its inputs")
        if method != "__call__":  # np.maximum.accumulate(x, axis=1), ...: not differentiated
            return _bind_numpy("np", getattr(ufunc, method), inputs, kwargs)
        prim = _UFUNC_PRIMS.get(ufunc)
        if prim is not None and not kwargs:
            return bind(prim, inputs, {})
        return _bind_numpy("np", ufunc, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.ndim:
            return args[0].ndim
        if func is np.shape:
            return args[0].shape
        if func is np.size:
            return args[0].val.size if len(args) == 1 else args[0].val.shape[args[1]]
        return _bind_numpy("np", func, args, kwargs)


# ----- reverse mode on the tape -----------------------------------------------------------
def _active_eqns(trace, ins):
    """Equations (from the first input on) that depend differentiably on ``ins``; the active values.

    Values are keyed by the Tracers themselves (a better hash spread than id(); a Tracer's
    ``__eq__`` is never called, since distinct live objects have distinct hashes).
    """
    active = set(ins)
    start = min((t.eqn.index for t in ins if t.eqn is not None), default=0)
    chosen = []
    add, choose = active.add, chosen.append
    for eqn in trace.eqns[start:]:
        if eqn.kind != "prim":
            continue
        prim = eqn.fn
        for i, a in enumerate(eqn.args):
            if isinstance(a, Tracer) and a in active and prim.vjp_for(i) is not None:
                add(eqn.out)
                choose(eqn)
                break
    return chosen, active


def _add(a, b):
    return b if a is None else a + b


def tape_vjp(outs, ins, seeds):
    """Gradients for ``ins`` of ``sum(seed . out)``, recorded on the active trace (None where none).

    Seeds may carry leading batch axes (the same number for all), as in ``run_backward``.
    """
    trace = active_trace()
    chosen, active = _active_eqns(trace, ins)
    nb = np.ndim(seeds[0]) - outs[0].ndim if outs else 0
    cts = {}  # keyed by the Tracers, as ``active``
    for o, s in zip(outs, seeds):
        if isinstance(o, Tracer) and o in active:
            cts[o] = _add(cts.get(o), s)
    saved_ctx = trace.ctx
    pop, get = cts.pop, cts.get
    try:
        for eqn in reversed(chosen):
            g = pop(eqn.out, None)
            if g is None:
                continue
            if isinstance(g, Tracer) and g.grad_of is None and outs:
                g.grad_of = (outs[0], eqn.out)  # the gradient of the output with respect to eqn.out
            prim = eqn.fn
            for i, a in enumerate(eqn.args):
                if not (isinstance(a, Tracer) and a in active):
                    continue
                rule = prim.vjp_for(i)
                if rule is None:
                    continue
                trace.ctx = (eqn, i)
                gi = rule(g, eqn.out, *eqn.args, **eqn.params)
                shape = a.val.shape
                gs = gi.val.shape if type(gi) is Tracer else np.shape(gi)
                if gs[nb:] != shape or len(gs) != nb + len(shape):
                    gi = ops.sum_to(gi, shape, nb=nb)
                cts[a] = _add(get(a), gi)
    finally:
        trace.ctx = saved_ctx
    result = []
    for t in ins:
        g = cts.get(t)
        if isinstance(g, Tracer) and outs:
            if g.grad_of is not None and g.grad_of[1] is not t:
                g = bind(identity, (g,), {})  # the same value under the input's own name (dJ_db = dJ_dd)
            g.grad_of = (outs[0], t)
        result.append(g)
    return result


def tape_jvp(outs, ins, tangents, nb=0):
    """Tangents of ``outs`` given one tangent per input (batch axes ``nb``), recorded on the trace."""
    trace = active_trace()
    chosen, _active = _active_eqns(trace, ins)
    tans = {id(t): v for t, v in zip(ins, tangents) if v is not None}
    for eqn in chosen:
        prim = eqn.fn
        have = {i: tans[id(a)] for i, a in enumerate(eqn.args) if isinstance(a, Tracer) and id(a) in tans}
        if not have:
            continue
        out_shape = eqn.out.shape
        trace.ctx = None
        if callable(prim.jvp) and not isinstance(prim.jvp, (list, tuple)):
            ts = tuple(have.get(i) for i in range(len(eqn.args)))
            tans[id(eqn.out)] = _to_shape(prim.jvp(ts, eqn.out, *eqn.args, **eqn.params), nb, out_shape, True)
            continue
        total = None
        for i, t in have.items():
            rule = prim.jvp[i] if i < len(prim.jvp) else None
            if rule is None:
                continue
            if nb and prim in BROADCASTING:
                xs = np.shape(eqn.args[i])
                if len(xs) < len(out_shape):
                    ts = np.shape(t)
                    t = ops.reshape(t, ts[:nb] + (1,) * (len(out_shape) - len(xs)) + xs)
            c = _to_shape(rule(t, eqn.out, *eqn.args, **eqn.params), nb, out_shape, True)
            total = c if total is None else total + c
        if total is not None:
            tans[id(eqn.out)] = total
    return [tans.get(id(o)) for o in outs]


def fresh(x):
    """A new traced variable equal to ``x`` (a Tracer or a float array), for a transform to differentiate.

    For a constant it is an ``identity`` equation whose argument is the constant.
    """
    if isinstance(x, Tracer):
        return bind(identity, (x,), {})
    return active_trace().record("prim", identity, (x,), {}, x)
