"""The reverse-mode engine: grad mode, graph nodes and the backward walk.

A Tensor made by a primitive from inputs that require grad points at a
``Node``. A node holds its primitive, the inputs it was called with, the plain
arrays it needs for the vjp rules and its output array. Nodes point only
from outputs to inputs, never back, so a graph nobody refers to is freed by
reference counting alone, without the cycle collector.

``run_backward`` walks the graph without recursion: a first pass counts, for
every node, how many consumers will send it a gradient; a second pass
processes a node once all of them have (Kahn's algorithm), summing the
gradients that reach it. Unless ``retain_graph`` is set, each node drops its
saved arrays and its inputs once processed.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import core as _core
from .backend import to_array
from .core import (  # re-exported: rg.autograd.no_grad, rg.autograd.Node, ... (their home is retrograd.core)
    Node as Node,
    NodeExtra as NodeExtra,
    Tensor,
    VersionCounter as VersionCounter,
    bump_version as bump_version,
    current_epoch as current_epoch,
    enable_grad as enable_grad,
    inference_mode as inference_mode,
    is_grad_enabled as is_grad_enabled,
    no_grad as no_grad,
    node_extra,
    set_grad_enabled as set_grad_enabled,
    share_version as share_version,
    version_counter as version_counter,
    wrap as _wrap,
)
from .errors import ShapeError
from .ops.primitive import Primitive, raw
from .ops.shape import sum_to

MODIFIED_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: the {what} of node '{name}' ({tensor}) is at version {now}; it was saved before "
    "that write. Hint: do the in-place update (optimizer.step(), p -= ..., t[...] = ...) after "
    "backward(), or clone() the tensor before changing it."
)


def _check_versions(node: Node) -> None:
    """Raise if an array ``node`` reads was written in place after the node saved it."""
    epoch = node.epoch
    prim = node.prim
    reads = prim.reads_inputs
    if reads:
        if reads is True:
            read: Iterable[int] = range(len(node._inputs))
        else:  # {argnum: the arguments its rule reads}: only the rules of the parents run
            read = sorted({j for i, _ in node.parents for j in reads.get(i, ())})
        for i in read:
            a = node._inputs[i]
            vc = getattr(a, "_vc", None) if hasattr(a, "_node") else None
            if vc is not None and vc.last > epoch:
                label = f"tensor '{a.name}'" if getattr(a, "name", None) else f"argument {i}, shape {a.shape}"
                raise RuntimeError(MODIFIED_MESSAGE.format(what=f"input {i}", name=prim.name,
                                                           tensor=label, now=vc.version))
    extra = node.extra
    if prim.reads_out and extra is not None and extra.out_vc is not None and extra.out_vc.last > epoch:
        raise RuntimeError(MODIFIED_MESSAGE.format(what="output", name=prim.name,
                                                   tensor=f"shape {node.out.shape}",
                                                   now=extra.out_vc.version))


def resolve_parents(node: Node) -> None:
    """Point ``node``'s edges at its parents' histories as they were when it was recorded.

    A recorded in-place write gives a tensor a new history; nodes recorded before the write
    must keep sending their gradient to the old one (kept in the tensor's ``_history``).
    """
    epoch = node.epoch
    parents = []
    changed = False
    for i, p in node.parents:
        history = getattr(p, "_history", None)
        if history:
            for write_epoch, old in history:
                if write_epoch > epoch:
                    p, changed = old, True
                    break
        parents.append((i, p))
    if changed:
        node.parents = tuple(parents)



class FreedInput:
    """What a freed node keeps of a Tensor input: the structure, not the values.

    An input made by another node keeps that node and its name (its array is freed); a leaf
    keeps the leaf (as PyTorch's AccumulateGrad does), unless it is data with more than
    :data:`KEEP_DATA_ELEMENTS` elements. Enough for ``rg.learn`` to redraw and recompute the
    graph after ``backward()``, as torchviz and micrograd draw after backward.
    """

    __slots__ = ("leaf", "name", "node")

    def __init__(self, node: Node | None, name: str | None, leaf: Tensor | None) -> None:
        self.node, self.name, self.leaf = node, name, leaf


#: Largest data leaf (elements, requires_grad False) a freed node still refers to.
KEEP_DATA_ELEMENTS = 4096

#: Largest graph (nodes) whose structure survives a backward pass without retain_graph.
KEEP_STRUCTURE_NODES = 64


_NOT_A_TENSOR = object()


def _skeleton(inputs: Sequence[Any]) -> tuple[Any, ...]:
    """A freed node's inputs: Tensors made by nodes become FreedInputs (their arrays can go)."""
    out = []
    for a in inputs:
        made_by: Any = getattr(a, "_node", _NOT_A_TENSOR)
        if made_by is not _NOT_A_TENSOR:
            if made_by is not None:
                a = FreedInput(made_by, a.name, None)
            elif not a.requires_grad and a.data.size > KEEP_DATA_ELEMENTS:
                a = FreedInput(None, a.name, None)
            else:
                a = FreedInput(None, a.name, a)
        out.append(a)
    return tuple(out)


FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use values it already freed): "
    "the first backward released the saved values of node '{name}'. Pass retain_graph=True to "
    "the first .backward() call if you need to backward through the same graph again."
)


