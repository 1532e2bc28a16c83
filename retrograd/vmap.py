"""``rg.vmap``: map a function over an axis of its arguments (JAX's ``vmap``).

``rg.vmap(f, in_axes, out_axes)(*args)`` equals stacking ``f`` applied to each slice of the
mapped arguments along ``out_axes``. It composes with the other transforms, so per-example
gradients are ``rg.vmap(rg.grad(loss), in_axes=(None, 0, 0))(params, X, y)``.

How it works: ``f`` is traced once on the shapes of one example (the tracer of ``rg.jit``,
:mod:`retrograd.tracing`), which records the primitives it calls, its backward pass included
when it takes gradients; that record then runs once on the whole batch, each primitive
through its batching rule (:mod:`retrograd.batching`). So ``f`` runs once, not once per
example. A function that cannot be traced (Python control flow on values, which raises
``rg.TracingError`` under tracing) falls back to one call of ``f`` per example, the results
stacked: the same values, only slower. Either way the computation is made of retrograd's
primitives, so ``grad(vmap(f))``, ``vmap(vmap(f))`` and ``jit(vmap(f))`` work.

>>> import retrograd as rg
>>> rg.vmap(lambda x, y: (x * y).sum(), in_axes=(0, None))(rg.tensor([[1.0, 2.0], [3.0, 4.0]]),
...                                                       rg.tensor([10.0, 1.0]))
tensor([12., 34.])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np

from . import ops
from .batching import evaluate
from .core import Tensor, wrap as _wrap
from .creation import generator
from .pytree import tree_flatten, tree_unflatten
from .tracing import Trace, Tracer

__all__ = ["vmap"]

P = ParamSpec("P")  # the vmapped function takes the arguments of the one it wraps


def _keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _check_axis(spec, what):
    if spec is not None and (not isinstance(spec, (int, np.integer)) or isinstance(spec, (bool, np.bool_))):
        raise TypeError(f"vmap: {what} must be an int, None, or a container of those, got {spec!r}")


def _prefix_axes(spec, x, what):
    """One axis (int or None) per leaf of ``x``, from ``spec``: an int, None, or a pytree prefix of ``x``."""
    if spec is None or isinstance(spec, (int, np.integer)):
        _check_axis(spec, what)
        return [spec] * len(tree_flatten(x)[0])
    if isinstance(spec, (tuple, list)) and type(x) is type(spec) and len(x) == len(spec):
        return [a for s, c in zip(spec, x) for a in _prefix_axes(s, c, what)]
    if isinstance(spec, dict) and isinstance(x, dict) and set(spec) == set(x):
        return [a for k in _keys(x) for a in _prefix_axes(spec[k], x[k], what)]
    if isinstance(spec, (tuple, list, dict)):
        raise ValueError(f"vmap: {what} is {spec!r}, which does not match the structure "
                         f"{tree_flatten(x)[1]} of the value; give an int, None, or the same structure "
                         "(or a prefix of it) of ints and Nones")
    _check_axis(spec, what)
    return []


def _shape(x):
    if isinstance(x, Tensor):
        return tuple(x.shape)
    return np.shape(x)


def _size(x, axis, what):
    shape = _shape(x)
    nd = len(shape)
    if not -nd <= axis < nd:
        raise ValueError(f"vmap: in_axes={axis} for {what}, but it has only {nd} dimension(s) (shape {shape})")
    return shape[axis], axis % nd


def _value(x):
    """The concrete array behind a leaf (a Tracer's value while tracing)."""
    if isinstance(x, Tracer):
        return x.val
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def _is_array(x) -> bool:
    return isinstance(x, (Tensor, np.ndarray, np.generic))


def _take(x, axis, i):
    if isinstance(x, Tensor):
        return ops.getitem(x, (slice(None),) * axis + (i,))
    return np.take(np.asarray(x), i, axis=axis)


def _move(x, src, dst):
    """``x`` with axis ``src`` moved to ``dst`` (a transpose primitive: differentiable and traced)."""
    nd = len(_shape(x))
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    if not isinstance(x, Tensor):
        x = np.asarray(x)
    return ops.transpose(x, tuple(perm))


def vmap(f: Callable[P, Any], in_axes: int | Sequence[Any] | None = 0,
         out_axes: int | Sequence[Any] | None = 0) -> Callable[P, Any]:
    """``f`` mapped over axis ``in_axes`` of its arguments; results stacked along ``out_axes``.

    ``in_axes`` is an int (every positional argument), or a tuple with one entry per
    positional argument: an int, ``None`` (not mapped: passed whole to every call) or a
    pytree of those matching the argument (a prefix of it is enough). Negative axes count
    from the end. Keyword arguments are mapped over their axis 0. ``out_axes`` is an int,
    ``None`` (for an output that does not depend on the mapped axis) or a pytree of those
    matching the output.

    ``f`` runs once, on one example's shapes, and its primitives run once on the whole batch
    through their batching rules; a function with Python control flow on values runs once
    per example instead (see the module docstring).

    >>> import retrograd as rg
    >>> rg.vmap(rg.grad(lambda w, x: (w * x).sum() ** 2), in_axes=(None, 0))(
    ...     rg.tensor([1.0, 1.0]), rg.tensor([[1.0, 2.0], [0.0, 1.0]]))
    tensor([[ 6., 12.],
            [ 0.,  2.]])
    """
    if not callable(f):
        raise TypeError(f"vmap: expected a function as first argument, got {type(f).__name__}")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)  # JAX's convention: a list at the top means one entry per argument
    if isinstance(in_axes, dict):
        raise TypeError("vmap: in_axes must be an int, None, or a tuple with one entry per positional "
                        f"argument, got a dict {in_axes!r}; wrap it in a tuple: in_axes=({{...}},)")

    def vmapped(*args: Any, **kwargs: Any) -> Any:
        specs = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        if len(specs) != len(args):
            raise ValueError(f"vmap: in_axes has {len(specs)} entries but the function was called with "
                             f"{len(args)} positional argument(s); give one entry per argument")
        leaves, tree = tree_flatten((args, kwargs))
        axes = []
        for k, (spec, arg) in enumerate(zip(specs, args)):
            axes += _prefix_axes(spec, arg, f"in_axes for argument {k}")
        for key in _keys(kwargs):
            axes += _prefix_axes(0, kwargs[key], f"keyword argument {key!r}")
        size: int | None = None
        sizes_seen: list[tuple[Any, int]] = []
        norm: list[Any] = []
        for leaf, ax in zip(leaves, axes):
            if ax is None:
                norm.append(None)
                continue
            n, ax = _size(leaf, int(ax), f"argument {_owner(leaf, args, kwargs)}")
            sizes_seen.append((_owner(leaf, args, kwargs), n))
            size = n if size is None else size
            norm.append(ax)
        if size is None:
            raise ValueError("vmap: no argument is mapped (in_axes is None for all); map at least one axis")
        if any(n != size for _, n in sizes_seen):
            raise ValueError("vmap: the mapped axes have different sizes: "
                             + ", ".join(f"argument {k} has {n}" for k, n in sizes_seen))
        out = _batched(f, leaves, tree, norm, size)
        if out is None:
            out = _looped(f, leaves, tree, norm, size)
        out_leaves, out_tree = out
        inputs = {id(_value(x)) for x in leaves}
        return tree_unflatten(out_tree, _place_outputs(out_leaves, out_tree, size, inputs))

    def _place_outputs(out_leaves, out_tree, size, inputs):
        specs = _prefix_axes(out_axes, tree_unflatten(out_tree, [0] * out_tree.num_leaves), "out_axes")
        placed = []
        for (v, batched), ax in zip(out_leaves, specs):
            if ax is None:
                if batched:
                    raise ValueError("vmap: out_axes is None for an output that depends on the mapped axis; "
                                     "give it an int axis")
                placed.append(v if isinstance(v, Tensor) else Tensor(np.asarray(v)))
                continue
            if not batched:
                v = np.broadcast_to(np.asarray(_value(v)), (size,) + _shape(v)) if not isinstance(v, Tensor) \
                    else ops.broadcast_to(v, (size,) + _shape(v))
            nd = len(_shape(v))
            if not -nd <= ax < nd:
                raise ValueError(f"vmap: out_axes={ax}, but the output has only {nd} dimension(s) with the "
                                 "mapped axis")
            v = _move(v, 0, ax % nd)
            if not isinstance(v, Tensor):
                v = np.asarray(v)
                own = v.flags.writeable and v.base is None and id(v) not in inputs
                v = _wrap(v if own else np.array(v), None)  # a view (of an argument...): copied
            elif not isinstance(v, Tracer) and (v.data.base is not None or id(v.data) in inputs):
                v = ops.cast(v, v.dtype)  # a copy that stays differentiable
            placed.append(v)
        return placed

    vmapped.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    vmapped.__name__ = f"vmap_{getattr(f, '__name__', 'f')}"
    return vmapped


