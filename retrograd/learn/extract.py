"""The extractor: the :class:`~retrograd.graph_model.Graph` of a Program or of an output Tensor.

:func:`build_graph` extracts the one graph model every view reads from a
:class:`~retrograd.learn.program.Program` (or anything with a ``graph_source(level)``
method returning a :class:`GraphSource`) or from any scalar Tensor (before its backward,
or after one with ``retain_graph=True``). It reads only the engine's public graph:
``t.grad_fn`` and the node's ``inputs``, ``params``, ``name``, ``freed``, ``evaluate``.
Two zoom levels:

* ``"assignment"``: one node per named value (an input, a line of a program,
  a tensor given a name with ``.named()``), as the course diagrams draw them;
* ``"primitive"``: one node per primitive operation and per constant.

Everything is computed here once: forward values, d(output)/d(node) from the
engine, each edge's local derivative (engine value and SymPy formula), and
the checks the explanations show (forward and central differences, the
SymPy chain-rule product). The terminal text, the SVG and the web lab only
read :meth:`Graph.to_dict`.

>>> import retrograd as rg
>>> w = rg.tensor(3.0, requires_grad=True, name="w")
>>> a = (2 + 3 * w).named("a")
>>> g = build_graph((a ** 2).named("J"))
>>> [(n["id"], n["value"], n["grad"]) for n in g.nodes]
[('w', 3.0, 66.0), ('a', 11.0, 22.0), ('J', 121.0, 1.0)]
>>> [(e["source"], e["target"], e["local"]) for e in g.edges]
[('w', 'a', 3.0), ('a', 'J', 22.0)]
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import autograd
from ..graph_model import Graph, GraphError
from ..tensor import Tensor, tensor
from . import symbolic
from .layout import MAX_TOP_DOWN_NODES, layout as _layout, layout_top_down

#: Symbolic d(output)/d(node) formulas bigger than this (SymPy operation count) are not kept.
MAX_SYMBOLIC_OPS = 300
#: Local formulas bigger than this (SymPy operation count) are not differentiated symbolically
#: (SymPy's derivative of a product of n factors takes time n**2).
MAX_LOCAL_OPS = 60
#: Finite-difference checks re-run at most this many primitives per graph node, all checks together
#: (so their cost is linear in the size of the graph; the checks past it are skipped with a note).
FD_STEPS_PER_NODE = 100


class _Budget:
    """How long the optional checks (SymPy, finite differences) of one graph may take.

    >>> b = _Budget(None); b.spent()
    False
    >>> _Budget(0.0).spent()
    True
    """

    def __init__(self, seconds=None):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.symbolic_skipped = False

    def spent(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def symbolic(self) -> bool:
        """Whether SymPy work may still be done (records a skip when not)."""
        if self.spent():
            self.symbolic_skipped = True
            return False
        return True

_CONTRACT_NODE_KEYS = ("id", "name", "kind", "op", "formula", "value", "grad", "requires_grad", "layer", "x", "y")


def _py(a):
    a = np.asarray(a)
    return float(a) if a.ndim == 0 else a.tolist()


def _num(v) -> str:
    """A constant as written in a formula: 3, 0.5, -2."""
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# ----- infix printing of primitive trees (no SymPy needed) -----------------------------------
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_SYM = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "**"}
_FUNC = {"maximum": "max", "minimum": "min"}


def _render(op, args):
    """(text, precedence) of ``op`` applied to ``args``, each a (text, precedence) pair."""
    def wrap(arg, need):
        t, p = arg
        return t if p >= need else f"({t})"
    if op in ("add", "mul"):
        p = _PREC[op]
        return wrap(args[0], p) + _SYM[op] + wrap(args[1], p), p
    if op in ("sub", "div"):
        p = _PREC[op]
        return wrap(args[0], p) + _SYM[op] + wrap(args[1], p + 1), p
    if op == "pow":
        return wrap(args[0], 5) + "**" + wrap(args[1], 4), 4
    if op == "neg":
        return "-" + wrap(args[0], 3), 3
    name = _FUNC.get(op, op)
    return f"{name}({', '.join(t for t, _ in args)})", 5


def _is_number(a) -> bool:
    """A numeric constant (a number or a numeric array), not an axis tuple, None or a flag."""
    if isinstance(a, (bool, np.bool_)) or a is None:
        return False
    if isinstance(a, (int, float, np.number)):
        return True
    return isinstance(a, np.ndarray) and a.dtype.kind in "iuf"


def _all_axes(op, first, axes) -> bool:
    """Whether ``axes`` names every axis of ``first`` in a sum (the formula then omits them).

    >>> import numpy as np
    >>> _all_axes("sum", np.ones(3), (-1,)), _all_axes("sum", np.ones((2, 3)), (-1,))
    (True, False)
    """
    if op != "sum" or not isinstance(axes, tuple) or not all(isinstance(a, int) for a in axes):
        return False
    n = np.ndim(first.data if isinstance(first, Tensor) else first)
    return n > 0 and sorted(a % n for a in axes) == list(range(n))


def _const_arg(v):
    a = np.asarray(v)
    if a.size == 1:
        s = _num(a.item())
        return s, (3 if s.startswith("-") else 5)
    return np.array2string(a, separator=", ", threshold=6), 5


# ----- extraction ---------------------------------------------------------------------------
@dataclass
class GraphSource:
    """What the extractor reads besides the tensors themselves: a Program describes itself so.

    ``roots`` are the tensors drawn whatever their names (a program's lines), walked after
    ``extra_roots`` (its inputs, so that they come first); ``formulas`` are the lines' text by
    name; ``data`` and ``consts`` name the inputs drawn without a gradient and the constants;
    ``eps`` is the default finite-difference step; ``level`` forces a zoom level (a one-line
    program draws its primitives), with the note ``one_line``.

    >>> import retrograd as rg
    >>> w = rg.tensor(3.0, requires_grad=True, name="w")
    >>> J = (w * w).named("J")
    >>> g = build_graph(GraphSource(J, [J], extra_roots=[w], source="J = w*w", formulas={"J": "w*w"}))
    >>> g.source, g.node("J")["formula"], g.node("w")["grad"]
    ('J = w*w', 'w*w', 6.0)
    """
    output: Tensor
    roots: list
    extra_roots: list = field(default_factory=list)
    formulas: dict = field(default_factory=dict)
    data: set = field(default_factory=set)
    consts: set = field(default_factory=set)
    source: str | None = None
    title: str | None = None
    notes: list = field(default_factory=list)
    eps: float = 1e-3
    inputs: dict | None = None
    level: str | None = None


def _walk(roots):
    """Tensors reachable from ``roots``, inputs before the tensors computed from them."""
    order, seen, consumers = [], set(), {}
    for root in roots:
        if id(root) in seen:
            continue
        stack = [(root, False)]
        while stack:
            t, done = stack.pop()
            if done:
                order.append(t)
                continue
            if id(t) in seen:
                continue
            seen.add(id(t))
            stack.append((t, True))
            node = t.grad_fn
            if node is None:
                continue
            if node.inputs is None or node.freed:
                raise GraphError("this graph was freed by a backward pass (graphs of more than "
                                 f"{autograd.KEEP_STRUCTURE_NODES} nodes keep no structure): explain it "
                                 "before calling backward(), or call backward(retain_graph=True)")
            for a in reversed(node.inputs):
                if isinstance(a, Tensor):
                    consumers.setdefault(id(a), []).append(t)
                    if id(a) not in seen:
                        stack.append((a, False))
    return order, consumers


def _replayable(node) -> bool:
    """A node a backward pass freed but whose structure it kept (a small graph)."""
    return node is not None and node.freed and bool(node.inputs)


def _replay(output):
    """The graph of ``output`` after a backward() freed it: recomputed from its leaves, same
    structure and names (fresh Tensors; the leaves are the same objects)."""
    Freed = autograd.FreedInput

    def as_freed(a):
        if isinstance(a, Tensor) and _replayable(a.grad_fn):
            return Freed(a.grad_fn, a.name, None)
        return a
    order, seen, stack = [], set(), [(output.grad_fn, False)]
    names = {id(output.grad_fn): output.name}
    while stack:  # post-order without recursion (deep graphs)
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for a in map(as_freed, node.inputs):
            if isinstance(a, Freed) and a.node is not None:
                names.setdefault(id(a.node), a.name)
                if id(a.node) not in seen:
                    stack.append((a.node, False))
    made = {}

    def arg(a):
        a = as_freed(a)
        if not isinstance(a, Freed):
            return a
        if a.leaf is not None:
            return a.leaf
        if a.node is None:
            raise GraphError(f"backward() freed the data input {a.name or ''} (more than "
                             f"{autograd.KEEP_DATA_ELEMENTS} elements): explain the graph before backward(), "
                             "or call backward(retain_graph=True)")
        return made[id(a.node)]
    with autograd.enable_grad(), np.errstate(all="ignore"):
        for node in order:
            t = node.replay(*[arg(a) for a in node.inputs])
            made[id(node)] = t.named(names[id(node)]) if names.get(id(node)) else t
    return made[id(output.grad_fn)]


def build_graph(obj, level: str = "assignment", eps=None, budget=None) -> Graph:
    """Extract the :class:`~retrograd.graph_model.Graph` of a Program or of an output Tensor.

    ``obj`` is a Tensor, or anything with a ``graph_source(level)`` method returning a
    :class:`GraphSource` (a :class:`~retrograd.learn.program.Program` has one), or a GraphSource.
    ``budget`` (seconds, default no limit) bounds the optional checks: past it, SymPy formulas
    and checks are skipped and the graph's notes say so (the engine's values and gradients are
    always there). Finite-difference checks are always bounded linearly in the graph's size.

    >>> import retrograd as rg
    >>> x = rg.tensor(2.0, requires_grad=True, name="x")
    >>> g = build_graph(rg.sin(x) * x, level="primitive")
    >>> [n["op"] for n in g.nodes]
    [None, 'sin', 'mul']
    """
    if level not in ("assignment", "primitive"):
        raise ValueError(f"level must be 'assignment' or 'primitive', got {level!r}")
    replayed_note = False
    if isinstance(obj, Tensor):
        if _replayable(obj.grad_fn):  # after backward(): the structure is kept, the values are recomputed
            replayed = _replay(obj)
            if not np.allclose(replayed.data, obj.data, equal_nan=True):
                replayed_note = True
            obj = replayed
        obj = GraphSource(obj, [obj])
    elif not isinstance(obj, GraphSource):
        if not callable(getattr(obj, "graph_source", None)):
            raise TypeError(f"build_graph() takes a Program or a Tensor, got {type(obj).__name__}")
        obj = obj.graph_source(level)
    one_line = obj.level is not None and obj.level != level
    level = obj.level or level
    roots, output, extra_roots = obj.roots, obj.output, obj.extra_roots
    formulas, data, consts = obj.formulas, set(obj.data), set(obj.consts)
    source, title, notes, inputs = obj.source, obj.title, list(obj.notes), obj.inputs
    eps = obj.eps if eps is None else eps

    clock = _Budget(budget)
    order, consumers = _walk(extra_roots + roots)
    root_ids = {id(t) for t in roots}
    ops = [t for t in order if t.grad_fn is not None]

    # Which tensors are drawn as nodes, and their names.
    if level == "primitive":
        visible = [t for t in order]
    else:
        visible = [t for t in order if t.grad_fn is None or t.name is not None or id(t) in root_ids
                   or len(consumers.get(id(t), ())) != 1]
    vis_ids = {id(t) for t in visible}
    names, used = {}, set()
    for t in visible:
        if t.name is not None and t.name not in used:
            names[id(t)] = t.name
            used.add(t.name)
    if id(output) not in names:
        base = output.name or "out"
        names[id(output)] = _fresh(base, used)
    counters = {"t": 0, "x": 0, "k": 0}
    for t in visible:
        if id(t) in names:
            continue
        if t.grad_fn is not None:
            names[id(t)] = _fresh_counter("t", counters, used)
        elif t.requires_grad:
            names[id(t)] = _fresh_counter("x", counters, used)
        else:
            names[id(t)] = _fresh(_const_arg(t.data)[0], used)
    # Group every operation with the visible tensor it is part of.
    group: dict[int, int] = {}
    for t in reversed(ops):
        group[id(t)] = id(t) if id(t) in vis_ids else group[id(consumers[id(t)][0])]
    members: dict[int, list[Any]] = {}
    for t in ops:
        members.setdefault(group[id(t)], []).append(t)

    scalar = all(t.data.ndim == 0 for t in order)  # a shape-(1,) array is an array, not a scalar
    values = {names[id(t)]: _py(t.data) for t in visible}

    # Gradients of the output with respect to every visible tensor, from the engine.
    with np.errstate(all="ignore"):
        grads = _adjoints(output, visible)
    auto_notes = [["one_line", {}]] if one_line else []
    if replayed_note:
        auto_notes.append(["replayed", {}])
    for t in visible:
        g_t = grads.get(id(t))
        if g_t is not None and not np.all(np.isfinite(g_t)):
            auto_notes.append(["not_finite", {"d": f"d{names[id(output)]}/d{names[id(t)]}", "v": str(_py(g_t))}])

    nodes, edges = [], []
    sym_of = {}  # node id -> SymPy expression of its value in terms of its sources
    for t in visible:
        nid = names[id(t)]
        if t.grad_fn is None:
            kind = "const" if (not t.requires_grad or nid in consts) else "input"
            nodes.append(_node(nid, kind, None, None, values[nid],
                               t.requires_grad and nid not in data and nid not in consts,
                               grads.get(id(t))))
            continue
        # An operation node: its members' primitives, with sources by name.
        mem = members[id(t)]
        mem_ids = {id(m) for m in mem}
        text: dict[int, Any] = {}
        sym: dict[int, Any] = {}
        sources: list[Any] = []  # (name, tensor) in order of first use
        for m in mem:
            args_t, args_s = [], []
            for a in m.grad_fn.inputs:
                if isinstance(a, Tensor) and id(a) in mem_ids:
                    args_t.append(text[id(a)])
                    args_s.append(sym[id(a)])
                elif isinstance(a, Tensor):
                    nm = names[id(a)]
                    if all(s[0] != nm for s in sources):
                        sources.append((nm, a))
                    args_t.append((nm, 5))
                    args_s.append(symbolic.symbol(nm))
                elif not _is_number(a):
                    # a structural argument (axes, shapes): part of the operation, not a value;
                    # the axes of a sum over every axis are left out: sum(x), not sum(x, (-1,))
                    if not _all_axes(m.grad_fn.name, m.grad_fn.inputs[0], a):
                        args_t.append((repr(a), 5))
                    args_s.append(None)
                elif level == "primitive":
                    cid = _fresh_counter("k", counters, used)
                    nodes.append(_node(cid, "const", None, None, _py(a), False, None))
                    nodes[-1]["name"] = _const_arg(a)[0]
                    edges.append(_edge(cid, nid, None, None))
                    args_t.append(_const_arg(a))
                    args_s.append(symbolic.number(a) if np.asarray(a).size == 1 else None)
                else:
                    args_t.append(_const_arg(a))
                    args_s.append(symbolic.number(a) if np.asarray(a).size == 1 else None)
            text[id(m)] = _render(m.grad_fn.name, args_t)
            sym[id(m)] = (None if any(s is None for s in args_s) or not clock.symbolic()
                          else symbolic.from_primitive(m.grad_fn.name, args_s, m.grad_fn.params))
        formula = formulas.get(nid) if level == "assignment" else None
        formula = formula or text[id(t)][0]
        op = "assign" if level == "assignment" else t.grad_fn.name
        kind = "const" if nid in consts else "op"
        nodes.append(_node(nid, kind, op, formula, values[nid], t.requires_grad and nid not in consts,
                           grads.get(id(t))))
        sym_expr = sym[id(t)]
        sym_of[nid] = sym_expr
        nodes[-1]["formula_sympy"] = symbolic.text(sym_expr)
        # Sources in the order they are written in the formula (b + c: b first).
        sources.sort(key=lambda s: _position(formula, s[0]))
        local = _local_grads(t, mem, [s[1] for s in sources])
        # For arrays the chain rule is a vector-Jacobian product: the engine gives each edge's share.
        up = grads.get(id(t))
        vjps = (_local_grads(t, mem, [s[1] for s in sources], seed=np.asarray(up, dtype=np.float64))
                if not scalar and up is not None else [None] * len(sources))
        small = sym_expr is not None and _ops(sym_expr) <= MAX_LOCAL_OPS
        for (sname, _), lv, vj in zip(sources, local, vjps):
            lf = symbolic.diff(sym_expr, sname) if small and clock.symbolic() else None
            edges.append(_edge(sname, nid, lv, symbolic.text(lf), lf))
            if vj is not None:
                edges[-1]["_vjp"] = vj
    # Program constants (c = 3) are leaves drawn as constants.
    out_id = names[id(output)]
    _fill_checks(nodes, edges, order, visible, names, group, members, output, out_id, eps, scalar, clock,
                 auto_notes)
    nodes_by_id = {n["id"]: n for n in nodes}
    for e in edges:
        e["upstream"] = nodes_by_id[e["target"]]["grad"] if e["local"] is not None else None
        up = nodes_by_id[e["target"]]["grad"]
        vjp = e.pop("_vjp", None)
        e["product"] = (vjp if not scalar else None if e["local"] is None or up is None
                        else float(e["local"]) * float(up))
    try:
        _symbolic_chain(nodes, edges, out_id, values if scalar else None, auto_notes, clock)
    except RecursionError:  # a formula too deep for SymPy: the engine's numbers stand alone
        for n in nodes:
            n["grad_formula"] = n["grad_formula_value"] = None
    for e in edges:
        sym_local = e.pop("_sym", None)
        e["local_formula_value"] = symbolic.value(sym_local, values) if scalar and clock.symbolic() else None
    if clock.symbolic_skipped:
        auto_notes.append(["budget_symbolic", {"s": f"{clock.seconds:g}"}])
    width, height = _layout(nodes, edges, out=out_id)
    extra_layout = ({"layout_tb": layout_top_down(nodes, edges, out=out_id)}
                    if len(nodes) <= MAX_TOP_DOWN_NODES else {})
    extra = {"eps": eps, "scalar": scalar, "symbolic": symbolic.AVAILABLE, "title": title, "notes": notes,
             "auto_notes": auto_notes, **extra_layout}
    return Graph(out_id, level, source, inputs if inputs is not None else
                 {n["id"]: n["value"] for n in nodes if n["kind"] == "input"},
                 nodes, edges, width, height, **extra)


def _position(formula, name):
    """Where ``name`` first appears as a whole word in ``formula`` (large if it does not)."""
    m = re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w.])", formula or "")
    return m.start() if m else 1 << 30


def _fresh(base, used):
    name, k = base, 1
    while name in used:
        k += 1
        name = f"{base}_{k}"
    used.add(name)
    return name


def _fresh_counter(prefix, counters, used):
    while True:
        counters[prefix] += 1
        name = f"{prefix}{counters[prefix]}"
        if name not in used:
            used.add(name)
            return name


def _node(nid, kind, op, formula, value, requires_grad, grad):
    return {"id": nid, "name": nid, "kind": kind, "op": op, "formula": formula, "value": value,
            "grad": grad if requires_grad else None, "requires_grad": bool(requires_grad),
            "layer": 0, "x": 0.0, "y": 0.0}


def _edge(source, target, local, local_formula, sym=None):
    label = f"∂{target}/∂{source}"
    return {"source": source, "target": target, "local": local, "local_formula": local_formula,
            "label": label, "_sym": sym}


def _seed(t):
    return None if t.data.size == 1 else np.ones_like(t.data)


def _adjoints(output, visible):
    """d(output)/d(t) for every visible tensor that requires grad (None where unused)."""
    out = {}
    if not output.requires_grad:
        return out
    wanted = [t for t in visible if t.requires_grad and t is not output]
    out[id(output)] = _py(np.ones_like(output.data))
    if wanted:
        with autograd.enable_grad():
            gs = autograd.grad(output, wanted, grad_outputs=_seed(output), retain_graph=True,
                               allow_unused=True)
        for t, g in zip(wanted, gs):
            out[id(t)] = None if g is None else _py(g.data)
    return out


def _local_grads(t, mem, sources, seed=None):
    """Engine values of d(t)/d(source) for each source, holding the other sources fixed.

    For arrays this is the vector-Jacobian product with ``seed`` (ones by default:
    the derivative of the sum of ``t``'s elements).

    The node's primitives are run again on fresh leaves, so the derivative is
    the local (partial) one even when sources depend on each other.
    """
    if not sources:
        return []
    with np.errstate(all="ignore"):
        return _local_grads_run(t, mem, sources, seed)


def _local_grads_run(t, mem, sources, seed):
    leaves = {id(s): tensor(np.array(s.data, dtype=np.float64 if s.data.dtype.kind != "f" else s.data.dtype),
                            requires_grad=True) for s in sources}
    vals = {}
    with autograd.enable_grad(), np.errstate(all="ignore"):
        for m in mem:
            args = [leaves[id(a)] if isinstance(a, Tensor) and id(a) in leaves else
                    vals[id(a)] if isinstance(a, Tensor) else a for a in m.grad_fn.inputs]
            vals[id(m)] = m.grad_fn.replay(*args)
        out = vals[id(t)]
        gs = autograd.grad(out, list(leaves.values()), grad_outputs=_seed(out) if seed is None else seed,
                           allow_unused=True)
    return [0.0 if g is None else _py(g.data) for g in gs]


def _ops(expr):
    import sympy
    return sympy.count_ops(expr)


def _fill_checks(nodes, edges, order, visible, names, group, members, output, out_id, eps, scalar,
                 clock=None, notes=None):
    """Finite-difference checks: each local derivative and each d(output)/d(node).

    All checks together re-run at most ``FD_STEPS_PER_NODE`` primitives per node of ``order``
    (and stop when ``clock`` is spent); the ones past that are skipped, with a note.
    """
    for n in nodes:
        n["check"] = None
    for e in edges:
        e["check"] = None
    if not scalar or not eps:
        return
    base = {id(t): np.asarray(t.data, dtype=np.float64) for t in order}
    pos = {id(t): i for i, t in enumerate(order)}
    by_name = {names[id(t)]: t for t in visible}

    steps = [0, FD_STEPS_PER_NODE * max(len(order), 1)]  # done, allowed
    skipped = [0, 0]  # skipped, wanted

    def rerun(src, delta, restrict):
        vals = dict(base)
        vals[id(src)] = base[id(src)] + delta
        changed = {id(src)}
        with np.errstate(all="ignore"):
            for t in (order[pos[id(src)] + 1:] if restrict is None else restrict):
                steps[0] += 1
                if t.grad_fn is None:
                    continue
                ins = t.grad_fn.inputs
                if not any(isinstance(a, Tensor) and id(a) in changed for a in ins):
                    continue
                args = [vals[id(a)] if isinstance(a, Tensor) else a for a in ins]
                vals[id(t)] = np.asarray(t.grad_fn.evaluate(*args), dtype=np.float64)
                changed.add(id(t))
        return vals

    def check(src, dst, exact, restrict):
        skipped[1] += 1
        if steps[0] >= steps[1] or (clock is not None and clock.spent()):
            skipped[0] += 1
            return None
        v0 = float(base[id(src)])
        plus = rerun(src, eps, restrict)
        minus = rerun(src, -eps, restrict)
        f0, fp, fm = float(base[id(dst)]), float(plus[id(dst)]), float(minus[id(dst)])
        fwd = (fp - f0) / eps
        return {"eps": eps, "at": v0, "at_plus": float(plus[id(src)]), "f": f0, "f_plus": fp, "f_minus": fm,
                "forward": fwd, "bias": None if exact is None else fwd - float(exact),
                "central": (fp - fm) / (2 * eps)}

    for e in edges:
        if e["local"] is None or e["source"] not in by_name:
            continue
        src, dst = by_name[e["source"]], by_name[e["target"]]
        e["check"] = check(src, dst, e["local"], members[id(dst)])
    for n in nodes:
        if n["id"] == out_id or n["id"] not in by_name or by_name[n["id"]] is output:
            continue
        if n["grad"] is None:
            continue
        t = by_name[n["id"]]
        exact = n["grad"]
        n["check"] = check(t, output, exact, None)
    if skipped[0] and notes is not None:
        notes.append(["budget_fd", {"n": skipped[0], "total": skipped[1]}])


def _symbolic_chain(nodes, edges, out_id, values, notes, clock=None):
    """The chain rule with SymPy: d(out)/d(n) = sum over n's consumers m of (dm/dn) * d(out)/d(m)."""
    for n in nodes:
        n["grad_formula"] = None
        n["grad_formula_value"] = None
    if not symbolic.AVAILABLE:
        return
    import sympy
    outgoing = {}
    for e in edges:
        outgoing.setdefault(e["source"], []).append(e)
    G = {out_id: sympy.Integer(1)}
    skipped = []
    for n in reversed(nodes):
        nid = n["id"]
        if nid == out_id:
            continue
        outs = [e for e in outgoing.get(nid, []) if e["target"] in G or e["target"] == out_id]
        if not outs:
            continue
        if clock is not None and not clock.symbolic():
            G[nid] = None
            continue
        # Group the terms by the downstream gradient they multiply: cos(a)*G + w*G is kept as
        # (w + cos(a))*G, so chains of primitives do not double the formula at every step.
        by_up, total = {}, sympy.Integer(0)
        for e in outs:
            if e.get("_sym") is None or G.get(e["target"]) is None:
                total = None
                break
            up = G[e["target"]]
            by_up[up] = by_up.get(up, sympy.Integer(0)) + e["_sym"]
        if total is not None:
            for up, local in by_up.items():
                total = total + local * up
        if total is not None and sympy.count_ops(total) > MAX_SYMBOLIC_OPS:
            total = None
            skipped.append(n["name"])
        G[nid] = total
    if skipped:
        notes.append(["sym_too_long", {"n": MAX_SYMBOLIC_OPS, "name": skipped[0]}])
    for n in nodes:
        g = G.get(n["id"])
        if g is None or n["kind"] == "const":
            continue
        if clock is not None and not clock.symbolic():
            continue
        n["grad_formula"] = symbolic.text(g)
        n["grad_formula_value"] = symbolic.value(g, values) if values is not None else None
