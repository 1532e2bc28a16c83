"""``rg.jit``: trace a function once, turn it into straight-line NumPy code, cache it.

``rg.jit(f)`` runs ``f`` once per *signature* (the pytree structure of the arguments, the
shape and dtype of every array, the values of the static arguments) on Tracers
(:mod:`retrograd.tracing`), which record every primitive it calls, including, when ``f``
takes gradients with ``rg.grad``/``rg.value_and_grad``/``rg.jacobian``/``rg.hessian``,
the backward pass. The record becomes Python source (:mod:`retrograd.jit.codegen`),
compiled once with ``compile()``; later calls with the same signature run that code
directly, without the graph bookkeeping of the eager engine.

>>> import retrograd as rg
>>> @rg.jit
... def step(w, x):
...     return rg.value_and_grad(lambda w: ((w * x - 1.0) ** 2).sum())(w)
>>> loss, g = step(rg.tensor([1.0, 2.0]), rg.tensor([3.0, 4.0]))
>>> loss, g
(tensor(53.), tensor([12., 56.]))
>>> print(step.source(rg.tensor([1.0, 2.0]), rg.tensor([3.0, 4.0])).splitlines()[1])
def step(w, x):

Composition: ``rg.jit(rg.grad(f))`` compiles forward and backward together;
``rg.grad(rg.jit(f))`` (a jitted function called on Tensors that require grad, or that
closes over such Tensors while grad mode is on) runs ``f`` eagerly, so its graph is
recorded as usual. A jitted function called inside another one is inlined.
"""

from __future__ import annotations

import functools
import gc
import inspect
import keyword
import linecache
from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np

from ..autograd import is_grad_enabled
from ..backend import get_default_dtype
from ..core import Tensor, wrap as _wrap
from ..graph_model import Graph
from ..pytree import tree_flatten, tree_unflatten
from ..tracing import Trace, Tracer, TracingError, active_trace
from .codegen import _describe, _Emitter, _helper_names, _ident, assign_names, generate, simplify

__all__ = ["Jitted", "TracingError", "jit"]


_ndarray = np.ndarray


def _leaf_kind(x):
    """The part of the cache key that one leaf contributes, and how it is traced."""
    t = type(x)
    if t is _ndarray:
        return ("A", x.shape, x.dtype)
    if isinstance(x, Tensor):  # a Tensor and an array of the same shape and dtype share the code
        return ("A", x.data.shape, x.data.dtype)
    if isinstance(x, np.ndarray):
        return ("A", x.shape, x.dtype)
    if isinstance(x, np.generic):
        return ("G", (), x.dtype)
    if t is bool:
        return ("b", (), np.dtype(np.bool_))
    if t is int:
        return ("i", (), np.dtype(np.int64))
    if t is float:
        return ("f", (), np.dtype(get_default_dtype()))
    return None  # not an array: a static leaf, keyed by its value


def _leaf_array(x, kind):
    if kind[0] == "A":
        return x.data if isinstance(x, Tensor) else x
    return np.asarray(x, dtype=kind[2])


_CONTAINERS = (tuple, list, dict, type(None))


def _walk_arrays(x, leaves, key) -> bool:
    """The leaves of a pytree of arrays and Tensors in ``tree_flatten`` order, and a key of its
    structure, shapes and dtypes (the signature); False where another kind of leaf needs the full path."""
    t = type(x)
    if t is _ndarray:
        leaves.append(x)
        key.append(x.shape)
        key.append(x.dtype)
    elif t is tuple or t is list:
        key.append((t.__name__, len(x)))
        for e in x:
            if not _walk_arrays(e, leaves, key):
                return False
    elif t is dict:
        try:
            keys = sorted(x)
        except TypeError:
            return False
        key.append(("dict", *keys))
        for k in keys:
            if not _walk_arrays(x[k], leaves, key):
                return False
    elif x is None:
        key.append(None)
    elif isinstance(x, Tensor):
        leaves.append(x)
        key.append(x.data.shape)
        key.append(x.data.dtype)
    else:
        return False
    return True


def _paths(x, prefix, out):
    """Readable names for the leaves of ``x``, in ``tree_flatten`` order."""
    if x is None:
        return
    if type(x) in (tuple, list) or (isinstance(x, tuple) and hasattr(type(x), "_fields")):
        for i, e in enumerate(x):
            _paths(e, f"{prefix}_{i}", out)
    elif type(x) is dict:
        try:
            keys = sorted(x)
        except TypeError:
            keys = list(x)
        for k in keys:
            _paths(x[k], f"{prefix}_{k}", out)
    else:
        out.append(x.name if isinstance(x, Tensor) and x.name else prefix)


