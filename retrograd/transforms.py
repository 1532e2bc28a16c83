"""JAX-style transforms of functions of Tensors: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp.

Each transform takes a function ``f`` of Tensors and gives back a function
(or values) with the same names and meanings as in JAX. Arguments may be
Tensors, NumPy arrays or Python numbers; results are Tensors.

How they work: the arguments being differentiated become fresh Tensors that
require grad, ``f`` runs once and records its graph, then

* reverse mode (``grad``, ``vjp``, ``jacobian(mode="rev")``) walks that graph
  backwards with the vjp rules (``retrograd.autograd.run_backward``); a whole
  Jacobian is one walk whose cotangent is the identity, of shape
  ``out.shape + out.shape`` (a batch of ``out.size`` cotangents);
* forward mode (``jvp``, ``jacobian(mode="fwd")``) pushes tangents through the
  same graph with the jvp rules (``retrograd.forward.push_forward``); a whole
  Jacobian is one push whose tangent is the identity of the input.

Transforms compose (``grad(grad(f))``, ``jacobian(grad(f))``): when an argument
is itself being traced by an outer transform (it requires grad), or ``f``
uses other Tensors that require grad, the derivative pass is recorded
(``create_graph=True``) so the outer transform can differentiate it again.
Otherwise it runs on plain arrays, with no recording overhead.

>>> import retrograd as rg
>>> rg.grad(lambda x: x ** 3)(2.0)
tensor(12.)
>>> rg.grad(rg.grad(lambda x: x ** 3))(2.0)
tensor(12.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import numpy as np

from . import ops
from .autograd import enable_grad, is_grad_enabled, no_grad, run_backward
from .backend import get_default_dtype, to_array
from .core import Tensor, wrap as _wrap
from .errors import ShapeError
from .forward import key_of, push_forward
from .hints import ArrayLike
from .ops.primitive import Primitive
from .pytree import tree_flatten, tree_map, tree_unflatten
from .tracing import Tracer, active_trace, bind, fresh, stop_gradient as _stop_gradient, tape_jvp, tape_vjp

__all__ = [
    "checkpoint",
    "grad",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "stop_gradient",
    "value_and_grad",
    "vjp",
]

P = ParamSpec("P")  # a transform keeps the arguments of the function it wraps (what an IDE shows)
T = TypeVar("T")


# ----- checking what the user gave us -------------------------------------------------
def _check_fun(f, name):
    if not callable(f):
        raise TypeError(f"{name}: expected a function as first argument, got {type(f).__name__} ({f!r:.40})")


def _check_argnums_type(argnums, name):
    """Validate ``argnums`` (int or non-empty tuple of ints); returns (tuple, single)."""
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, (bool, np.bool_)):
        return (int(argnums),), True
    if isinstance(argnums, (tuple, list)):
        if not argnums:
            raise ValueError(f"{name}: argnums is an empty tuple; give at least one argument index")
        for a in argnums:
            if not isinstance(a, (int, np.integer)) or isinstance(a, (bool, np.bool_)):
                raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
        return tuple(int(a) for a in argnums), False
    raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")


def _resolve_argnums(nums, nargs, argnums, name):
    """Turn (possibly negative) argument indices into positions, checking them against ``nargs``."""
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(
                f"{name}: argnums={argnums!r} asks for argument {a}, but the function was called with "
                f"{nargs} positional argument(s); argnums counts positional arguments from 0")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: argnums={argnums!r} names the same argument twice")
    return tuple(out)


def _as_array(x, name, what):
    """The float array behind a Tensor, array or number that is going to be differentiated."""
    if isinstance(x, Tensor):
        arr = x.data
    elif type(x) is np.ndarray and x.dtype.kind == "f":
        return x
    else:
        arr = to_array(x, what=f"{name}: argument {what}")
        if arr.dtype.kind in "iu" and not isinstance(x, (np.ndarray, np.generic)):
            arr = arr.astype(get_default_dtype())  # Python ints are points to differentiate at
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{name}: argument {what} has dtype {arr.dtype}, but only floating point values can be "
            f"differentiated; convert it first, e.g. rg.tensor(x, dtype=rg.float64)")
    return arr


def _input(x, name, what):
    """A fresh Tensor standing for ``x`` in the trace.

    A new leaf that requires grad, or, when ``x`` is itself traced by an outer
    transform, a new node on top of it, so that the derivative reaches the
    outer trace while inner and outer variables stay distinct.
    """
    arr = _as_array(x, name, what)
    if active_trace() is not None:  # inside rg.jit: differentiate on the trace itself
        return fresh(x if isinstance(x, Tracer) else arr)
    if isinstance(x, Tensor) and x.requires_grad and is_grad_enabled():
        return ops.reshape(x, arr.shape)
    t = _wrap(arr, None)
    t.requires_grad = True
    return t


def _output(out, name, has_aux):
    """Split off ``aux`` and check that ``out`` can be differentiated; returns (Tensor, aux)."""
    aux = None
    if has_aux:
        out, aux = _split_aux(out, name)
    if isinstance(out, Tensor):
        t = out
    elif isinstance(out, (np.ndarray, np.generic, int, float)) and not isinstance(out, (bool, np.bool_)):
        t = _wrap(to_array(out, what=f"{name}: output"), None)
    else:
        extra = (" (several outputs: differentiate one at a time, or rg.stack them into one Tensor; "
                 "for auxiliary data pass has_aux=True)") if isinstance(out, (tuple, list)) else ""
        raise TypeError(f"{name}: the function must return a Tensor, an array or a number, "
                        f"got {type(out).__name__}{extra}")
    if t.data.dtype.kind != "f":
        raise TypeError(f"{name}: the function's output has dtype {t.data.dtype}, which is not "
                        "differentiable (integer and boolean results, like argmax or comparisons, "
                        "have no derivative); return a floating point Tensor")
    return t, aux


_CONTAINERS = (tuple, list, dict)
_LEAF = tree_flatten(0.0)[1]


def _trace(f, args, positions, name, has_aux=False, tree_out=False):
    """Run ``f`` on fresh traced inputs at ``positions``; returns (inputs, output, aux, in_trees).

    Each argument at ``positions`` may be a pytree: ``inputs`` is the flat list of fresh
    leaves of all of them and ``in_trees`` the structure of each. With ``tree_out`` the
    output may be a pytree too, and ``output`` is ``(leaves, treedef)``.
    """
    call = list(args)
    ins, trees = [], []
    for p in positions:
        a = args[p]
        if not isinstance(a, _CONTAINERS) and a is not None:  # the common case: one array or number
            fresh = _input(a, name, p)
            call[p] = fresh
            ins.append(fresh)
            trees.append(_LEAF)
            continue
        leaves, tree = tree_flatten(a)
        if not leaves:
            raise TypeError(f"{name}: argument {p} has no leaves (it is {args[p]!r:.40}); "
                            "give an array, a Tensor, a number or a container of them")
        fresh = [_input(x, name, p if tree.kind == "leaf" else f"{p} (leaf {i})")
                 for i, x in enumerate(leaves)]
        call[p] = tree_unflatten(tree, fresh)
        ins.extend(fresh)
        trees.append(tree)
    if is_grad_enabled():
        out = f(*call)
    else:
        with enable_grad():
            out = f(*call)
    if tree_out:
        aux = None
        if has_aux:
            out, aux = _split_aux(out, name)
        if not isinstance(out, _CONTAINERS) and out is not None:  # one output: no tree to walk
            return ins, ([_own_node(_output(out, name, False)[0], ins)], _LEAF), aux, trees
        leaves, tree = tree_flatten(out)
        if not leaves:
            raise TypeError(f"{name}: the function must return a Tensor, an array, a number or a pytree "
                            f"of them, got {type(out).__name__} (no arrays in it)")
        outs = [_own_node(_output(o, name, False)[0], ins) for o in leaves]
        return ins, (outs, tree), aux, trees
    out, aux = _output(out, name, has_aux)
    out = _own_node(out, ins)
    return ins, out, aux, trees


def _own_node(out, ins):
    """``out`` itself, or, when f returned an input unchanged, a copy with a node of its own, so
    that retiring the inputs (see _retire) does not make the output a constant with derivative 0."""
    if any(out is x for x in ins):
        return ops.reshape(out, out.data.shape)
    return out


def _split_aux(out, name):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name}: with has_aux=True the function must return a pair (output, aux), "
                        f"got {type(out).__name__}")
    return out[0], out[1]


def _group(flat, trees):
    """Split a flat list of per-leaf results back into one pytree per argument."""
    out, i = [], 0
    for tree in trees:
        n = tree.num_leaves
        out.append(tree_unflatten(tree, flat[i:i + n]))
        i += n
    return tuple(out)


def _needs_graph(out, ins, extra=()):
    """Whether the derivative pass must be recorded for an outer transform (or user backward).

    True when grad mode is on and either an input or an ``extra`` Tensor is
    traced from outside, or ``out`` depends on a Tensor that requires grad
    other than the fresh inputs (a closed-over parameter).
    """
    if active_trace() is not None:
        return True  # inside rg.jit every derivative is recorded on the trace
    if not is_grad_enabled():
        return False
    if any(x._node is not None for x in ins):
        return True
    if any(isinstance(e, Tensor) and e.requires_grad for e in extra):
        return True
    if out._node is None:
        return False
    own = set(map(id, ins))
    seen = set()
    stack = [out._node]
    while stack:
        node = stack.pop()
        for _, p in node.parents:
            pn = p._node
            if pn is None:
                if p.requires_grad and id(p) not in own:
                    return True
            elif pn not in seen:
                seen.add(pn)
                stack.append(pn)
    return False


def _retire(ins):
    """Mark the fresh leaves of a finished transform as constants.

    They stay in the graph of its results (which an outer transform may walk),
    but nothing outside can ask for their derivative any more, so they must not
    make the outer transform record its own pass (see ``_needs_graph``).
    """
    for x in ins:
        if x._node is None:
            x.requires_grad = False


def _finish(g, like, shape):
    """A derivative as a Tensor of ``like``'s dtype (zeros where nothing reached)."""
    dt = like.data.dtype
    if g is None:
        return _wrap(np.zeros(shape, dtype=dt), None)
    if isinstance(g, Tensor):
        if g.data.shape != tuple(shape):
            g = ops.broadcast_to(g, tuple(shape))
        return g
    g = np.asarray(g)
    if g.shape != tuple(shape):
        g = np.broadcast_to(g, shape)
    if g.dtype != dt or not g.flags.writeable or not g.flags.c_contiguous:
        g = np.array(g, dtype=dt)
    return _wrap(g, None)


