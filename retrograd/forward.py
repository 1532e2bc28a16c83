"""The forward-mode engine: push tangents through a recorded graph with the jvp rules.

Forward mode here is *record, then push*: the function is run once on Tensors
that require grad (that records its graph, exactly as for backward), then
``push_forward`` visits the recorded nodes in topological order, inputs
first, and computes each node's output tangent from its inputs' tangents with
the primitive's jvp rule. Nodes that no seeded input reaches get no tangent
(a symbolic zero), so constants cost nothing.

Tangents may carry extra leading batch dimensions (the same ``nb`` for all):
seeding an input of shape ``s`` with the identity of shape ``s + s`` gives, in
one walk, every column of the Jacobian. Rules see a tangent of shape
``batch + x.shape``; for primitives that broadcast their arguments against
each other (add, mul, where, ...) the engine first inserts size-1 axes after
the batch so the tangent lines up with the other arguments, and afterwards
broadcasts every node's tangent to ``batch + out.shape``.

With ``record=True`` the rules run on Tensors, so the tangents are themselves
recorded and can be differentiated again (``grad`` of ``jvp``, Hessians by
forward-over-reverse).
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import Any

import numpy as np

from . import autograd, core
from .core import Node, Tensor, enable_grad, no_grad, wrap as _wrap
from .ops import elementwise as _ew, intops as _int, special as _sp
from .ops.primitive import Primitive, raw
from .ops.shape import broadcast_to as _broadcast_to, reshape as _reshape

# Elementwise primitives that broadcast their array arguments against each other. Their
# per-argument jvp rules are written for a tangent shaped like the argument (``t * y``), so the
# engine lines a batched tangent up with the output first. Every other primitive's rules get
# ``batch + x.shape`` tangents and handle the batch axes themselves (matmul, linear, ...).
BROADCASTING: set[Primitive] = {
    _ew.add, _ew.sub, _ew.mul, _ew.div, _ew.power, _ew.maximum, _ew.minimum, _ew.where,
    _sp.atan2, _sp.hypot, _sp.logaddexp, _int.floor_divide, _int.trunc_divide, _int.remainder, _int.fmod}


def key_of(t: Tensor) -> Node | Tensor:
    """The key under which a Tensor's tangent (or gradient) is stored: its node, or itself for a leaf.

    >>> import retrograd as rg
    >>> x = rg.tensor(1.0, requires_grad=True)
    >>> key_of(x) is x, key_of(x * 2) is not None
    (True, True)
    """
    return t._node if t._node is not None else t


def topological_nodes(outputs: Sequence[Tensor], stop: Container[Any]) -> list[Node]:
    """Nodes that ``outputs`` depend on, each after all of its parents; never walks past ``stop`` keys.

    Iterative depth-first search (no recursion limit on long chains).

    >>> import retrograd as rg
    >>> x = rg.tensor(1.0, requires_grad=True)
    >>> [n.name for n in topological_nodes([rg.sin(x * 2)], stop={})]
    ['mul', 'sin']
    """
    order = []
    done = set()
    stack = []
    for o in outputs:
        if o._node is not None:
            stack.append((o._node, False))
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        if node in stop:
            continue
        if node.epoch != core.current_epoch():
            autograd.resolve_parents(node)
        for _, p in node.parents:
            pn = p._node
            if pn is not None and pn not in done:
                stack.append((pn, False))
    return order


def _to_shape(c: Any, nb: int, shape: tuple[int, ...], record: bool) -> Any:
    """Broadcast a tangent contribution ``c`` to ``batch + shape`` (batch = its first ``nb`` axes)."""
    cs = raw(c).shape
    if cs[nb:] == shape and len(cs) == nb + len(shape):
        return c
    core = len(cs) - nb
    if nb and core < len(shape):  # line the core axes up on the right, after the batch
        c = _reshape(c, cs[:nb] + (1,) * (len(shape) - core) + cs[nb:])
        cs = raw(c).shape
    target = cs[:nb] + shape
    if record:
        return _broadcast_to(c, target)
    return np.broadcast_to(raw(c), target)


def _tangent_of_node(node: Node, tans: Mapping[Any, Any], nb: int, record: bool) -> Any:
    """The output tangent of one recorded node, from the tangents of its parents (None if none)."""
    have = {}
    for i, p in node.parents:
        t = tans.get(key_of(p))
        if t is not None:
            have[i] = t
    if not have:
        return None
    if record:
        args = list(node.saved)
        for i, p in node.parents:
            args[i] = p
        out = _wrap(node.out, node)
    else:
        args, out = node.saved, node.out
    prim, params = node.prim, node._params
    out_shape = node.out.shape
    if callable(prim.jvp) and not isinstance(prim.jvp, (list, tuple)):
        ts = tuple(have.get(i) for i in range(len(args)))
        return _to_shape(prim.jvp(ts, out, *args, **params), nb, out_shape, record)
    rules = prim.jvp
    if rules is None:
        raise NotImplementedError(f"forward mode: primitive '{prim.name}' has no jvp rule")
    align = nb > 0 and prim in BROADCASTING
    total = None
    for i, t in have.items():
        rule = rules[i] if i < len(rules) else None
        if rule is None:
            raise NotImplementedError(
                f"forward mode: primitive '{prim.name}' has no jvp rule for argument {i}")
        if align:
            xs = np.shape(node.saved[i])
            if len(xs) < len(out_shape):
                ts = raw(t).shape
                t = _reshape(t, ts[:nb] + (1,) * (len(out_shape) - len(xs)) + xs)
        c = _to_shape(rule(t, out, *args, **params), nb, out_shape, record)
        total = c if total is None else total + c
    return total


def push_forward(outputs: Sequence[Tensor], seeds: Mapping[Any, Any], nb: int = 0,
                 record: bool = False) -> list[Any]:
    """Tangents of ``outputs`` given ``seeds`` (a dict: node or leaf Tensor -> tangent).

    Each seed has shape ``batch + shape of its tensor`` with ``nb`` batch axes.
    Returns one tangent per output, ``None`` where no seed reaches it (the
    tangent is zero). With ``record=True`` the rules run on Tensors and the
    tangents are recorded; otherwise they are plain arrays computed without
    recording.

    >>> import numpy as np, retrograd as rg
    >>> x = rg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * x
    >>> push_forward([y], {x: np.array([1.0, 0.0])})        # one tangent
    [array([2., 0.])]
    >>> push_forward([y], {x: np.eye(2)}, nb=1)[0]          # a batch of tangents: the Jacobian
    array([[2., 0.],
           [0., 4.]])
    """
    tans = dict(seeds)
    order = topological_nodes(outputs, stop=tans)
    ctx = enable_grad() if record else no_grad()
    with ctx:
        for node in order:
            if node in tans:
                continue
            t = _tangent_of_node(node, tans, nb, record)
            if t is not None:
                tans[node] = t
    return [tans.get(key_of(o)) for o in outputs]