class _Entry:
    """One compiled signature: the code, how to convert arguments, how to rebuild results."""

    def __init__(self, jitted, trace, tracers, names, kinds, out_leaves, out_tree):
        self.trace, self.tracers, self.names, self.kinds = trace, tracers, names, kinds
        self.out_leaves, self.out_tree = out_leaves, out_tree
        self.fname = _ident(str(getattr(jitted.f, "__name__", "f")).replace("<lambda>", "f"))
        if self.fname in _helper_names() or keyword.iskeyword(self.fname) or self.fname in ("np", "math"):
            self.fname += "_"  # the code's helpers (sigmoid, linear, ...) keep their names
        traced_outs = [o if isinstance(o, Tracer) else _const_leaf(o) for o in out_leaves]
        self.source, ns, self.scalar = generate(trace, tracers, names, traced_outs, self.fname)
        self.fn = _compile(self.source, ns, self.fname, jitted)
        self.array_fn = None if self.scalar else self.fn
        self.captured = [t for t, _ in trace.captured.values()]
        self.is_tracer_out = [isinstance(o, Tracer) for o in out_leaves]
        self.single = out_tree.kind == "leaf"
        self.all_arrays = all(k[0] == "A" for k in kinds)
        self.out_dtypes = [o.val.dtype if isinstance(o, Tracer) else None for o in out_leaves]
        self.rebuild = _rebuilder(out_tree)
        self._jitted = jitted

    def needs_eager(self) -> bool:
        return bool(self.captured) and is_grad_enabled() and any(t.requires_grad for t in self.captured)

    def run(self, leaves):
        kinds = self.kinds
        if self.scalar:
            vals = [float(_leaf_array(x, k)) if k[2] != np.bool_ else bool(_leaf_array(x, k))
                    for x, k in zip(leaves, kinds)]
            try:
                res = self.fn(*vals)
            except (ArithmeticError, ValueError):
                # a float operation that NumPy does differently (log(0) = -inf, 1/0 = inf, ...)
                res = self._array_version()(*[_leaf_array(x, k) for x, k in zip(leaves, kinds)])
        elif self.all_arrays:
            res = self.fn(*[x if type(x) is _ndarray else x.data for x in leaves])
        else:
            res = self.fn(*[_leaf_array(x, k) for x, k in zip(leaves, kinds)])
        out = []
        for v, is_t, dt, orig in zip(res, self.is_tracer_out, self.out_dtypes, self.out_leaves):
            if is_t:
                if type(v) is not _ndarray:
                    v = np.asarray(v, dtype=dt)
                elif v.base is not None and not v.flags.writeable:
                    v = v.copy()  # a broadcast view: give the caller an array of its own
                out.append(_wrap(v, None))
            elif isinstance(orig, (Tensor, np.ndarray)):
                out.append(_wrap(np.array(orig.data if isinstance(orig, Tensor) else orig), None))
            else:
                out.append(orig)
        if self.single:
            return out[0]
        return self.rebuild(out)

    def _array_version(self):
        if self.array_fn is None:
            traced_outs = [o if isinstance(o, Tracer) else _const_leaf(o) for o in self.out_leaves]
            src, ns, _ = generate(self.trace, self.tracers, self.names, traced_outs, self.fname, scalar=False)
            self.array_fn = _compile(src, ns, self.fname, self._jitted)
        return self.array_fn


def _rebuilder(tree):
    """A function putting a list of leaves back into the structure ``tree`` (``tree_unflatten``
    compiled once: one expression, no walk over the structure at each call)."""
    consts = []

    def text(t, counter):
        if t.kind == "leaf":
            counter[0] += 1
            return f"o[{counter[0] - 1}]"
        if t.kind == "none":
            return "None"
        inner = [text(c, counter) for c in t.children]
        if t.kind == "list":
            return "[" + ", ".join(inner) + "]"
        if t.kind == "tuple":
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        consts.append(t.meta)
        k = len(consts) - 1
        if t.kind == "dict":
            return "{" + ", ".join(f"K{k}[{i}]: {v}" for i, v in enumerate(inner)) + "}"
        return f"K{k}(" + ", ".join(inner) + ")"   # a named tuple's class

    try:
        body = text(tree, [0])
    except AttributeError:  # not a structure this knows: the general function
        return lambda leaves: tree_unflatten(tree, leaves)
    return eval(f"lambda o: {body}", {f"K{k}": c for k, c in enumerate(consts)})


