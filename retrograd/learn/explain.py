"""Explanations of a computation graph: the forward table and the backward walk (work in progress).

>>> from retrograd.learn import program, explain
>>> "66" in str(explain(program("J = (2 + 3*w)**2", w=3.0)))
True
"""

from __future__ import annotations


class Explanation:
    """An explanation: ``str()`` gives plain text."""

    def __init__(self, graph, lang="en"):
        self.graph = graph
        self.lang = lang

    def __str__(self):
        g = self.graph
        lines = [f"{n['id']} = {n['value']}  d{g.output}/d{n['id']} = {n['grad']}" for n in g.nodes]
        return "\n".join(lines)


def explain(output, lang="en", level="assignment", eps=None):
    """Explain a Program, a Graph or an output Tensor."""
    from .graph import Graph, build_graph
    from .program import Program
    if isinstance(output, Graph):
        g = output
    elif isinstance(output, Program):
        g = output.graph(level) if eps is None else build_graph(output, level, eps)
    else:
        g = build_graph(output, level, eps)
    return Explanation(g, lang)