def _add(a: Any, b: Any) -> Any:
    return b if a is None else a + b


# Leaf gradients are accumulated under one lock, so that backward() calls from several threads
# into a shared leaf add up exactly. The walk itself needs none: each call walks its own nodes.
_accumulate_lock = threading.Lock()


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Any], retain_graph: bool = False,
                 create_graph: bool = False, capture: dict[Any, Any] | None = None,
                 stop: Iterable[Node | Tensor] | None = None) -> None:
    """Propagate ``root_grads`` from ``roots`` back through the graph.

    Without ``capture`` the gradients of leaves accumulate into ``.grad`` (the
    ``Tensor.backward`` behaviour). With ``capture`` (a dict whose keys are
    nodes or leaf Tensors) nothing is accumulated: the gradient reaching each
    key is stored as its value (the ``rg.autograd.grad`` behaviour).

    Gradients may carry extra leading batch dimensions (``g.ndim - out.ndim``,
    the same for every root): that is how a whole Jacobian is computed in one
    walk.

    ``stop`` (nodes, or Tensors standing for their ``grad_fn``) marks where the walk ends, as
    the forward engine's ``stop``: a stop node gets its gradient (its hooks run, ``capture``
    receives it) but sends nothing on to its inputs and is never freed. The graph is left
    as it is, so walks from several threads may share it.

    >>> import retrograd as rg
    >>> x = rg.tensor(2.0, requires_grad=True)
    >>> h = x * x; y = h * 3
    >>> got = {h.grad_fn: None, x: None}
    >>> run_backward([y], [np.array(1.0)], retain_graph=True, capture=got, stop={h})
    >>> float(got[h.grad_fn]), got[x]
    (3.0, None)
    """
    stops: set[Any] | None = None if stop is None else {s._node if isinstance(s, Tensor) else s for s in stop}
    nb = raw(root_grads[0]).ndim - roots[0].data.ndim if roots else 0
    grads: dict[Node, Any] = {}
    leaf_grads: dict[Tensor, Any] = {}
    deps: dict[Node, int] = {}
    stack = []
    for t, g in zip(roots, root_grads):
        node = t._node
        if node is None:
            leaf_grads[t] = _add(leaf_grads.get(t), g)
            continue
        grads[node] = _add(grads.get(node), g)
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    starts = list(stack)

    while stack:  # count the consumers of every reachable node
        node = stack.pop()
        if stops is not None and node in stops:
            continue
        if node.epoch != _core._epoch:
            resolve_parents(node)
        for _, p in node.parents:
            pn = p._node
            if pn is not None:
                count = deps.get(pn)
                if count is None:
                    deps[pn] = 1
                    stack.append(pn)
                else:
                    deps[pn] = count + 1

    ready = [n for n in starts if deps[n] == 0]
    # A small graph keeps its structure after it is freed (rg.learn can still draw it); a large
    # one is let go entirely: the skeleton costs a little for every node of every backward.
    keep_structure = len(deps) <= KEEP_STRUCTURE_NODES
    with (enable_grad() if create_graph else no_grad()):
        while ready:
            node = ready.pop()
            g = grads.pop(node)
            saved = node.saved
            if saved is None:
                raise RuntimeError(FREED_GRAPH_MESSAGE.format(name=node.prim.name))
            ends = stops is not None and node in stops
            if node.epoch != _core._epoch and not ends:  # something was written in place since it was made
                _check_versions(node)
            if node.extra is not None:
                g = _node_gradient_ready(node, g, create_graph, _wrap, capture is None)
            if capture is not None and node in capture:
                capture[node] = _add(capture[node], g)
            if ends:  # the walk stops here: the gradient is kept, not sent on
                continue
            if create_graph:
                args = list(saved)
                for i, p in node.parents:
                    args[i] = p
                out = _wrap(node.out, node)
                if not isinstance(g, Tensor):
                    g = _wrap(g, None)
            else:
                args, out = saved, node.out
            prim, params = node.prim, node._params
            rules = prim.vjps
            for i, p in node.parents:
                rule: Any = rules[i] if rules is not None else prim.vjp_for(i)
                gi = rule(g, out, *args, **params) if params else rule(g, out, *args)
                if create_graph and not isinstance(gi, Tensor):
                    _check_recorded(prim, i, g, args)
                pshape = p.data.shape
                if (gi.shape[nb:] if nb else gi.shape) != pshape:
                    gi = sum_to(gi, pshape, nb=nb)
                pn = p._node
                if pn is None:
                    prev = leaf_grads.get(p)
                    leaf_grads[p] = gi if prev is None else prev + gi
                else:
                    prev = grads.get(pn)
                    grads[pn] = gi if prev is None else prev + gi
                    left = deps[pn] - 1
                    deps[pn] = left
                    if left == 0:
                        ready.append(pn)
            if not retain_graph:  # free the node: its saved arrays and its links to the inputs
                node.saved = node.out = None
                node._inputs = _skeleton(node._inputs) if keep_structure else None
                node.parents = ()

        while leaf_grads:  # popped, so that the dict holds no reference (see _private)
            leaf, g = leaf_grads.popitem()
            hooks = getattr(leaf, "_hooks", None)
            if hooks:
                g = _run_hooks(hooks, g, create_graph, _wrap)
            if capture is not None:
                if leaf in capture:
                    capture[leaf] = _add(capture[leaf], g)
            else:
                _accumulate(leaf, g, create_graph, _wrap)