def _owner(leaf, args, kwargs):
    """Which argument a leaf belongs to (for error messages)."""
    for k, a in enumerate(args):
        if any(x is leaf for x in tree_flatten(a)[0]):
            return k
    for key, a in kwargs.items():
        if any(x is leaf for x in tree_flatten(a)[0]):
            return repr(key)
    return "?"


def _batched(f, leaves, tree, axes, size):
    """Trace ``f`` on one example and run the trace on the batch; None if ``f`` cannot be traced."""
    env = {}
    gen = generator()
    state, np_state = gen.bit_generator.state, np.random.get_state()
    try:
        with Trace(nested=True) as tr:
            call = []
            for leaf, ax in zip(leaves, axes):
                if ax is not None:
                    t = tr.input(_example(_value(leaf), ax, size))
                    env[id(t)] = (_move(leaf, ax, 0), True)
                elif _is_array(leaf):
                    t = tr.input(_value(leaf))
                    env[id(t)] = (leaf, False)
                else:
                    t = leaf  # a Python value: a constant of the trace
                call.append(t)
            args, kwargs = tree_unflatten(tree, call)
            result = f(*args, **kwargs)
    except Exception:  # noqa: BLE001 - anything tracing cannot follow: run f once per example instead
        return None
    if generator() is not gen or gen.bit_generator.state != state or not _same_state(np_state):
        # f draws random numbers (dropout...): traced once, every example would get the same draw.
        # Loop instead, from the same generator state, so each example draws its own as before.
        gen.bit_generator.state = state
        np.random.set_state(np_state)
        return None
    for tensor, t in tr.captured.values():
        env[id(t)] = (tensor, False)
    out_leaves, out_tree = tree_flatten(result)
    try:
        evaluate(tr, env, size)
    except Exception:  # noqa: BLE001 - a rule that failed: the loop gives the same values, or the real error
        return None
    return [env.get(id(o), (o, False)) if isinstance(o, Tracer) else (o, False) for o in out_leaves], out_tree