def _value(out, record):
    """The primal output handed back to the user: detached unless an outer trace needs its graph."""
    return out if record else _wrap(out.data, None)


def _pullback(out, ins, seed, record):
    """One backward walk from ``out`` seeded with ``seed`` (may be batched); gradients for ``ins``.

    ``out`` and ``seed`` may be lists (several outputs, one cotangent each).
    """
    outs, seeds = (out, seed) if isinstance(out, list) else ([out], [seed])
    if active_trace() is not None:
        return tape_vjp(outs, ins, seeds)
    pairs = [(o, s) for o, s in zip(outs, seeds) if o.requires_grad]
    if not pairs:
        return [None] * len(ins)
    keys = [key_of(x) for x in ins]
    capture = {k: None for k in keys}
    # An input traced by an outer transform is a node on top of the outer variable. The walk must
    # stop there (the outer graph is the outer transform's business, and may even be freed).
    run_backward([o for o, _ in pairs], [s for _, s in pairs], retain_graph=True,
                 create_graph=record, capture=capture, stop=[x._node for x in ins if x._node is not None])
    return [capture[k] for k in keys]


class _Diagonal(np.ndarray):
    """A square diagonal matrix (the identity, at first) that NumPy's matmul and multiply see through.

    It is the seed of a whole-Jacobian pass over a vector: one one-hot
    cotangent (or tangent) per element. Elementwise rules scale it by a
    vector, which keeps it diagonal (``I * s``), and the first ``matmul`` rule
    it meets costs a row or column scaling instead of a matrix product
    (``diag(d) @ A = d[:, None] * A``). The results are exactly NumPy's on the
    dense matrix it holds; every other operation, and every view, sees only
    that plain matrix.
    """

    def __new__(cls, d):
        n = d.shape[0]
        flat = np.zeros(n * n, dtype=d.dtype)
        flat[::n + 1] = d
        obj = flat.reshape(n, n).view(cls)
        obj.d = d
        return obj

    def __array_finalize__(self, obj):
        self.d = None  # views (reshape, transpose, slices) are not known to be diagonal

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(x, Tensor) for x in inputs):
            return NotImplemented  # a value traced by rg.jit: it records the product itself
        if method == "__call__" and len(inputs) == 2 and not kwargs:
            a, b = inputs
            da, db = _diag_of(a), _diag_of(b)
            if ufunc is np.matmul:
                if da is not None and np.ndim(b) >= 1 and np.shape(b)[-2 if np.ndim(b) > 1 else 0] == da.size:
                    return da[:, None] * b if np.ndim(b) > 1 else da * b
                if db is not None and np.ndim(a) >= 1 and np.shape(a)[-1] == db.size:
                    return np.multiply(a, db)
            elif ufunc is np.multiply:
                if da is not None and np.shape(b) in ((), (1,), da.shape) and db is None:
                    return _Diagonal(np.multiply(da, b))
                if db is not None and np.shape(a) in ((), (1,), db.shape) and da is None:
                    return _Diagonal(np.multiply(a, db))
        for o in kwargs.get("out", ()):
            if isinstance(o, _Diagonal):
                o.d = None  # written in place: no longer known to be diagonal
        inputs = tuple(np.asarray(x) if isinstance(x, _Diagonal) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(o) if isinstance(o, _Diagonal) else o for o in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)


