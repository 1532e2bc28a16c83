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

import contextlib
import threading
import weakref

import numpy as np

from .ops import sum_to
from .ops.primitive import raw

class _GradMode(threading.local):
    """Whether operations are recorded, per thread (as PyTorch's grad mode), with the
    values to restore when the ``with`` blocks that changed it end."""

    def __init__(self):
        self.enabled = True
        self.saved = []


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward (in this thread).

    >>> import retrograd as rg
    >>> with rg.no_grad(): print(rg.is_grad_enabled())
    False
    """
    return _mode.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn recording on or off inside a ``with`` block or a decorated function (this thread only).

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.set_grad_enabled(False): (w * 3).requires_grad
    False
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        _mode.saved.append(_mode.enabled)
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _mode.enabled = _mode.saved.pop()
        return False


class no_grad(set_grad_enabled):
    """Context manager and decorator: nothing inside is recorded for backward.

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.no_grad(): y = w * 3
    >>> y.requires_grad
    False
    """

    def __init__(self):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Context manager and decorator: record for backward, even inside ``no_grad``.

    >>> import retrograd as rg
    >>> w = rg.tensor(2.0, requires_grad=True)
    >>> with rg.no_grad():
    ...     with rg.enable_grad(): y = w * 3
    >>> y.requires_grad
    True
    """

    def __init__(self):
        super().__init__(True)


class Node:
    """One recorded primitive call: the ``grad_fn`` of the Tensor it produced.

    ``inputs`` are the arguments as given (Tensors or constants), ``parents``
    the ``(argnum, Tensor)`` pairs that need a gradient, ``saved`` the plain
    arrays of the arguments, ``out`` the plain output array.
    """

    __slots__ = ("prim", "inputs", "parents", "saved", "params", "out", "retain", "__weakref__")

    def __init__(self, prim, inputs, parents, saved, params, out):
        self.prim = prim
        self.inputs = inputs
        self.parents = parents
        self.saved = saved
        self.params = params
        self.out = out
        self.retain = None

    @property
    def name(self) -> str:
        """The primitive's name, e.g. ``"mul"``."""
        return self.prim.name

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` released this node."""
        return self.saved is None

    def __repr__(self) -> str:
        return f"<{self.prim.name} backward>"


class FreedInput:
    """What a freed node keeps of a Tensor input: the structure, not the values.

    An input made by another node keeps that node and its name (its array is freed); a leaf
    keeps the leaf (as PyTorch's AccumulateGrad does), unless it is data with more than
    :data:`KEEP_DATA_ELEMENTS` elements. Enough for ``rg.learn`` to redraw and recompute the
    graph after ``backward()``, as torchviz and micrograd draw after backward.
    """

    __slots__ = ("node", "name", "leaf")

    def __init__(self, node, name, leaf):
        self.node, self.name, self.leaf = node, name, leaf


#: Largest data leaf (elements, requires_grad False) a freed node still refers to.
KEEP_DATA_ELEMENTS = 4096


_NOT_A_TENSOR = object()


def _skeleton(inputs):
    """A freed node's inputs: Tensors made by nodes become FreedInputs (their arrays can go)."""
    out = []
    for a in inputs:
        made_by = getattr(a, "_node", _NOT_A_TENSOR)
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


def _add(a, b):
    return b if a is None else a + b


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, capture=None):
    """Propagate ``root_grads`` from ``roots`` back through the graph.

    Without ``capture`` the gradients of leaves accumulate into ``.grad`` (the
    ``Tensor.backward`` behaviour). With ``capture`` (a dict whose keys are
    nodes or leaf Tensors) nothing is accumulated: the gradient reaching each
    key is stored as its value (the ``rg.autograd.grad`` behaviour).

    Gradients may carry extra leading batch dimensions (``g.ndim - out.ndim``,
    the same for every root): that is how a whole Jacobian is computed in one
    walk.
    """
    from .tensor import Tensor, _wrap

    nb = raw(root_grads[0]).ndim - roots[0].data.ndim if roots else 0
    grads: dict = {}
    leaf_grads: dict = {}
    deps: dict = {}
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
        for _, p in stack.pop().parents:
            pn = p._node
            if pn is not None:
                count = deps.get(pn)
                if count is None:
                    deps[pn] = 1
                    stack.append(pn)
                else:
                    deps[pn] = count + 1

    ready = [n for n in starts if deps[n] == 0]
    with (enable_grad() if create_graph else no_grad()):
        while ready:
            node = ready.pop()
            g = grads.pop(node)
            saved = node.saved
            if saved is None:
                raise RuntimeError(FREED_GRAPH_MESSAGE.format(name=node.prim.name))
            if capture is not None:
                if node in capture:
                    capture[node] = _add(capture[node], g)
            elif node.retain is not None:
                kept = node.retain()
                if kept is not None:
                    _accumulate(kept, g, create_graph, _wrap)
            if create_graph:
                args = list(saved)
                for i, p in node.parents:
                    args[i] = p
                out = _wrap(node.out, node)
                if not isinstance(g, Tensor):
                    g = _wrap(g, None)
            else:
                args, out = saved, node.out
            prim, params = node.prim, node.params
            rules = prim.vjps
            for i, p in node.parents:
                rule = rules[i] if rules is not None else prim.vjp_for(i)
                gi = rule(g, out, *args, **params) if params else rule(g, out, *args)
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
                node.inputs = _skeleton(node.inputs)
                node.parents = ()

    for leaf, g in leaf_grads.items():
        if capture is not None:
            if leaf in capture:
                capture[leaf] = _add(capture[leaf], g)
        else:
            _accumulate(leaf, g, create_graph, _wrap)


def _accumulate(t, g, create_graph, wrap) -> None:
    """Add ``g`` to ``t.grad`` (never in place: gradient arrays may be shared)."""
    if create_graph:
        if not hasattr(g, "_node"):
            g = wrap(g, None)
        t.grad = g if t.grad is None else t.grad + g
        return
    g = raw(g)
    if not isinstance(g, np.ndarray) or g.dtype != t.data.dtype or not g.flags.writeable:
        g = np.array(g, dtype=t.data.dtype)
    if t.grad is None:
        t.grad = wrap(g, None)
    else:
        t.grad = wrap(t.grad.data + g, None)


def retain(t) -> None:
    """Make a non-leaf Tensor keep its gradient in ``.grad`` (see ``Tensor.retain_grad``)."""
    if t._node is not None:
        t._node.retain = weakref.ref(t)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    PyTorch's ``torch.autograd.grad``: ``inputs`` may be leaves or
    intermediate tensors; ``.grad`` attributes are left untouched.

    >>> import retrograd as rg
    >>> w = rg.tensor(3.0, requires_grad=True)
    >>> a = 2 + 3 * w
    >>> rg.autograd.grad(a ** 2, [a, w])
    (tensor(22.), tensor(66.))
    """
    from .tensor import Tensor, _root_gradient, _wrap

    single_output = isinstance(outputs, Tensor)
    outputs = [outputs] if single_output else list(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = [inputs] if single_input else list(inputs)
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
        seeds.append(g if create_graph and isinstance(g, Tensor) else _root_gradient(o, g))
    if retain_graph is None:
        retain_graph = create_graph
    keys = [t._node if t._node is not None else t for t in inputs]
    capture = {k: None for k in keys}
    run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph, capture=capture)
    results = []
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
