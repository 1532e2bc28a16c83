"""``rg.custom_vjp`` and ``rg.custom_jvp``: your own derivative rule for a function (JAX's API).

``f = rg.custom_vjp(f); f.defvjp(fwd, bwd)`` gives reverse mode your rule: ``fwd(*args)``
returns ``(f(*args), residuals)`` and ``bwd(residuals, g)`` returns one cotangent per
argument (a tuple). ``f = rg.custom_jvp(f); f.defjvp(jvp)`` gives forward mode your rule:
``jvp(primals, tangents)`` returns ``(f(*primals), tangent_out)``; reverse mode transposes
it (a tangent rule is linear in the tangents, so its vjp is the gradient of
``<g, tangent_out>`` with respect to them), as JAX does. ``nondiff_argnums`` names arguments
that are Python values rather than arrays (a flag, a function); ``bwd`` and ``jvp`` get them
first. Arguments and results may be pytrees.

Each call is one node of the graph: a one-off :class:`~retrograd.ops.primitive.Primitive`
(what ``rg.autograd.Function`` builds underneath) whose vjp and jvp rules call yours. So it
works eagerly, under ``grad``/``vjp``/``jacobian``/``hessian``, under ``rg.jit`` (whose trace
records your rules' operations; the forward runs ``f`` as one opaque call) and under
``rg.vmap``. Rules written with retrograd's functions are differentiable again: higher
derivatives re-run ``fwd`` with recording, so residuals are differentiated too.

A numerically stable ``log(1 + exp(x))`` (JAX's example):

>>> import retrograd as rg
>>> @rg.custom_jvp
... def log1pexp(x):
...     return rg.log(1.0 + rg.exp(x))
>>> @log1pexp.defjvp
... def log1pexp_jvp(primals, tangents):
...     x, = primals
...     x_dot, = tangents
...     return log1pexp(x), (1.0 - 1.0 / (1.0 + rg.exp(x))) * x_dot
>>> import numpy as np
>>> with np.errstate(over="ignore"):
...     rg.grad(log1pexp)(1000.0)      # the plain formula's gradient is exp(1000) / (1 + exp(1000)) = nan
tensor(1.)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import autograd, ops
from .autograd import enable_grad, is_grad_enabled, no_grad
from .core import Tensor, wrap as _wrap
from .ops.primitive import Primitive, raw
from .pytree import tree_flatten, tree_unflatten
from .tracing import Tracer, active_trace
from .transforms import vjp as _vjp

__all__ = ["custom_jvp", "custom_vjp"]


# ----- arguments and results <-> the flat arrays of one primitive ----------------------------
class _Call:
    """One call of a custom function: how its arguments and its result are flattened."""

    def __init__(self, owner, args, kwargs):
        if kwargs:
            try:
                bound = inspect.signature(owner.fun).bind(*args, **kwargs)
            except (TypeError, ValueError) as e:
                raise TypeError(f"{owner.kind}: {e}") from None
            if bound.kwargs:
                raise TypeError(f"{owner.kind}: keyword-only arguments ({', '.join(bound.kwargs)}) are not "
                                "supported; pass them positionally")
            args = bound.args
        n = len(args)
        for a in owner.nondiff_argnums:
            if not -n <= a < n:
                raise ValueError(f"{owner.kind}: nondiff_argnums={owner.nondiff_argnums!r} names argument {a}, "
                                 f"but the function was called with {n} argument(s)")
        self.nondiff = sorted({a % n for a in owner.nondiff_argnums})
        self.n = n
        self.static = [args[i] for i in self.nondiff]
        self.dyn = tuple(a for i, a in enumerate(args) if i not in self.nondiff)
        self.leaves, self.tree = tree_flatten(self.dyn)
        self.arg_trees = [tree_flatten(a)[1] for a in self.dyn]
        self.out_tree = None
        self.out_meta = None  # (shape, dtype) of each output leaf

    def args(self, leaves):
        """The full positional arguments, with ``leaves`` in place of the differentiable ones."""
        dyn = list(tree_unflatten(self.tree, list(leaves)))
        full, it = [], iter(dyn)
        for i in range(self.n):
            full.append(self.static[self.nondiff.index(i)] if i in self.nondiff else next(it))
        return full

    def pack(self, out):
        """A function's result (a pytree) as one array: the leaf itself, or all leaves raveled and joined."""
        leaves, tree = tree_flatten(out)
        if not leaves:
            raise TypeError("custom derivative: the function returned no arrays")
        meta = [(np.shape(raw(x)), np.asarray(raw(x)).dtype if not isinstance(x, Tracer) else x.dtype)
                for x in leaves]
        if self.out_tree is None:
            self.out_tree, self.out_meta = tree, meta
        elif tree != self.out_tree:
            raise TypeError(f"custom derivative: the rule returned the structure {tree}, but the function "
                            f"returns {self.out_tree}")
        if len(leaves) == 1:
            return leaves[0]
        dt = np.result_type(*[m[1] for m in meta])
        parts = [ops.reshape(_as_value(x), (-1,) if not isinstance(x, Tensor) else (int(np.prod(m[0])),))
                 for x, m in zip(leaves, meta)]
        parts = [ops.cast(p, dt) if _dtype(p) != dt else p for p in parts]
        return ops.concatenate(*parts, axis=-1)

    def unpack(self, flat, nb=0):
        """The pytree of the function's result from its packed array (which may carry ``nb`` batch axes)."""
        if len(self.out_meta) == 1:
            return tree_unflatten(self.out_tree, [flat])
        lead = _shape(flat)[:nb]
        outs, start = [], 0
        for shape, dt in self.out_meta:
            size = int(np.prod(shape))
            part = ops.reshape(ops.getitem(flat, (Ellipsis, slice(start, start + size))), lead + tuple(shape))
            if _dtype(part) != dt:
                part = ops.cast(part, dt)
            outs.append(part)
            start += size
        return tree_unflatten(self.out_tree, outs)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _dtype(x):
    return x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype


