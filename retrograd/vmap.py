"""``rg.vmap``: map a function over an axis of its arguments (JAX's ``vmap``).

``rg.vmap(f, in_axes, out_axes)(*args)`` equals stacking ``f`` applied to each slice of the
mapped arguments along ``out_axes``. It composes with the other transforms, so per-example
gradients are ``rg.vmap(rg.grad(loss), in_axes=(None, 0, 0))(params, X, y)``.

How it works today: one call of ``f`` per slice, the results stacked (``rg.stack``, so the
whole thing stays differentiable and traceable by ``rg.jit``). Batching rules per primitive,
which would run ``f`` once on the whole batch, are not written yet.

>>> import retrograd as rg
>>> rg.vmap(lambda x, y: (x * y).sum(), in_axes=(0, None))(rg.tensor([[1.0, 2.0], [3.0, 4.0]]),
...                                                       rg.tensor([10.0, 1.0]))
tensor([12., 34.])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np

from .functions import getitem, stack
from .pytree import tree_flatten, tree_unflatten
from .tensor import Tensor

__all__ = ["vmap"]

P = ParamSpec("P")  # the vmapped function takes the arguments of the one it wraps


def _axes_for(spec, arg, what):
    """One axis (int or None) per leaf of ``arg``, from a spec that is an int, None or a pytree of them."""
    leaves, tree = tree_flatten(arg)
    if spec is None or isinstance(spec, int):
        return leaves, tree, [spec] * len(leaves)
    specs, _stree = tree_flatten(spec, is_leaf=lambda x: x is None)
    if len(specs) != len(leaves) or type(spec) is not type(arg):
        raise ValueError(f"vmap: in_axes for {what} is {spec!r}, which does not match the structure {tree} "
                         "of the argument; give an int, None, or the same structure of ints and Nones")
    return leaves, tree, specs


def _size(x, axis, what):
    shape = np.shape(x.data if isinstance(x, Tensor) else x) if not isinstance(x, Tensor) else x.shape
    nd = len(shape)
    if not -nd <= axis < nd:
        raise ValueError(f"vmap: in_axes={axis} for {what}, but it has only {nd} dimension(s) (shape {shape})")
    return shape[axis], axis % nd


def _take(x, axis, i):
    if isinstance(x, Tensor):
        return getitem(x, (slice(None),) * axis + (i,))
    return np.take(np.asarray(x), i, axis=axis)


def vmap(f: Callable[P, Any], in_axes: int | Sequence[Any] | None = 0,
         out_axes: int | Sequence[Any] = 0) -> Callable[P, Any]:
    """``f`` mapped over axis ``in_axes`` of its arguments; results stacked along ``out_axes``.

    ``in_axes`` is an int (every argument), or a tuple with one entry per positional
    argument: an int, ``None`` (not mapped: passed whole to every call) or a pytree of those
    matching the argument. ``out_axes`` is an int, or a pytree matching the output.

    >>> import retrograd as rg
    >>> rg.vmap(rg.grad(lambda w, x: (w * x).sum() ** 2), in_axes=(None, 0))(
    ...     rg.tensor([1.0, 1.0]), rg.tensor([[1.0, 2.0], [0.0, 1.0]]))
    tensor([[ 6., 12.],
            [ 0.,  2.]])
    """
    if not callable(f):
        raise TypeError(f"vmap: expected a function as first argument, got {type(f).__name__}")

    def vmapped(*args: Any) -> Any:
        specs = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        if len(specs) != len(args):
            raise ValueError(f"vmap: in_axes has {len(specs)} entries but the function was called with "
                             f"{len(args)} positional argument(s); give one entry per argument")
        per_arg, size, sizes_seen = [], None, []
        for k, (spec, arg) in enumerate(zip(specs, args)):
            leaves, tree, axes = _axes_for(spec, arg, f"argument {k}")
            norm: list[Any] = []
            for leaf, ax in zip(leaves, axes):
                if ax is None:
                    norm.append(None)
                    continue
                n, ax = _size(leaf, ax, f"argument {k}")
                sizes_seen.append((k, n))
                size = n if size is None else size
                norm.append(ax)
            per_arg.append((leaves, tree, norm))
        if size is None:
            raise ValueError("vmap: no argument is mapped (in_axes is None for all); map at least one axis")
        if any(n != size for _, n in sizes_seen):
            raise ValueError("vmap: the mapped axes have different sizes: "
                             + ", ".join(f"argument {k} has {n}" for k, n in sizes_seen))
        results = []
        for i in range(size):
            call = [tree_unflatten(tree, [leaf if ax is None else _take(leaf, ax, i)
                                          for leaf, ax in zip(leaves, axes)])
                    for leaves, tree, axes in per_arg]
            results.append(f(*call))  # type: ignore[call-arg]  # positional arguments
        flat = [tree_flatten(r) for r in results]
        out_tree = flat[0][1]
        if any(t != out_tree for _, t in flat):
            raise ValueError("vmap: the function returned different structures for different slices")
        outs = out_axes if isinstance(out_axes, int) else None
        out_specs = ([outs] * out_tree.num_leaves if outs is not None
                     else tree_flatten(out_axes, is_leaf=lambda x: x is None)[0])
        stacked = [stack([fl[0][j] for fl in flat], axis=ax)
                   for j, ax in enumerate(out_specs)]
        stacked = [s if isinstance(s, Tensor) else Tensor(s) for s in stacked]
        return tree_unflatten(out_tree, stacked)

    vmapped.__wrapped__ = f  # type: ignore[attr-defined]  # for inspect.signature
    vmapped.__name__ = f"vmap_{getattr(f, '__name__', 'f')}"
    return vmapped  # type: ignore[return-value]  # f's arguments, given positionally