def _run_hooks(hooks: dict[int, Callable[[Any], Any]], g: Any, create_graph: bool,
               wrap: Callable[[Any, None], Tensor]) -> Any:
    """Call each gradient hook on ``g`` in order; a hook that returns a value replaces ``g``."""
    for fn in list(hooks.values()):
        gt = g if hasattr(g, "_node") else wrap(g, None)
        new = fn(gt)
        if new is not None:
            g = new if create_graph else raw(new)
    return g


def _node_gradient_ready(node: Node, g: Any, create_graph: bool, wrap: Callable[[Any, None], Tensor],
                         accumulate: bool) -> Any:
    """The whole gradient of a node's output has arrived: run its hooks, keep it if retained."""
    extra: Any = node.extra
    if extra.hooks:
        g = _run_hooks(extra.hooks, g, create_graph, wrap)
    if accumulate and extra.retain is not None:
        kept = extra.retain()
        if kept is not None:
            _accumulate(kept, g, create_graph, wrap)
    return g


def _check_recorded(prim: Primitive, i: int, g: Any, args: Sequence[Any]) -> None:
    """Under create_graph a rule must record: a plain array would silently cut the graph."""
    if getattr(g, "requires_grad", False) or any(getattr(a, "requires_grad", False) for a in args):
        raise RuntimeError(
            f"the vjp rule of primitive '{prim.name}' for argument {i} returned a plain array "
            "while create_graph=True needs a recorded result; write the rule with retrograd's own "
            "functions (rg.exp, rg.where, ...) on its arguments, using .data or raw() only for "
            "constants such as masks and shapes")


def _accumulate(t: Tensor, g: Any, create_graph: bool, wrap: Callable[[Any, None], Tensor]) -> None:
    """Add ``g`` to ``t.grad``.

    The first gradient is copied, so a leaf's ``.grad`` never shares memory with another
    leaf's or with a saved array; later ones are added in place into that private array
    (as PyTorch). Under ``create_graph`` the sum is recorded instead.
    """
    with _accumulate_lock:
        if create_graph:
            if not hasattr(g, "_node"):
                g = wrap(g, None)
            t.grad = g if t.grad is None else t.grad + g
            return
        g = raw(g)
        old = t.grad
        if old is None:
            if not _private(g, t.data.dtype):
                g = np.array(g, dtype=t.data.dtype, copy=True)
            t.grad = wrap(g, None)
        elif old._node is None and old.data.flags.writeable and old.data.shape == t.data.shape:
            np.add(old.data, g, out=old.data, casting="unsafe")
        else:
            t.grad = wrap((old.data + g).astype(t.data.dtype, copy=False), None)


def _reference_count(g: Any) -> int:
    return sys.getrefcount(g)