def _as_value(x):
    return x if isinstance(x, Tensor) else np.asarray(x)


def _tensor(x):
    """A Tensor for the user's code (methods work), from an array, a number or a Tensor.

    Inside ``rg.jit`` a constant stays an array (a Tensor would be read as a parameter).
    """
    if isinstance(x, Tensor):
        return x
    if active_trace() is not None:
        return np.asarray(x)
    return _wrap(np.asarray(x), None)


def _recording(*xs) -> bool:
    """Whether a rule runs on Tensors (create_graph, or a trace): its operations must be recorded."""
    return any(isinstance(x, Tensor) for x in xs)


def _output(x, record):
    return x if record else raw(x)


def _rows(fn, batched, ref_ndims, extra):
    """``fn`` applied to each row of the leading batch axes of ``batched`` values (None stays None).

    ``ref_ndims`` are their ndims without batch axes; ``fn`` returns a list of arrays, stacked back.
    """
    first = next(i for i, b in enumerate(batched) if b is not None)
    nb = len(_shape(batched[first])) - ref_ndims[first]
    if nb == 0:
        return fn(batched, extra)
    lead = _shape(batched[first])[:nb]
    m = int(np.prod(lead))
    flat = [None if b is None else ops.reshape(b, (m,) + _shape(b)[nb:]) for b in batched]
    rows = [fn([None if b is None else ops.getitem(b, (k,)) for b in flat], extra) for k in range(m)]
    out = []
    for j in range(len(rows[0])):
        parts = [r[j] for r in rows]
        if any(p is None for p in parts):
            out.append(None)
            continue
        st = ops.stack(*[_as_value(p) for p in parts], axis=-(len(_shape(parts[0])) + 1))
        out.append(ops.reshape(st, lead + _shape(parts[0])))
    return out


def _cotangents(call, cts, what):
    """Flatten ``bwd``'s result (one cotangent pytree per differentiable argument) to one per leaf."""
    if not isinstance(cts, (tuple, list)):
        raise TypeError(f"{what} must return a tuple with one cotangent per differentiable argument, "
                        f"got {type(cts).__name__}")
    if len(cts) != len(call.dyn):
        raise TypeError(f"{what} returned {len(cts)} cotangent(s), but the function has {len(call.dyn)} "
                        "differentiable argument(s) (arguments in nondiff_argnums get none)")
    flat = []
    for k, (ct, tree) in enumerate(zip(cts, call.arg_trees)):
        if ct is None:
            flat += [None] * tree.num_leaves
            continue
        leaves, t = tree_flatten(ct, is_leaf=lambda x: x is None)
        if t != tree and tree.kind != "leaf":
            raise TypeError(f"{what}: cotangent {k} has structure {t}, but argument {k} has {tree}")
        flat += leaves
    return flat


# ----- the decorators ---------------------------------------------------------------------------
class _Custom:
    kind = "custom"

    def __init__(self, fun: Callable[..., Any], nondiff_argnums: int | Sequence[int] = ()) -> None:
        if not callable(fun):
            raise TypeError(f"{self.kind}: expected a function, got {type(fun).__name__}")
        if isinstance(nondiff_argnums, int):
            nondiff_argnums = (nondiff_argnums,)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        functools.update_wrapper(self, fun)  # type: ignore[arg-type]  # an instance as the wrapper, as JAX

    def _impl(self, call):
        """The forward on plain arrays: ``f`` itself, as one opaque operation."""
        def impl(*arrays):
            with no_grad():
                out = self.fun(*call.args([_tensor(a) for a in arrays]))
            return np.asarray(raw(call.pack(out)))
        return impl

    def _bind(self, call, prim):
        args = [x if isinstance(x, Tensor) else np.asarray(x) for x in call.leaves]
        flat = prim(*args)
        if not isinstance(flat, Tensor):
            flat = _wrap(np.asarray(flat), None)
        out = call.unpack(flat)
        return out

    def __get__(self, obj, objtype=None):  # methods: bind self like a function would
        return self if obj is None else functools.partial(self, obj)


