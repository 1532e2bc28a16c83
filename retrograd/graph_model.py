"""The Graph model: a computation graph as plain, JSON-ready data (nodes, edges, layout).

This module is pure data: it imports nothing of retrograd, so any layer can build a
Graph (the learning layer's extractors from Programs and Tensors, ``rg.jit(f).lower()``)
and every view reads the same one (principle 4: one graph model, many views).

The pictures and the explanation are *views* of the model, written in the learning
layer above it. So that the model never imports its renderers, the conveniences
:meth:`Graph.to_svg`, :meth:`Graph.to_dot`, :meth:`Graph.explain` (and a notebook's
``_repr_svg_``) look their renderer up in a small registry, which
``retrograd.learn`` fills when it is imported (``import retrograd`` imports it):
see :func:`register_view`.

>>> g = Graph("J", "assignment", "J = w**2", {"w": 3.0},
...           [{"id": "w", "value": 3.0}, {"id": "J", "value": 9.0}],
...           [{"source": "w", "target": "J", "local": 6.0}])
>>> g.node("J")["value"], g.edge("w", "J")["local"]
(9.0, 6.0)
>>> Graph.from_dict(g.to_dict()).to_dict() == g.to_dict()
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

__all__ = ["Graph", "GraphError", "register_view"]

#: The renderers of the conveniences, by name ("svg", "dot", "explain"): filled by ``retrograd.learn``.
_VIEWS: dict[str, Callable[..., Any]] = {}


def register_view(name: str, render: Callable[..., Any]) -> None:
    """Make ``render(graph, **options)`` the renderer behind the Graph convenience ``name``.

    ``name`` is ``"svg"`` (:meth:`Graph.to_svg`), ``"dot"`` (:meth:`Graph.to_dot`) or
    ``"explain"`` (:meth:`Graph.explain`). ``retrograd.learn`` registers its renderers when it
    is imported; registering again replaces the renderer.

    >>> register_view("svg", _VIEWS["svg"])  # what retrograd.learn did
    >>> Graph("J", "primitive", None, {}, [], []).to_svg().startswith("<svg")
    True
    """
    if name not in ("svg", "dot", "explain"):
        raise ValueError(f"register_view: unknown view {name!r}; the views are 'svg', 'dot' and 'explain'")
    _VIEWS[name] = render


def _view(name: str) -> Callable[..., Any]:
    render = _VIEWS.get(name)
    if render is None:
        raise RuntimeError(f"no renderer for Graph views of kind {name!r}: import retrograd.learn "
                           "(it registers the SVG, DOT and explanation renderers)")
    return render


class GraphError(RuntimeError):
    """The graph cannot be extracted (freed by backward, not scalar where needed, ...)."""


class Graph:
    """A computation graph as plain data: see the module docstring and :meth:`to_dict`.

    ``nodes`` and ``edges`` are lists of dicts (``id``; ``source``/``target``), ``inputs`` maps
    input names to values, ``width``/``height`` are the layout's size; every other keyword is
    kept in ``extra`` and written by :meth:`to_dict`.

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
        """The picture as an SVG document (the renderer is :mod:`retrograd.learn.svg`).

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().to_svg().startswith("<svg")
        True
        """
        return _view("svg")(self, lang=lang)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT (for large graphs: ``dot -Tsvg``; the renderer is
        :mod:`retrograd.learn.svg`).

        >>> from retrograd.learn import program
        >>> program("J = w**2", w=3.0).graph().to_dot().startswith("digraph")
        True
        """
        return _view("dot")(self)

    def explain(self, lang: str = "en"):
        """The explanation of this graph (see :func:`retrograd.learn.explain`).

        >>> from retrograd.learn import program
        >>> "121" in str(program("J = (2 + 3*w)**2", w=3.0).graph().explain())
        True
        """
        return _view("explain")(self, lang=lang)

    def _repr_svg_(self):
        return self.to_svg()

    def __repr__(self):
        return f"<Graph {self.level} output={self.output!r}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def _finite(x):
    """A copy with non-finite floats replaced by None (JSON has no inf or NaN; the notes say which).

    >>> _finite({"a": [1.0, float("inf")], "b": float("nan")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x