def _calibrate() -> int:
    """The reference count a gradient array has in ``_private`` when only the walk holds it: a
    local of run_backward, the argument of _accumulate and of _private (measured, not assumed,
    so that another CPython counting differently only makes more copies)."""
    def accumulate_like(g: Any) -> int:
        return private_like(g)

    def private_like(g: Any) -> int:
        return _reference_count(g)

    g = np.empty(1)
    return accumulate_like(g)


_WALK_REFERENCES = _calibrate()


def _private(g: Any, dtype: Any) -> bool:
    """Whether ``g`` is a fresh array nobody else can see, so ``.grad`` may take it without a copy.

    A rule's result usually is (``g.T @ x``); but ``add`` hands the same array to both of its
    inputs, and a root gradient may be the caller's array: those have more references (or are
    views) and are copied. Copying every first gradient costs a full pass over large weights.
    """
    return (type(g) is np.ndarray and g.base is None and g.dtype == dtype and g.flags.writeable
            and _reference_count(g) <= _WALK_REFERENCES)


def retain(t: Tensor) -> None:
    """Make a non-leaf Tensor keep its gradient in ``.grad`` (see ``Tensor.retain_grad``)."""
    if t._node is not None:
        node_extra(t._node).retain = weakref.ref(t)


class RemovableHandle:
    """Returned by ``register_hook``: ``handle.remove()`` takes the hook away again."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[[Any], Any]]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (no effect if it is already gone)."""
        self._hooks.pop(self.id, None)


def register_hook(t: Tensor, fn: Callable[[Any], Any]) -> RemovableHandle:
    """Call ``fn(grad)`` whenever the gradient of Tensor ``t`` is computed (see ``Tensor.register_hook``)."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t._node is None:
        hooks = getattr(t, "_hooks", None)
        if hooks is None:
            hooks = t._hooks = {}
    else:
        extra = node_extra(t._node)
        if extra.hooks is None:
            extra.hooks = {}
        hooks = extra.hooks
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor], grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    PyTorch's ``torch.autograd.grad``: ``inputs`` may be leaves or
    intermediate tensors; ``.grad`` attributes are left untouched.

    >>> import retrograd as rg
    >>> w = rg.tensor(3.0, requires_grad=True)
    >>> a = 2 + 3 * w
    >>> rg.autograd.grad(a ** 2, [a, w])
    (tensor(22.), tensor(66.))
    """
    single_output = isinstance(outputs, Tensor)
    outputs = [outputs] if single_output else list(outputs)  # type: ignore[list-item]
    single_input = isinstance(inputs, Tensor)
    inputs = [inputs] if single_input else list(inputs)  # type: ignore[list-item]
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad(): input {i} does not require grad; create it with requires_grad=True")
    roots, seeds = [], []
    for o, g in zip(outputs, grad_outputs):
        if not o.requires_grad:
            raise RuntimeError("grad(): an output does not require grad: it does not depend on any input "
                               "that requires grad")
        roots.append(o)
        seeds.append(g if create_graph and isinstance(g, Tensor) else root_gradient(o, g))
    if retain_graph is None:
        retain_graph = create_graph
    keys = [t._node if t._node is not None else t for t in inputs]
    capture = {k: None for k in keys}
    run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph, capture=capture)
    results: list[Tensor | None] = []
    for i, (t, k) in enumerate(zip(inputs, keys)):
        g = capture[k]
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad(): input {i} was not used to compute the outputs; "
                                   "pass allow_unused=True to get None for it")
            results.append(None)
            continue
        if not isinstance(g, Tensor):
            g = _wrap(np.asarray(g, dtype=t.data.dtype), None)
        results.append(g)
    return tuple(results)


def root_gradient(t: Tensor, gradient: Any) -> Any:
    """The starting cotangent of a backward pass from ``t``, checked against it (ones for a scalar).

    >>> root_gradient(Tensor(2.0), None)
    array(1.)
    """
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


class _TensorAutograd:
    """The autograd methods of Tensor (installed onto ``retrograd.core.Tensor`` below)."""

    def backward(self: Any, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
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
        g = root_gradient(self, gradient)
        if retain_graph is None:
            retain_graph = create_graph
        run_backward([self], [g], retain_graph=retain_graph, create_graph=create_graph)

    def register_hook(self: Any, hook: Callable[[Any], Any]) -> RemovableHandle:
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
        return register_hook(self, hook)

    def retain_grad(self: Any) -> Tensor:
        """Keep the gradient of this non-leaf tensor in ``.grad`` at the next backward."""
        retain(self)
        return self  # type: ignore[no-any-return]  # self is the Tensor this method is installed on


_core.add_methods(_TensorAutograd)