class custom_vjp(_Custom):
    """A function with its own reverse-mode rule (JAX's ``jax.custom_vjp``).

    ``f = custom_vjp(f)`` then ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (f(*args), res)``
    and ``bwd(*nondiff_args, res, g) -> tuple`` with one cotangent per differentiable
    argument (``None`` for zeros). Forward mode (``rg.jvp``) through it raises, as in JAX.

    >>> import retrograd as rg
    >>> @rg.custom_vjp
    ... def clip_gradient(x):
    ...     return x
    >>> clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (rg.clip(g, -1.0, 1.0),))
    >>> rg.grad(lambda x: 5.0 * clip_gradient(x))(2.0)
    tensor(1.)
    """

    kind = "custom_vjp"

    def __init__(self, fun: Callable[..., Any], nondiff_argnums: int | Sequence[int] = ()) -> None:
        super().__init__(fun, nondiff_argnums)
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        """Set the rule: ``fwd(*args) -> (out, residuals)`` and ``bwd(*nondiff, residuals, g) -> cotangents``."""
        if not (callable(fwd) and callable(bwd)):
            raise TypeError("custom_vjp.defvjp: fwd and bwd must be functions")
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {getattr(self.fun, '__name__', 'f')} "
                                 "using defvjp: call f.defvjp(fwd, bwd) first")
        call = _Call(self, args, kwargs)
        name = getattr(self.fun, "__name__", "f")
        stash = {}
        fwd, bwd = self.fwd, self.bwd
        differentiated = active_trace() is None and is_grad_enabled() and any(
            isinstance(x, Tensor) and x.requires_grad for x in call.leaves)

        if differentiated:  # run fwd once now and keep its residuals for the first-order backward
            def impl(*arrays):
                with no_grad():
                    out, res = _pair(fwd(*call.args([_tensor(a) for a in arrays])), name)
                stash["res"] = res
                return np.asarray(raw(call.pack(out)))
        else:
            impl = self._impl(call)

        cache: dict[Any, Any] = {}

        def rule(i, g, out, *leaves):
            if cache.get("g") is not g:
                record = _recording(g, *leaves)
                if record or "res" not in stash:  # residuals as functions of the inputs: re-run fwd
                    if record:
                        _, res = _pair(fwd(*call.args([_tensor(x) for x in leaves])), name)
                    else:
                        with no_grad():
                            _, res = _pair(fwd(*call.args([_tensor(x) for x in leaves])), name)
                else:
                    res = stash["res"]
                nd = len(_shape(out))

                def one(gs, _extra):
                    ct = bwd(*call.static, res, call.unpack(_tensor(gs[0])))
                    flat = _cotangents(call, ct, f"custom_vjp {name}: bwd")
                    return [None if c is None else _as_value(c) for c in flat]
                cache["g"], cache["cts"] = g, _rows(one, [g], [nd], None)
                cache["record"] = record
            c = cache["cts"][i]
            if c is None:
                return np.zeros(_shape(g)[:len(_shape(g)) - len(_shape(out))] + _shape(leaves[i]),
                                dtype=_dtype(g))
            return _output(c, cache["record"])

        def no_jvp(tangents, out, *leaves):
            raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function ({name}); "
                            "use reverse mode (rg.grad, rg.vjp, rg.jacrev) or define it with rg.custom_jvp")

        prim = Primitive(_ident(name, "custom_vjp"), impl, vjp_n=rule, jvp=no_jvp,
                         doc=f"{name} with a custom vjp rule.")
        return self._bind(call, prim)


def _ident(name, kind):
    """The primitive's name, a Python identifier (rg.jit names variables and helpers after it)."""
    return f"{kind}_{name}" if name.isidentifier() else f"{kind}_fn"


def _pair(result, name):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"custom_vjp {name}: fwd must return a pair (output, residuals), "
                        f"got {type(result).__name__}")
    return result