def _const_leaf(o):
    return o.data if isinstance(o, Tensor) else o


_counter = [0]


def _compile(src, ns, fname, jitted):
    _counter[0] += 1
    filename = f"<rg.jit {fname} #{_counter[0]}>"
    code = compile(src, filename, "exec")
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    exec(code, ns)
    return ns[fname]


class Jitted:
    """A jitted function: call it like ``f``; see :func:`jit`.

    ``trace_count`` counts the traces made so far (one per new signature);
    ``clear_cache()`` forgets them; ``source(*args)`` and ``lower(*args)`` show the code
    and the graph for those arguments.
    """

    def __init__(self, f: Callable[..., Any], static_argnums: int | Sequence[int] = ()) -> None:
        if not callable(f):
            raise TypeError(f"jit: expected a function, got {type(f).__name__} ({f!r:.40})")
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        self.f = f
        self.static_argnums = tuple(static_argnums)
        self.trace_count = 0
        self._cache: dict[Any, Any] = {}
        self._fast: dict[Any, Any] = {}  # the key of _walk_arrays -> entry: pytrees of arrays, without tree_flatten
        try:
            self._params = [p for p in inspect.signature(f).parameters.values()]
        except (TypeError, ValueError):
            self._params = []
        functools.update_wrapper(self, f)

    def clear_cache(self) -> None:
        """Forget every compiled signature (the next call traces again)."""
        self._cache.clear()
        self._fast.clear()

    def _split(self, args, kwargs):
        n = len(args)
        static = set()
        for a in self.static_argnums:
            if not -n <= a < n:
                raise ValueError(f"jit: static_argnums={self.static_argnums!r} names argument {a}, but the "
                                 f"function was called with {n} positional argument(s)")
            static.add(a % n)
        dyn = tuple(a for i, a in enumerate(args) if i not in static)
        leaves, tree = tree_flatten((dyn, kwargs))
        kinds = [_leaf_kind(x) for x in leaves]
        static_key = []
        for i in sorted(static):
            try:
                hash(args[i])
            except TypeError:
                raise TypeError(f"jit: static argument {i} ({args[i]!r:.40}) must be hashable (a number, a "
                                "string, a tuple...), since it selects the compiled code") from None
            static_key.append((i, args[i]))
        for x, k in zip(leaves, kinds):
            if k is None:
                try:
                    hash(x)
                except TypeError:
                    raise TypeError(f"jit: argument leaf {x!r:.40} is neither an array nor hashable; pass "
                                    "arrays, Tensors, numbers, or hashable static values") from None
        key = (tree, tuple(k if k is not None else ("S", x) for x, k in zip(leaves, kinds)),
               tuple(static_key))
        return key, leaves, kinds, static, tree

    def _entry(self, args, kwargs):
        key, leaves, kinds, static, tree = self._split(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = self._trace(args, kwargs, leaves, kinds, static, tree)
        return entry, leaves

    def _arg_names(self, args, kwargs, static):
        names = []
        pos = [p for p in self._params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        star = next((p.name for p in self._params if p.kind == p.VAR_POSITIONAL), "arg")
        for i, a in enumerate(args):
            if i in static:
                continue
            base = pos[i].name if i < len(pos) else f"{star}{i}"
            _paths(a, base, names)
        for k in sorted(kwargs):
            _paths(kwargs[k], k, names)
        return names

    def _trace(self, args, kwargs, leaves, kinds, static, tree):
        # Tracing makes an object per operation, all alive until the code is written: Python's cycle
        # collector would walk them again and again (half the time of a 200,000-operation trace).
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._trace_compile(args, kwargs, leaves, kinds, static, tree)
        finally:
            if paused:
                gc.enable()

    def _trace_compile(self, args, kwargs, leaves, kinds, static, tree):
        names_all = self._arg_names(args, kwargs, static)
        with Trace() as tr:
            tracers, names, new_leaves = [], [], []
            for x, k, nm in zip(leaves, kinds, names_all):
                if k is None:
                    new_leaves.append(x)
                    continue
                t = tr.input(_leaf_array(x, k), nm)
                tracers.append(t)
                names.append(nm)
                new_leaves.append(t)
            dyn, kw = tree_unflatten(tree, new_leaves)
            it = iter(dyn)
            call = [args[i] if i in static else next(it) for i in range(len(args))]
            result = self.f(*call, **kw)
        self.trace_count += 1
        out_leaves, out_tree = tree_flatten(result)
        return _Entry(self, tr, tracers, names, [k for k in kinds if k is not None], out_leaves, out_tree)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if active_trace() is not None:
            return self.f(*args, **kwargs)  # inside another jit: inline
        if not kwargs and not self.static_argnums:
            # the common case, kept cheap: positional arrays, Tensors and numbers
            kinds = []
            for a in args:
                k = _leaf_kind(a) if not isinstance(a, _CONTAINERS) else None
                if k is None:
                    break
                kinds.append(k)
            else:
                if is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args):
                    return self.f(*args)  # differentiated from outside: record eagerly
                entry = self._cache.get(tuple(kinds))
                if entry is None:
                    entry, _ = self._entry(args, kwargs)
                    self._cache[tuple(kinds)] = entry
                if entry.needs_eager():
                    return self.f(*args)
                return entry.run(args)
            # pytrees of arrays and Tensors (a dict of parameters, an optimizer state): one walk
            leaves: list = []
            key: list = []
            if _walk_arrays(args, leaves, key):
                if is_grad_enabled() and any(type(x) is not _ndarray and x.requires_grad for x in leaves):
                    return self.f(*args)  # differentiated from outside: record eagerly
                sig = tuple(key)
                entry = self._fast.get(sig)
                if entry is None:
                    entry = self._fast[sig] = self._entry(args, kwargs)[0]
                if entry.needs_eager():
                    return self.f(*args)
                return entry.run(leaves)
        if is_grad_enabled():
            leaves = tree_flatten((args, kwargs))[0]
            if any(isinstance(x, Tensor) and x.requires_grad for x in leaves):
                return self.f(*args, **kwargs)  # differentiated from outside: record eagerly
        entry, leaves = self._entry(args, kwargs)
        if entry.needs_eager():
            return self.f(*args, **kwargs)
        return entry.run([x for x in leaves if _leaf_kind(x) is not None])

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The generated Python source for these arguments (traced and compiled if new).

        >>> import retrograd as rg
        >>> print(rg.jit(lambda x: rg.tanh(x) * 2).source(rg.tensor([1.0])), end="")
        import numpy as np
        def f(x):
            # forward
            tanh1 = np.tanh(x)
            del x
            mul1 = tanh1 * 2
            del tanh1
            return (mul1,)
        """
        return self._entry(args, kwargs)[0].source

    def lower(self, *args: Any, **kwargs: Any) -> Graph:
        """The traced graph for these arguments, forward and backward, as the learning layer's
        ``Graph`` model (so ``.to_svg()``, ``.to_dot()`` and ``rg.learn.lab`` draw it).

        One node per input (``phase`` ``"input"``; closed-over Tensors ``"param"``) and per
        line of the generated code (``phase`` ``"forward"`` or ``"backward"``): ``id`` and
        ``name`` are the code's variable names, ``op`` the primitive, ``formula`` the line's
        right-hand side, ``inputs`` its arguments (names or constant texts), ``shape``,
        ``dtype``, ``comment`` (the code's comment above the first line of a backward rule),
        and ``value`` (the traced value, for numbers and arrays of at most
        :data:`LOWER_VALUE_SIZE` elements). ``graph.source`` is the generated code,
        ``graph.inputs`` maps the argument names to their traced values, and
        ``graph.extra["outputs"]`` lists the returned names (``graph.output`` is the first).
        The layout is computed by the first view that draws the graph. (Long float programs,
        whose code writes a value used once into the line that uses it, keep one node per
        operation here.)

        >>> import retrograd as rg
        >>> g = rg.jit(lambda x: rg.tanh(x) * 2).lower(rg.tensor([1.0]))
        >>> [(n["id"], n["op"], n["phase"]) for n in g.nodes]
        [('x', None, 'input'), ('tanh1', 'tanh', 'forward'), ('mul1', 'mul', 'forward')]
        >>> list(g.inputs), g.extra["outputs"], g.node("mul1")["formula"]
        (['x'], ['mul1'], 'tanh1 * 2')
        """

        entry = self._entry(args, kwargs)[0]
        traced_outs = [o if isinstance(o, Tracer) else _const_leaf(o) for o in entry.out_leaves]
        steps, outs, rep = simplify(entry.trace, traced_outs)
        captured = list(entry.trace.captured.values())
        of, name_of = assign_names(steps, entry.tracers, entry.names, captured, outs, rep,
                                   _helper_names() | {"np", "math"})
        em = _Emitter(of, entry.scalar, set(of.values()))
        helpers: dict = {}
        nodes, edges, backward, ctx = [], [], False, None
        leaves = [(t, "input") for t in entry.tracers] + [(t, "param") for _, t in captured]
        for t, phase in leaves:
            nodes.append(_lowered_node(of[id(t)], "input", None, None, t.val, phase, []))
        known = {n["id"] for n in nodes}
        for st in steps:
            name = of[id(st.out)]
            backward = backward or st.eqn.ctx is not None or st.out.grad_of is not None  # as in the code
            nodes.append(_lowered_node(name, "op", st.eqn.name, em.expr(st, helpers), st.out.val,
                                       "backward" if backward else "forward", [em.arg(a) for a in st.args]))
            if st.eqn.ctx is not None and st.eqn.ctx != ctx:  # the code's comment above this rule's lines
                nodes[-1]["comment"] = _describe(st, name_of)
            ctx = st.eqn.ctx
            for src in dict.fromkeys(of[id(t)] for t in st.tracers):  # one edge per source, in order
                if src in known:
                    edges.append({"source": src, "target": name, "local": None, "local_formula": None,
                                  "label": ""})
            known.add(name)
        out_names = [of[id(o)] if isinstance(o, Tracer) else repr(o) for o in outs]
        scalar = all(n["shape"] == [] for n in nodes)
        return Graph(out_names[0] if out_names else None, "traced", entry.source,
                     {of[id(t)]: _lowered_value(t.val) for t in entry.tracers}, nodes, edges,
                     outputs=out_names, scalar=scalar, title=entry.fname, notes=[], auto_notes=[])

    def __repr__(self):
        return f"<jitted {getattr(self.f, '__name__', 'function')}: {len(self._cache)} compiled signature(s)>"


#: ``lower()`` keeps the traced value of a node when it has at most this many elements.
LOWER_VALUE_SIZE = 12


def _lowered_value(v):
    a = np.asarray(v)
    if a.dtype.kind not in "fiub" or a.size > LOWER_VALUE_SIZE or a.ndim > 2:
        return None
    return a.item() if a.ndim == 0 else a.tolist()


def _lowered_node(name, kind, op, formula, val, phase, inputs):
    return {"id": name, "name": name, "kind": kind, "op": op, "formula": formula, "value": _lowered_value(val),
            "grad": None, "requires_grad": False, "layer": 0, "x": 0.0, "y": 0.0, "phase": phase,
            "inputs": inputs, "shape": list(np.shape(val)), "dtype": str(np.asarray(val).dtype)}


@overload
def jit(f: Callable[..., Any], static_argnums: int | Sequence[int] = ()) -> Jitted: ...
@overload
def jit(f: None = None, static_argnums: int | Sequence[int] = ()) -> Callable[[Callable[..., Any]], Jitted]: ...
def jit(f: Callable[..., Any] | None = None, static_argnums: int | Sequence[int] = ()) -> Any:
    """Compile ``f`` into straight-line NumPy code, once per argument signature (JAX's ``jit``).

    ``f`` takes Tensors, arrays, numbers and pytrees of them (``static_argnums`` names the
    positional arguments that are Python values selecting the computation instead, such as
    a flag or a size; they must be hashable). It must not branch on traced values: use
    ``rg.where``. Usable as a decorator, with or without arguments.

    >>> import retrograd as rg
    >>> f = rg.jit(lambda x, n: x ** n, static_argnums=1)
    >>> f(rg.tensor([2.0, 3.0]), 2), f.trace_count
    (tensor([4., 9.]), 1)
    >>> f(rg.tensor([5.0, 6.0]), 2), f.trace_count       # same signature: no new trace
    (tensor([25., 36.]), 1)
    """
    if f is None:
        return lambda g: Jitted(g, static_argnums)
    return Jitted(f, static_argnums)
