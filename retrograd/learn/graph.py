"""The one graph model every view reads: nodes, edges, values, gradients, local derivatives, layout.

:func:`build_graph` extracts it from a :class:`~retrograd.learn.program.Program`
or from any scalar Tensor (before its backward, or after one with
``retain_graph=True``). Two zoom levels:

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

import json
import math
import time
from typing import Any

import numpy as np

from .. import autograd
from ..tensor import Tensor, tensor
from . import symbolic
from .layout import NODE_H, NODE_W  # noqa: F401  (the layout's smallest boxes, for every view)

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


def _const_arg(v):
    a = np.asarray(v)
    if a.size == 1:
        s = _num(a.item())
        return s, (3 if s.startswith("-") else 5)
    return np.array2string(a, separator=", ", threshold=6), 5


class GraphError(RuntimeError):
    """The graph cannot be extracted (freed by backward, not scalar where needed, ...)."""


class Graph:
    """A computation graph as plain data: see the module docstring and :meth:`to_dict`.

    >>> from retrograd.learn import program, Graph
    >>> g = program("J = (2 + 3*w)**2", w=3.0).graph()
    >>> Graph.from_dict(g.to_dict()).to_dict() == g.to_dict()
    True
    >>> g.node("w")["grad"]
    66.0
    """

    def __init__(self, output, level, source, inputs, nodes, edges, width=0.0, height=0.0, **extra):
        self.output = output
        self.level = level
        self.source = source
        self.inputs = inputs
        self.nodes = nodes
        self.edges = edges
        self.width = width
        self.height = height
        self.extra = extra

    def to_dict(self) -> dict:
        """The JSON-ready dictionary (keys: output, level, source, inputs, nodes, edges, width, height, ...).

        >>> from retrograd.learn import program
        >>> sorted(program("J = w**2", w=1.0).graph().to_dict())[:4]
        ['auto_notes', 'edges', 'eps', 'height']
        """
        d = {"output": self.output, "level": self.level, "source": self.source, "inputs": dict(self.inputs),
             "nodes": [dict(n) for n in self.nodes], "edges": [dict(e) for e in self.edges],
             "width": self.width, "height": self.height}
        d.update(self.extra)
        return json.loads(json.dumps(_finite(d)))

    @classmethod
    def from_dict(cls, d: dict) -> Graph:
        """Rebuild a Graph from :meth:`to_dict` output (or its JSON).

        >>> from retrograd.learn import program, Graph
        >>> Graph.from_dict(program("J = w**2", w=1.0).graph().to_dict()).output
        'J'
        """
        d = dict(d)
        keys = ("output", "level", "source", "inputs", "nodes", "edges", "width", "height")
        base = {k: d.pop(k) for k in keys if k in d}
        base.setdefault("source", None)
        base.setdefault("inputs", {})
        return cls(**base, **d)

    def to_json(self, **kw) -> str:
        """:meth:`to_dict` as a JSON string.

        >>> from retrograd.learn import program
        >>> '"output": "J"' in program("J = w**2", w=1.0).graph().to_json()
        True
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    def node(self, node_id: str) -> dict:
        """The node with this id.

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().node("J")["value"]
        9.0
        """
        for n in self.nodes:
            if n["id"] == node_id:
                return n
        raise KeyError(f"no node {node_id!r} in the graph; nodes: {[n['id'] for n in self.nodes]}")

    def edge(self, source: str, target: str) -> dict:
        """The edge from ``source`` to ``target``.

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().edge("w", "J")["local_formula"] in ("2*w", None)
        True
        """
        for e in self.edges:
            if e["source"] == source and e["target"] == target:
                return e
        raise KeyError(f"no edge {source!r} -> {target!r}")

    def to_svg(self, lang: str = "en") -> str:
        """The picture as an SVG document (see :mod:`retrograd.learn.svg`).

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().to_svg().startswith("<svg")
        True
        """
        from .svg import to_svg
        return to_svg(self, lang=lang)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT (for large graphs: ``dot -Tsvg``).

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().to_dot().startswith("digraph")
        True
        """
        from .svg import to_dot
        return to_dot(self)

    def explain(self, lang: str = "en"):
        """The explanation of this graph (see :func:`retrograd.learn.explain`).

        >>> from retrograd.learn import program
        >>> "121" in str(program("J = (2 + 3*w)**2", w=3.0).graph().explain())
        True
        """
        from .explain import explain
        return explain(self, lang=lang)

    def _repr_svg_(self):
        return self.to_svg()

    def __repr__(self):
        return f"<Graph {self.level} output={self.output!r}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def _finite(x):
    """A copy with non-finite floats replaced by None (JSON has no inf or NaN; the notes say which)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


# ----- extraction ---------------------------------------------------------------------------
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
            node = t._node
            if node is None:
                continue
            if node.inputs is None or _freed(node):
                raise GraphError("this graph was freed by a backward pass (graphs of more than "
                                 f"{autograd.KEEP_STRUCTURE_NODES} nodes keep no structure): explain it "
                                 "before calling backward(), or call backward(retain_graph=True)")
            for a in reversed(node.inputs):
                if isinstance(a, Tensor):
                    consumers.setdefault(id(a), []).append(t)
                    if id(a) not in seen:
                        stack.append((a, False))
    return order, consumers


def _freed(node) -> bool:
    return node is not None and any(isinstance(a, autograd.FreedInput) for a in node.inputs or ())