class custom_jvp(_Custom):
    """A function with its own forward-mode rule (JAX's ``jax.custom_jvp``).

    ``f = custom_jvp(f)`` then ``f.defjvp(jvp)`` (usable as a decorator):
    ``jvp(*nondiff_args, primals, tangents) -> (f(*primals), tangent_out)``, where
    ``primals`` and ``tangents`` are tuples with one entry per differentiable argument.
    ``f.defjvps(*rules)`` gives one rule per argument instead: ``rule(t, out, *primals)``.
    Reverse mode (``rg.grad``) uses the same rule, transposed.

    >>> import retrograd as rg
    >>> f = rg.custom_jvp(lambda x, y: rg.sin(x) * y)
    >>> f.defjvps(lambda t, ans, x, y: rg.cos(x) * t * y, lambda t, ans, x, y: rg.sin(x) * t)
    >>> rg.grad(f, argnums=(0, 1))(0.0, 2.0)
    (tensor(2.), tensor(0.))
    """

    kind = "custom_jvp"

    def __init__(self, fun: Callable[..., Any], nondiff_argnums: int | Sequence[int] = ()) -> None:
        super().__init__(fun, nondiff_argnums)
        self.jvp: Callable[..., Any] | None = None

    def defjvp(self, jvp: Callable[..., Any]) -> Callable[..., Any]:
        """Set the rule ``jvp(*nondiff, primals, tangents) -> (out, tangent_out)``; returns it (a decorator)."""
        if not callable(jvp):
            raise TypeError("custom_jvp.defjvp: the rule must be a function")
        self.jvp = jvp
        return jvp

    def defjvps(self, *rules: Callable[..., Any] | None) -> None:
        """One rule per differentiable argument: ``rule(tangent, out, *primals)`` (None: no dependence)."""
        def jvp(*a):
            primals, tangents = a[-2], a[-1]
            static = a[:-2]
            out = self.fun(*static, *primals)
            total = None
            for r, t in zip(rules, tangents):
                if r is None:
                    continue
                part = r(t, out, *static, *primals)
                total = part if total is None else total + part
            return out, total if total is not None else out * 0.0
        self.jvp = jvp

    def _tangent(self, call, primal_leaves, tangent_leaves):
        """The user's tangent_out (packed) at ``primal_leaves`` for ``tangent_leaves``."""
        primals = call.args(primal_leaves)
        dyn_p = tuple(p for i, p in enumerate(primals) if i not in call.nondiff)
        dyn_t = tuple(call.args(tangent_leaves)[i] for i in range(call.n) if i not in call.nondiff)
        result = self.jvp(*call.static, dyn_p, dyn_t)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError(f"custom_jvp {getattr(self.fun, '__name__', 'f')}: the jvp rule must return a pair "
                            f"(primal_out, tangent_out), got {type(result).__name__}")
        return call.pack(result[1])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {getattr(self.fun, '__name__', 'f')} "
                                 "using defjvp: call f.defjvp(rule) first")
        call = _Call(self, args, kwargs)
        name = getattr(self.fun, "__name__", "f")

        def jvp_rule(tangents, out, *leaves):
            record = _recording(*leaves, *[t for t in tangents if t is not None])
            refs = [len(_shape(x)) for x in leaves]

            def one(ts, _extra):
                full = [_tensor(t) if t is not None else _tensor(np.zeros(_shape(x), _dtype(x)))
                        for t, x in zip(ts, leaves)]
                return [self._tangent(call, [_tensor(x) for x in leaves], full)]
            t_out = _rows(one, list(tangents), refs, None)[0]
            return _output(t_out, record)

        cache: dict[Any, Any] = {}

        def vjp_rule(i, g, out, *leaves):
            if cache.get("g") is not g:
                record = _recording(g, *leaves)
                primals = [_tensor(x) for x in leaves]
                zeros = [np.zeros(_shape(x), _dtype(x)) for x in leaves]

                def one(gs, _extra):
                    if active_trace() is not None:  # rg.jit: transpose on the trace's tape
                        _, pull = _vjp(lambda *ts: self._tangent(call, primals, list(ts)), *zeros)
                        return [_as_value(c) for c in pull(gs[0])]
                    ts = [_wrap(z, None) for z in zeros]
                    for t in ts:
                        t.requires_grad = True
                    with enable_grad():
                        tout = self._tangent(call, primals, ts)
                    if not (isinstance(tout, Tensor) and tout.requires_grad):
                        return [None] * len(ts)  # the tangent does not depend on the inputs' tangents
                    cts = autograd.grad(tout, ts, grad_outputs=_tensor(gs[0]), create_graph=record,
                                        allow_unused=True)
                    return [None if c is None else _as_value(c) for c in cts]
                cache["g"], cache["cts"], cache["record"] = g, _rows(one, [g], [len(_shape(out))], None), record
            c = cache["cts"][i]
            if c is None:
                return np.zeros(_shape(g)[:len(_shape(g)) - len(_shape(out))] + _shape(leaves[i]),
                                dtype=_dtype(g))
            return _output(c, cache["record"])

        prim = Primitive(_ident(name, "custom_jvp"), self._impl(call), vjp_n=vjp_rule, jvp=jvp_rule,
                         doc=f"{name} with a custom jvp rule.")
        return self._bind(call, prim)