def _example(v, ax, size):
    """The first example along ``ax`` (zeros of an example's shape for an empty batch: only shapes matter)."""
    if size:
        return np.take(v, 0, axis=ax)
    return np.zeros(v.shape[:ax] + v.shape[ax + 1:], v.dtype)


def _same_state(np_state) -> bool:
    now: Any = np.random.get_state()  # the legacy tuple form
    return now[2:] == np_state[2:] and np.array_equal(now[1], np_state[1])


def _looped(f, leaves, tree, axes, size):
    """One call of ``f`` per example, the results stacked along a new leading axis."""
    if size == 0:
        raise ValueError("vmap: the mapped axis is empty (size 0) and the function cannot be traced, so "
                         "the shapes of its results are unknown; give at least one example")
    results = []
    for i in range(size):
        call = [leaf if ax is None else _take(leaf, ax, i) for leaf, ax in zip(leaves, axes)]
        args, kwargs = tree_unflatten(tree, call)
        results.append(f(*args, **kwargs))
    flat = [tree_flatten(r) for r in results]
    out_tree = flat[0][1]
    if any(t != out_tree for _, t in flat):
        raise ValueError("vmap: the function returned different structures for different slices")
    outs = []
    for j in range(out_tree.num_leaves):
        parts = [fl[0][j] for fl in flat]
        if not any(isinstance(p, Tensor) for p in parts):
            parts = [np.asarray(p) for p in parts]
        outs.append((ops.stack(*parts, axis=-(len(_shape(parts[0])) + 1)), True))
    return outs, out_tree