def _replay(output):
    """The graph of ``output`` after a backward() freed it: recomputed from its leaves, same
    structure and names (fresh Tensors; the leaves are the same objects)."""
    Freed = autograd.FreedInput

    def as_freed(a):
        if isinstance(a, Tensor) and _freed(a._node):
            return Freed(a._node, a.name, None)
        return a
    order, seen, stack = [], set(), [(output._node, False)]
    names = {id(output._node): output.name}
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
            t = node.prim(*[arg(a) for a in node.inputs], **node.params)
            made[id(node)] = t.named(names[id(node)]) if names.get(id(node)) else t
    return made[id(output._node)]


def build_graph(obj, level: str = "assignment", eps=None, budget=None) -> Graph:
    """Extract the :class:`Graph` of a Program or of an output Tensor.

    ``budget`` (seconds, default no limit) bounds the optional checks: past it, SymPy formulas
    and checks are skipped and the graph's notes say so (the engine's values and gradients are
    always there). Finite-difference checks are always bounded linearly in the graph's size.

    >>> import retrograd as rg
    >>> x = rg.tensor(2.0, requires_grad=True, name="x")
    >>> g = build_graph(rg.sin(x) * x, level="primitive")
    >>> [n["op"] for n in g.nodes]
    [None, 'sin', 'mul']
    """
    from .program import Program
    if level not in ("assignment", "primitive"):
        raise ValueError(f"level must be 'assignment' or 'primitive', got {level!r}")
    one_line = replayed_note = False
    if isinstance(obj, Program):
        prog = obj
        # One line is one formula: backpropagation goes through its operations, so draw those.
        if level == "assignment" and len(prog.parsed.statements) == 1:
            stmt = prog.parsed.statements[0]
            out_t = prog.tensors[stmt.target]
            if out_t._node is not None and any(isinstance(a, Tensor) and a._node is not None
                                               for a in out_t._node.inputs or ()):
                level, one_line = "primitive", True
        roots = [prog.tensors[s.target] for s in prog.parsed.statements]
        output = prog.output
        formulas = {s.target: s.text for s in prog.parsed.statements}
        data = set(prog.data)
        consts = set(prog.constants)
        source, title, notes = prog.source, prog.title, list(prog.notes)
        eps = prog.eps if eps is None else eps
        inputs = {n: _py(v) for n, v in prog.inputs.items()}
        extra_roots = [prog.tensors[n] for n in prog.parsed.inputs]
    elif isinstance(obj, Tensor):
        replayed = None
        if _freed(obj._node):  # after backward(): the structure is kept, the values are recomputed
            replayed = _replay(obj)
            if not np.allclose(replayed.data, obj.data, equal_nan=True):
                replayed_note = True
            obj = replayed
        prog, output, roots = None, obj, [obj]
        formulas, data, consts = {}, set(), set()
        source, title, notes = None, None, []
        eps = 1e-3 if eps is None else eps
        inputs = None
        extra_roots = []
    else:
        raise TypeError(f"build_graph() takes a Program or a Tensor, got {type(obj).__name__}")

    clock = _Budget(budget)
    order, consumers = _walk(extra_roots + roots)
    root_ids = {id(t) for t in roots}
    ops = [t for t in order if t._node is not None]

    # Which tensors are drawn as nodes, and their names.
    if level == "primitive":
        visible = [t for t in order]
    else:
        visible = [t for t in order if t._node is None or t.name is not None or id(t) in root_ids
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
        if t._node is not None:
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
        if t._node is None:
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
            for a in m._node.inputs:
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
                    # a structural argument (axes, shapes): part of the operation, not a value
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
            text[id(m)] = _render(m._node.prim.name, args_t)
            sym[id(m)] = (None if any(s is None for s in args_s) or not clock.symbolic()
                          else symbolic.from_primitive(m._node.prim.name, args_s, m._node.params))
        formula = formulas.get(nid) if level == "assignment" else None
        formula = formula or text[id(t)][0]
        op = "assign" if level == "assignment" else t._node.prim.name
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
    width, height = layout(nodes, edges, out_id)
    from .layout import MAX_TOP_DOWN_NODES, layout_top_down
    extra_layout = ({"layout_tb": layout_top_down(nodes, edges, out=out_id)}
                    if len(nodes) <= MAX_TOP_DOWN_NODES else {})
    extra = {"eps": eps, "scalar": scalar, "symbolic": symbolic.AVAILABLE, "title": title, "notes": notes,
             "auto_notes": auto_notes, **extra_layout}
    return Graph(out_id, level, source, inputs if inputs is not None else
                 {n["id"]: n["value"] for n in nodes if n["kind"] == "input"},
                 nodes, edges, width, height, **extra)


def _position(formula, name):
    """Where ``name`` first appears as a whole word in ``formula`` (large if it does not)."""
    import re
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
                    vals[id(a)] if isinstance(a, Tensor) else a for a in m._node.inputs]
            vals[id(m)] = m._node.prim(*args, **m._node.params)
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
                if t._node is None:
                    continue
                ins = t._node.inputs
                if not any(isinstance(a, Tensor) and id(a) in changed for a in ins):
                    continue
                args = [vals[id(a)] if isinstance(a, Tensor) else a for a in ins]
                vals[id(t)] = np.asarray(t._node.prim.impl(*args, **t._node.params), dtype=np.float64)
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


# ----- layout -------------------------------------------------------------------------------
def layout(nodes, edges, out=""):
    """Place the nodes and route the edges (see :mod:`retrograd.learn.layout`); returns (width, height).

    >>> nodes = [{"id": "w", "kind": "input", "name": "w"}, {"id": "a", "kind": "op", "name": "a"}]
    >>> w, h = layout(nodes, [{"source": "w", "target": "a", "local": 3.0, "label": "∂a/∂w"}])
    >>> nodes[0]["x"] < nodes[1]["x"] and nodes[0]["y"] == nodes[1]["y"]
    True
    """
    from .layout import layout as _layout
    return _layout(nodes, edges, out=out)