def _diag_of(x):
    return x.d if isinstance(x, _Diagonal) else None


def _unit_seed(shape, dtype, structured=False):
    """The identity of shape ``shape + shape``: one one-hot cotangent (or tangent) per element.

    With ``structured=True`` and a vector shape, an identity that the first
    elementwise and matrix products see through (see ``_Diagonal``).
    """
    n = math.prod(shape)
    if structured and len(shape) == 1:
        return _Diagonal(np.ones(n, dtype=dtype))
    return np.eye(n, dtype=dtype).reshape(tuple(shape) * 2)


# ----- reverse mode ---------------------------------------------------------------------
def value_and_grad(f: Callable[P, Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Callable[P, tuple[Any, Any]]:
    """A function returning ``(f(*args), grad(f)(*args))``, evaluating ``f`` once (JAX's ``value_and_grad``).

    ``f`` must return a scalar (a 0-d Tensor, array or number). With
    ``argnums`` a tuple the gradient is a tuple, one per argument. With
    ``has_aux=True``, ``f`` returns ``(value, aux)`` and the result is
    ``((value, aux), grad)``.

    >>> import retrograd as rg
    >>> value, g = rg.value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    >>> value, g
    (tensor(12.), (tensor(4.), tensor(3.)))
    """
    _check_fun(f, "value_and_grad")
    nums, single = _check_argnums_type(argnums, "value_and_grad")
    return _value_and_grad(f, argnums, nums, single, has_aux, "value_and_grad")


def _value_and_grad(f, argnums, nums, single, has_aux, name):
    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        positions = _resolve_argnums(nums, len(args), argnums, name)
        ins, out, aux, trees = _trace(f, args, positions, name, has_aux)
        if out.data.ndim != 0:
            raise TypeError(
                f"{name}: the function must return a scalar (a 0-d Tensor), but it returned shape "
                f"{out.shape}; reduce it first (e.g. .sum() or .mean()), or use rg.jacobian for the "
                "derivative of every output element")
        record = _needs_graph(out, ins)
        gs = _pullback(out, ins, np.ones((), dtype=out.data.dtype), record)
        _retire(ins)
        gs = _group([_finish(g, x, x.shape) for g, x in zip(gs, ins)], trees)
        value = _value(out, record)
        if has_aux:
            value = (value, aux)
        return value, (gs[0] if single else gs)
    value_and_grad_f.__wrapped__ = f  # so that inspect.signature (and rg.jit's names) see f's arguments
    value_and_grad_f.__name__ = f"{name}_{getattr(f, '__name__', 'f')}"
    value_and_grad_f.__doc__ = f"{name} of {getattr(f, '__name__', 'a function')}"
    return value_and_grad_f


def grad(f: Callable[P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable[P, Any]:
    """The gradient of a scalar function: ``grad(f)(*args)`` is df/d(args[argnums]) (JAX's ``grad``).

    ``f`` takes Tensors and returns a scalar. The gradient has the shape (and
    dtype) of the argument; with ``argnums`` a tuple it is a tuple of
    gradients. With ``has_aux=True``, ``f`` returns ``(value, aux)`` and the
    result is ``(grad, aux)``. Compose freely: ``grad(grad(f))``.

    >>> import retrograd as rg
    >>> f = lambda x: rg.sin(x) * x
    >>> rg.grad(f)(0.0)
    tensor(0.)
    >>> rg.grad(rg.grad(f))(0.0)
    tensor(2.)
    >>> rg.grad(lambda w: (w ** 2).sum())(rg.tensor([1.0, 2.0]))
    tensor([2., 4.])
    """
    _check_fun(f, "grad")
    nums, single = _check_argnums_type(argnums, "grad")
    vg = _value_and_grad(f, argnums, nums, single, has_aux, "grad")

    def grad_f(*args: Any) -> Any:
        value, g = vg(*args)
        return (g, value[1]) if has_aux else g
    grad_f.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    grad_f.__doc__ = f"Gradient of {getattr(f, '__name__', 'a function')} (argnums={argnums!r})."
    return grad_f  # type: ignore[return-value]  # f's arguments, given positionally


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Evaluate ``f(*primals)`` and its vector-Jacobian product function (JAX's ``vjp``).

    Returns ``(out, vjp_fn)``; ``vjp_fn(cotangent)`` takes a cotangent of the
    shape of ``out`` and returns a tuple with one cotangent per primal,
    ``cotangent @ d(out)/d(primal)``. ``vjp_fn`` may be called many times.
    With ``has_aux=True`` returns ``(out, vjp_fn, aux)``.

    >>> import retrograd as rg
    >>> out, vjp_fn = rg.vjp(lambda x: x * x, rg.tensor([1.0, 2.0]))
    >>> vjp_fn(rg.tensor([1.0, 10.0]))
    (tensor([ 2., 40.]),)
    """
    _check_fun(f, "vjp")
    if not primals:
        raise TypeError("vjp: give at least one primal after the function, e.g. rg.vjp(f, x)")
    ins, (outs, out_tree), aux, trees = _trace(f, primals, tuple(range(len(primals))), "vjp", has_aux,
                                               tree_out=True)
    record = any(_needs_graph(o, ins) for o in outs)
    _retire(ins)

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        if out_tree.kind == "leaf" and isinstance(cotangent, (tuple, list)) and len(cotangent) == 1 \
                and outs[0].data.ndim == 0:
            cotangent = cotangent[0]
        cts, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree and not (out_tree.kind == "leaf" and len(cts) == 1):
            raise ShapeError(f"vjp_fn: the cotangent has structure {ct_tree} but the function's output "
                             f"has structure {out_tree}; they must match")
        seeds: list[Any] = []  # (cotangent, is a Tensor, its array), then what the walk is seeded with
        rec = record
        for out, c in zip(outs, cts):
            ct_tensor = isinstance(c, Tensor)
            ct = c.data if ct_tensor else to_array(c, out.data.dtype, what="vjp_fn: cotangent")
            if ct.shape != out.shape:
                raise ShapeError(f"vjp_fn: the cotangent has shape {ct.shape} but the function's output "
                                 f"has shape {out.shape}; they must match")
            if ct.dtype != out.data.dtype:
                ct = ct.astype(out.data.dtype)
            seeds.append((c, ct_tensor, ct))
            rec = rec or (ct_tensor and c.requires_grad and is_grad_enabled())
        seeds = [c if rec and ct_tensor else ct for c, ct_tensor, ct in seeds]
        gs = _pullback(list(outs), ins, seeds, rec)
        return _group([_finish(g, x, x.shape) for g, x in zip(gs, ins)], trees)

    value = tree_unflatten(out_tree, [_value(o, record) for o in outs])
    if has_aux:
        return value, vjp_fn, aux
    return value, vjp_fn


# ----- forward mode ---------------------------------------------------------------------
def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate ``f(*primals)`` and its Jacobian-vector product (JAX's ``jvp``), in forward mode.

    ``primals`` and ``tangents`` are tuples (or lists) of the same length;
    each tangent has the shape of its primal. Returns ``(out, tangent_out)``
    with ``tangent_out = sum_i d(out)/d(primal_i) @ tangent_i``.

    >>> import retrograd as rg
    >>> rg.jvp(lambda x: x ** 3, (2.0,), (1.0,))
    (tensor(8.), tensor(12.))
    """
    _check_fun(f, "jvp")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples (or lists), e.g. rg.jvp(f, (x,), (v,)); "
                        f"got {type(primals).__name__} and {type(tangents).__name__}")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primal(s) but {len(tangents)} tangent(s); give one tangent "
                         "per primal")
    if not primals:
        raise ValueError("jvp: give at least one primal")
    ins, (outs, out_tree), _, trees = _trace(f, tuple(primals), tuple(range(len(primals))), "jvp",
                                             tree_out=True)
    flat_t = []
    for i, (t, tree) in enumerate(zip(tangents, trees)):
        leaves, tt = tree_flatten(t)
        if tt != tree and not (tree.kind == "leaf" and len(leaves) == 1):
            raise ShapeError(f"jvp: tangent {i} has structure {tt} but primal {i} has structure {tree}; "
                             "each tangent must have the structure of its primal")
        flat_t.extend(leaves)
    ts = []
    for i, (x, t) in enumerate(zip(ins, flat_t)):
        arr = t.data if isinstance(t, Tensor) else to_array(t, x.data.dtype, what=f"jvp: tangent {i}")
        if arr.shape != x.shape:
            raise ShapeError(f"jvp: tangent {i} has shape {arr.shape} but primal {i} has shape {x.shape}; "
                             "each tangent must have the shape of its primal")
        if arr.dtype != x.data.dtype:
            arr = arr.astype(x.data.dtype)
        ts.append(t if isinstance(t, Tensor) and t.requires_grad else arr)
    record = any(_needs_graph(o, ins, extra=flat_t) for o in outs)
    if not record:
        ts = [t.data if isinstance(t, Tensor) else t for t in ts]
    if active_trace() is not None:
        t_outs = tape_jvp(list(outs), ins, ts)
    else:
        t_outs = push_forward(list(outs), {key_of(x): t for x, t in zip(ins, ts)}, nb=0, record=record)
    _retire(ins)
    values = tree_unflatten(out_tree, [_value(o, record) for o in outs])
    return values, tree_unflatten(out_tree, [_finish(t, o, o.shape) for t, o in zip(t_outs, outs)])


# ----- Jacobians and Hessians ------------------------------------------------------------
def jacobian(f: Callable[P, Any], argnums: int | Sequence[int] = 0, mode: str = "auto",
             has_aux: bool = False) -> Callable[P, Any]:
    """The full Jacobian of ``f``: shape ``out.shape + in.shape`` (JAX's ``jacobian``/``jacrev``/``jacfwd``).

    ``mode="rev"`` pushes the identity (a batch of ``out.size`` one-hot
    cotangents) through *one* backward walk; ``mode="fwd"`` pushes the
    identity of each input through one forward walk; ``mode="auto"`` picks
    forward mode when the inputs have fewer elements than the output. With
    ``argnums`` a tuple the result is a tuple of Jacobians. With
    ``has_aux=True`` returns ``(jacobian, aux)``.

    >>> import retrograd as rg
    >>> W = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> rg.jacobian(lambda x: W @ x)(rg.tensor([5.0, 6.0]))
    tensor([[1., 2.],
            [3., 4.]])
    >>> rg.jacobian(lambda x: x ** 2, mode="fwd")(rg.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    _check_fun(f, "jacobian")
    nums, single = _check_argnums_type(argnums, "jacobian")
    if mode not in ("auto", "rev", "fwd"):
        raise ValueError(f"jacobian: mode must be 'rev', 'fwd' or 'auto', got {mode!r}")

    def jacobian_f(*args: Any) -> Any:
        positions = _resolve_argnums(nums, len(args), argnums, "jacobian")
        ins, (outs, out_tree), aux, trees = _trace(f, args, positions, "jacobian", has_aux,
                                                   tree_out=True)
        per_out = []
        for out in outs:
            record = _needs_graph(out, ins)
            m = mode
            if m == "auto":
                m = "fwd" if sum(x.numel() for x in ins) < out.numel() else "rev"
            shapes = [out.shape + x.shape for x in ins]
            if not out.requires_grad:
                jacs = [None] * len(ins)
            elif m == "rev":
                # structured seed unless recording on Tensors (inside rg.jit it is a constant of the code,
                # so the generated code gets its cheap products too)
                structured = not record or active_trace() is not None
                jacs = _pullback(out, ins, _unit_seed(out.shape, out.data.dtype, structured), record)
            else:
                jacs = [_forward_jacobian(out, x, record) for x in ins]
            jacs = _group([_finish(j, x, s) for j, x, s in zip(jacs, ins, shapes)], trees)
            per_out.append(jacs[0] if single else jacs)
        _retire(ins)
        result = tree_unflatten(out_tree, per_out)
        return (result, aux) if has_aux else result
    jacobian_f.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    jacobian_f.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
    jacobian_f.__doc__ = f"Jacobian of {getattr(f, '__name__', 'a function')} (argnums={argnums!r}, mode={mode!r})."
    return jacobian_f  # type: ignore[return-value]  # f's arguments, given positionally


def _forward_jacobian(out, x, record):
    """d(out)/d(x) by one batched forward push; returned with axes ``out.shape + x.shape``."""
    seed = _unit_seed(x.shape, x.data.dtype, not record or active_trace() is not None)
    nb = x.data.ndim
    if active_trace() is not None:
        (t,) = tape_jvp([out], [x], [seed], nb=nb)
    else:
        (t,) = push_forward([out], {key_of(x): seed}, nb=nb, record=record)
    if t is None:
        return None
    no = out.data.ndim
    perm = tuple(range(nb, nb + no)) + tuple(range(nb))
    if perm == tuple(range(nb + no)):
        return t
    if isinstance(t, Tensor):
        return ops.transpose(t, perm)
    return np.transpose(t, perm)


def jacrev(f: Callable[P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable[P, Any]:
    """``jacobian(f, argnums, mode="rev")``: reverse mode, one backward walk for the whole Jacobian.

    >>> import retrograd as rg
    >>> rg.jacrev(lambda x: x * 3)(rg.tensor([1.0, 2.0]))
    tensor([[3., 0.],
            [0., 3.]])
    """
    return jacobian(f, argnums, mode="rev", has_aux=has_aux)


def jacfwd(f: Callable[P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable[P, Any]:
    """``jacobian(f, argnums, mode="fwd")``: forward mode, one push of tangents for the whole Jacobian.

    >>> import retrograd as rg
    >>> rg.jacfwd(lambda x: x * 3)(rg.tensor([1.0, 2.0]))
    tensor([[3., 0.],
            [0., 3.]])
    """
    return jacobian(f, argnums, mode="fwd", has_aux=has_aux)


def hessian(f: Callable[P, Any], argnums: int | Sequence[int] = 0) -> Callable[P, Any]:
    """The Hessian of ``f``: second derivatives, shape ``out.shape + in.shape + in.shape`` (JAX's ``hessian``).

    Computed forward-over-reverse (``jacfwd(jacrev(f))``). With ``argnums`` a
    tuple the result is a nested tuple: ``H[i][j]`` is d2f/(d arg_i d arg_j).

    >>> import retrograd as rg
    >>> rg.hessian(lambda x: (x ** 3).sum())(rg.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    _check_fun(f, "hessian")
    nums, single = _check_argnums_type(argnums, "hessian")
    if single:
        return jacobian(jacobian(f, argnums, mode="rev"), argnums, mode="fwd")
    inner = jacobian(f, argnums, mode="rev")

    def hessian_f(*args: Any) -> Any:
        rows = []
        for i in range(len(nums)):
            row = jacobian(lambda *a, i=i: inner(*a)[i], argnums, mode="fwd")(*args)  # type: ignore[call-arg]  # positional
            rows.append(row)
        return tuple(rows)
    hessian_f.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    hessian_f.__name__ = f"hessian_{getattr(f, '__name__', 'f')}"
    hessian_f.__doc__ = f"Hessian of {getattr(f, '__name__', 'a function')} (argnums={argnums!r})."
    return hessian_f  # type: ignore[return-value]  # f's arguments, given positionally


def hvp(f: Callable[..., Any], x: ArrayLike, v: ArrayLike) -> Tensor:
    """Hessian-vector product ``H(x) @ v`` of a scalar function, without forming the Hessian.

    Forward-over-reverse: ``jvp(grad(f), (x,), (v,))[1]``, costing about two
    gradient evaluations. ``v`` has the shape of ``x``; so does the result.

    >>> import retrograd as rg
    >>> rg.hvp(lambda x: (x ** 3).sum(), rg.tensor([1.0, 2.0]), rg.tensor([1.0, 1.0]))
    tensor([ 6., 12.])
    """
    _check_fun(f, "hvp")
    return jvp(grad(f), (x,), (v,))[1]


# ----- stop_gradient and checkpoint --------------------------------------------------------
def stop_gradient(x: T) -> T:
    """``x`` as a constant for differentiation: its value passes, no gradient does (JAX's ``stop_gradient``).

    Works on Tensors (``x.detach()``), on values traced by ``rg.jit``, and on pytrees of them.

    >>> import retrograd as rg
    >>> rg.grad(lambda x: x * rg.stop_gradient(x))(3.0)
    tensor(3.)
    """
    def one(t):
        if isinstance(t, Tracer):
            return bind(_stop_gradient, (t,), {})
        if isinstance(t, Tensor):
            return t.detach()
        return t
    return tree_map(one, x)


def checkpoint(f: Callable[P, Any]) -> Callable[P, Any]:
    """``f`` with its intermediate values recomputed in the backward pass instead of saved (JAX's ``checkpoint``).

    The forward pass runs without recording; the result is one graph node holding only the
    inputs; its backward pass runs ``f`` again, recording, and back-propagates through that.
    Memory for ``f``'s intermediates is traded for a second forward pass. ``f`` takes Tensors
    (positional) and returns one Tensor.

    >>> import retrograd as rg
    >>> x = rg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = rg.checkpoint(lambda v: rg.sin(v) * v)(x)
    >>> y.sum().backward(); x.grad
    tensor([1.38177329, 0.07700375])
    """
    _check_fun(f, "checkpoint")

    def impl(*arrays):
        with no_grad():
            out = f(*arrays)
        return out.data if isinstance(out, Tensor) else np.asarray(out)

    def rule(i, g, out, *args):
        _, vjp_fn = vjp(f, *args)
        return vjp_fn(g)[i]

    prim = Primitive(f"checkpoint[{getattr(f, '__name__', 'f')}]", impl, vjp_n=rule,
                     doc="A checkpointed function: recomputed in the backward pass.")

    def checkpointed(*args: Any) -> Any:
        if active_trace() is not None:
            return f(*args)  # type: ignore[call-arg]  # inside rg.jit the code is generated once: nothing to save
        return prim(*args)
    checkpointed.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    checkpointed.__name__ = f"checkpoint_{getattr(f, '__name__', 'f')}"
    return checkpointed  # type: ignore[return-value]  # f's arguments, given positionally
